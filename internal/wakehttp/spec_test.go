package wakehttp

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/api"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
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

// TestEveryAnswerTheHandlerGivesIsInTheSpec sends each route and method of the
// spec every kind of request (each state of the service, browsers, API
// clients, crawlers, unknown hosts and paths, bad forms) and checks that the
// status code, and for JSON the Status fields, are what the spec documents.
func TestEveryAnswerTheHandlerGivesIsInTheSpec(t *testing.T) {
	spec := loadHandlerSpec(t)
	next := &wake.Next{AfterMs: 700, Token: "a.token"}
	states := map[string]wake.Status{
		"asleep":  {Service: "web", State: wake.Asleep, Description: "asleep", Next: &wake.Next{AfterMs: 5000}},
		"waking":  {Service: "web", State: wake.Waking, Stage: wake.StageStartingApp, Description: "starting", Next: next},
		"ready":   readyStatus(t),
		"failed":  {Service: "web", State: wake.Failed, Message: "It stopped.", Description: "failed", ElapsedSeconds: 612, FailedAt: time.Date(2026, 1, 2, 14, 2, 3, 0, time.UTC)},
		"checked": {Service: "web", State: wake.Waking, Stage: wake.StageChecking, Description: "checking", Next: &wake.Next{AfterMs: 3000}},
	}
	routes := map[string][]specRequest{
		"/": {{method: "GET", target: "/"}, {method: "HEAD", target: "/"}},
		"/{proxy+}": {
			{method: "GET", target: "/a/b?c=1"}, {method: "HEAD", target: "/a/b"},
		},
		StatusPath: {{method: "GET", target: StatusPath + "?path=%2Fa&t=x.y"}, {method: "HEAD", target: StatusPath}},
		RetryPath: {
			{method: "POST", target: RetryPath, body: "path=%2Fa"},
			{method: "POST", target: RetryPath, body: "%zz"},
		},
	}
	for path, reqs := range routes {
		ops, ok := spec.Paths[path]
		if !ok {
			t.Fatalf("route %s is not in the spec", path)
		}
		for _, base := range reqs {
			for _, variant := range []specRequest{
				{host: "app.example.com", accept: "text/html"},
				{host: "app.example.com", accept: "application/json"},
				{host: "app.example.com", accept: "*/*", ua: "Mozilla/5.0 (compatible; Googlebot/2.1)"},
				{host: "unknown.example.com", accept: "text/html"},
			} {
				for name, st := range states {
					rec := serveSpecRequest(base, variant, st)
					op := ops[strings.ToLower(base.method)]
					if _, documented := op.Responses[strconv.Itoa(rec.Code)]; !documented {
						t.Errorf("%s %s (%s, host %s, accept %s): answered %d, not in the spec's %v", base.method, base.target, name, variant.host, variant.accept, rec.Code, keys(op.Responses))
					}
					if base.method == "GET" && rec.Header().Get("Content-Type") == "application/json" && (rec.Code == 200 || rec.Code == 503) {
						checkStatusFields(t, spec, base, name, st, rec)
					}
				}
			}
		}
	}
}

// handlerSpec is what the spec documents of the handler's routes and its Status.
type handlerSpec struct {
	Paths map[string]map[string]struct {
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

// loadHandlerSpec reads the spec the handler is checked against.
func loadHandlerSpec(t *testing.T) handlerSpec {
	t.Helper()
	var spec handlerSpec
	if err := json.Unmarshal(api.OpenAPI, &spec); err != nil {
		t.Fatalf("spec is not JSON: %v", err)
	}
	return spec
}

// specRequest is one request of the spec test: a route's method, target and
// body, sent with one variant's host, Accept and User-Agent.
type specRequest struct {
	method, target, host, accept, ua, body string
}

// serveSpecRequest answers base, sent as variant, by a handler whose Waker reports st.
func serveSpecRequest(base, variant specRequest, st wake.Status) *httptest.ResponseRecorder {
	services := []config.Service{{Name: "web", Cluster: "c", Host: "app.example.com", Port: 8080, Scheme: "http"}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(base.method, base.target, strings.NewReader(base.body))
	req.Host = variant.host
	req.Header.Set("Accept", variant.accept)
	req.Header.Set("User-Agent", variant.ua)
	if base.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	page, _ := waitpage.New(waitpage.Options{})
	New(&fakeWaker{status: st}, route.New(services), page, Options{HeadWakes: true, Bots: regexp.MustCompile(config.DefaultBots)},
		slog.New(slog.NewTextHandler(io.Discard, nil))).ServeHTTP(rec, req)
	return rec
}

// checkStatusFields fails unless a JSON answer has every field the spec's
// Status requires, no field it does not know, and next exactly when st has one.
func checkStatusFields(t *testing.T, spec handlerSpec, base specRequest, name string, st wake.Status, rec *httptest.ResponseRecorder) {
	t.Helper()
	var got map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%s %s: JSON body %q: %v", base.method, base.target, rec.Body, err)
	}
	for _, field := range spec.Components.Schemas["Status"].Required {
		if _, ok := got[field]; !ok {
			t.Errorf("%s %s (%s): the Status lacks %q", base.method, base.target, name, field)
		}
	}
	for field := range got {
		if _, ok := spec.Components.Schemas["Status"].Properties[field]; !ok {
			t.Errorf("%s %s (%s): field %q is not in the spec's Status", base.method, base.target, name, field)
		}
	}
	if _, hasNext := got["next"]; hasNext != (st.Next != nil) {
		t.Errorf("%s %s (%s): next present %v, want %v", base.method, base.target, name, hasNext, st.Next != nil)
	}
}
