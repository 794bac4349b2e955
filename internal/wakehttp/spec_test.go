package wakehttp

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/lambdafront"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// anyMethod is the path item's ANY operation, as API Gateway imports it: it
// takes every method the path does not declare.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-any-method.html
const anyMethod = "x-amazon-apigateway-any-method"

// TestOpenAPISpecMatchesTheHandler keeps api/openapi.json and the handler in
// step: the spec has exactly the handler's routes, each declaring exactly the
// methods the handler serves there, and an ANY operation that brings every
// other method to Wake, which answers 405 with Allow naming the declared
// methods (without it, API Gateway would answer them with its own 404).
func TestOpenAPISpecMatchesTheHandler(t *testing.T) {
	spec := loadHandlerSpec(t)
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
			if wantAllow := strings.ToUpper(strings.Join(want, ", ")); !inSpec && rec.Header().Get("Allow") != wantAllow {
				t.Errorf("%s %s: Allow %q, want the spec's methods %q", strings.ToUpper(m), route, rec.Header().Get("Allow"), wantAllow)
			}
		}
		if _, ok := ops[anyMethod]; !ok {
			t.Errorf("%s has no %s: behind API Gateway other methods would get its bare 404, not Wake's 405", route, anyMethod)
		}
		for name, op := range ops {
			if name != anyMethod && !slices.Contains(all, name) {
				t.Errorf("%s: %q is not an operation API Gateway imports", route, name)
			}
			if op.Integration.Type != "aws_proxy" || op.Integration.PayloadFormatVersion != "2.0" {
				t.Errorf("%s %s: integration %+v, want aws_proxy with payload format 2.0", name, route, op.Integration)
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

// TestEveryAnswerIsInTheSpecAndEveryDocumentedAnswerIsGiven sends every
// method to every kind of path (each state of the service, browsers, API
// clients, crawlers, unknown hosts, the controller's own and unknown /_wake/
// paths, bad forms), takes each to the operation API Gateway would route it
// to, and checks both ways: every (route, method, status) the handler gives
// is documented, with the headers the spec documents for it and, for JSON,
// the Status fields; and every status the spec documents is one the handler
// gives.
func TestEveryAnswerIsInTheSpecAndEveryDocumentedAnswerIsGiven(t *testing.T) {
	spec := loadHandlerSpec(t)
	routes := spec.routes()
	page, err := waitpage.New(waitpage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	given := map[string]bool{} // "ROUTE-KEY STATUS"
	for _, base := range specRequests() {
		routeKey, _, ok := lambdafront.MatchRoute(routes, base.method, pathOf(base.target))
		if !ok {
			t.Errorf("%s %s: no route of the spec takes it; API Gateway would answer its own 404", base.method, base.target)
			continue
		}
		op := spec.operation(routeKey)
		for _, variant := range specVariants {
			for name, st := range specStates(t) {
				rec := serveSpecRequest(page, base, variant, st)
				given[routeKey+" "+strconv.Itoa(rec.Code)] = true
				raw, documented := op.Responses[strconv.Itoa(rec.Code)]
				if !documented {
					t.Errorf("%s %s (%s, host %s, accept %s): %s answered %d, not in the spec's %v", base.method, base.target, name, variant.host, variant.accept, routeKey, rec.Code, keys(op.Responses))
					continue
				}
				for _, h := range spec.responseHeaders(t, raw) {
					if rec.Header().Get(h) == "" {
						t.Errorf("%s %s (%s): %d without the %s header the spec documents", base.method, base.target, name, rec.Code, h)
					}
				}
				if base.method == "GET" && rec.Header().Get("Content-Type") == "application/json" && (rec.Code == 200 || rec.Code == 503) {
					checkStatusFields(t, spec, base, name, st, rec)
				}
			}
		}
	}
	for _, routeKey := range routes {
		for code := range spec.operation(routeKey).Responses {
			if !given[routeKey+" "+code] {
				t.Errorf("the spec documents %s for %s, which the handler never gives", code, routeKey)
			}
		}
	}
}

// specRequests are every method on every kind of path, and the malformed forms.
func specRequests() []specRequest {
	targets := []string{"/", "/a/b?c=1", StatusPath + "?path=%2Fa&t=x.y", StatusPath, RetryPath, "/_wake/nope"}
	var reqs []specRequest
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"} {
		for _, target := range targets {
			reqs = append(reqs, specRequest{method: m, target: target, body: "path=%2Fa"})
		}
	}
	return append(reqs,
		specRequest{method: "POST", target: RetryPath, body: "%zz"},
		specRequest{method: "POST", target: RetryPath, body: "path=" + strings.Repeat("a", 9<<10)},
	)
}

// specVariants are who sends each request: a browser, an API client, a
// crawler, and a browser at a host no service is configured for.
var specVariants = []specRequest{
	{host: "app.example.com", accept: "text/html"},
	{host: "app.example.com", accept: "application/json"},
	{host: "app.example.com", accept: "*/*", ua: "Mozilla/5.0 (compatible; Googlebot/2.1)"},
	{host: "unknown.example.com", accept: "text/html"},
}

// specStates are the states the Waker reports.
func specStates(t *testing.T) map[string]wake.Status {
	next := &wake.Next{AfterMs: 700, Token: "a.token"}
	return map[string]wake.Status{
		"asleep":  {Service: "web", State: wake.Asleep, Description: "asleep", Next: &wake.Next{AfterMs: 5000}},
		"waking":  {Service: "web", State: wake.Waking, Stage: wake.StageStartingApp, Description: "starting", Next: next},
		"ready":   readyStatus(t),
		"failed":  {Service: "web", State: wake.Failed, Message: "It stopped.", Description: "failed", ElapsedSeconds: 612, FailedAt: time.Date(2026, 1, 2, 14, 2, 3, 0, time.UTC)},
		"checked": {Service: "web", State: wake.Waking, Stage: wake.StageChecking, Description: "checking", Next: &wake.Next{AfterMs: 3000}},
	}
}

func pathOf(target string) string {
	path, _, _ := strings.Cut(target, "?")
	return path
}

// handlerSpec is what the spec documents of the handler's routes and its Status.
type handlerSpec struct {
	Paths      map[string]map[string]specOperation `json:"paths"`
	Components struct {
		Responses map[string]json.RawMessage `json:"responses"`
		Schemas   map[string]struct {
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

// specOperation is one operation of the spec, as API Gateway imports it.
type specOperation struct {
	Integration struct {
		Type                 string `json:"type"`
		PayloadFormatVersion string `json:"payloadFormatVersion"`
	} `json:"x-amazon-apigateway-integration"`
	Responses map[string]json.RawMessage `json:"responses"`
}

// loadHandlerSpec reads the spec the handler is checked against.
func loadHandlerSpec(t testing.TB) handlerSpec {
	t.Helper()
	var spec handlerSpec
	if err := json.Unmarshal(api.OpenAPI, &spec); err != nil {
		t.Fatalf("spec is not JSON: %v", err)
	}
	return spec
}

// routes are the spec's route keys as an HTTP API imported from it has them
// ("GET /x", and "ANY /x" for the path's ANY operation).
func (s handlerSpec) routes() []string {
	var out []string
	for path, ops := range s.Paths {
		for method := range ops {
			out = append(out, routeMethod(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// operation is the spec's operation behind a route key.
func (s handlerSpec) operation(routeKey string) specOperation {
	method, path, _ := strings.Cut(routeKey, " ")
	if method == "ANY" {
		return s.Paths[path][anyMethod]
	}
	return s.Paths[path][strings.ToLower(method)]
}

func routeMethod(specMethod string) string {
	if specMethod == anyMethod {
		return "ANY"
	}
	return strings.ToUpper(specMethod)
}

// responseHeaders are the headers a response of the spec documents,
// following a reference into components.responses.
func (s handlerSpec) responseHeaders(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var resp struct {
		Ref     string                     `json:"$ref"`
		Headers map[string]json.RawMessage `json:"headers"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	if name, ok := strings.CutPrefix(resp.Ref, "#/components/responses/"); ok {
		target, found := s.Components.Responses[name]
		if !found {
			t.Fatalf("response %s is not in the spec's components", resp.Ref)
		}
		return s.responseHeaders(t, target)
	}
	return keys(resp.Headers)
}

// specRequest is one request of the spec test: a route's method, target and
// body, sent with one variant's host, Accept and User-Agent.
type specRequest struct {
	method, target, host, accept, ua, body string
}

// serveSpecRequest answers base, sent as variant, by a handler whose Waker reports st.
func serveSpecRequest(page *waitpage.Page, base, variant specRequest, st wake.Status) *httptest.ResponseRecorder {
	services := []config.Service{{Name: "web", Cluster: "c", Host: "app.example.com", Port: 8080, Scheme: "http"}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", strings.NewReader(base.body))
	path, query, _ := strings.Cut(base.target, "?")
	req.Method, req.URL = base.method, &url.URL{Path: path, RawQuery: query}
	req.Host = variant.host
	req.Header.Set("Accept", variant.accept)
	req.Header.Set("User-Agent", variant.ua)
	if base.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
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

// specRouteKey is the route API Gateway takes method and path to, for the fuzz target.
func specRouteKey(routes []string, method, path string) (string, error) {
	key, _, ok := lambdafront.MatchRoute(routes, method, path)
	if !ok {
		return "", fmt.Errorf("no route of the spec takes %s %s: API Gateway would answer its own 404", method, path)
	}
	return key, nil
}
