package wakehttp

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/api"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// TestOpenAPISpecMatchesTheHandler keeps api/openapi.json and the handler in
// step: every operation in the spec is served, and every route the handler
// serves is in the spec with exactly its methods.
func TestOpenAPISpecMatchesTheHandler(t *testing.T) {
	var spec struct {
		Paths map[string]map[string]struct {
			Integration struct {
				Type                 string `json:"type"`
				PayloadFormatVersion string `json:"payloadFormatVersion"`
			} `json:"x-amazon-apigateway-integration"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI, &spec); err != nil {
		t.Fatalf("spec is not JSON: %v", err)
	}
	// Sample paths the handler is asked at, per route of the spec.
	samples := map[string]string{"/": "/", "/{proxy+}": "/some/path", StatusPath: StatusPath, RetryPath: RetryPath}
	served := map[string][]string{
		"/":         {"get", "head"},
		"/{proxy+}": {"get", "head"},
		StatusPath:  {"get", "head"},
		RetryPath:   {"post"},
	}
	if len(spec.Paths) != len(served) {
		t.Fatalf("spec has routes %v, the handler serves %v", keys(spec.Paths), keys(served))
	}
	all := []string{"get", "head", "post", "put", "delete", "patch", "options"}
	for route, ops := range spec.Paths {
		want, ok := served[route]
		if !ok {
			t.Fatalf("spec route %s is not served by the handler", route)
		}
		for _, m := range all {
			_, inSpec := ops[m]
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(strings.ToUpper(m), samples[route], strings.NewReader("path=%2F"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			newHandler(t, &fakeWaker{status: wake.Status{State: wake.Waking}}).ServeHTTP(rec, req)
			handles := rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusNotFound
			if inSpec != handles || inSpec != slices.Contains(want, m) {
				t.Errorf("%s %s: in spec %v, handler answers %d", strings.ToUpper(m), route, inSpec, rec.Code)
			}
			if inSpec && (ops[m].Integration.Type != "aws_proxy" || ops[m].Integration.PayloadFormatVersion != "2.0") {
				t.Errorf("%s %s: integration %+v, want aws_proxy with payload format 2.0", m, route, ops[m].Integration)
			}
		}
	}
}

func TestOpenAPISpecIsValid(t *testing.T) {
	validator, err := exec.LookPath("openapi-spec-validator")
	if err != nil {
		t.Fatal("openapi-spec-validator is not installed (pip install openapi-spec-validator)")
	}
	out, err := exec.Command(validator, filepath.Join("..", "..", "api", "openapi.json")).CombinedOutput()
	if err != nil {
		t.Fatalf("spec invalid: %v\n%s", err, out)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
