package lambdafront

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/api"
)

// TestRouteSelectionFollowsAPIGatewaysPriorities checks the order HTTP APIs
// select routes in: a full match of route and method, then a route with a
// greedy path variable, and ANY only for the methods a path does not define.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
func TestRouteSelectionFollowsAPIGatewaysPriorities(t *testing.T) {
	routes := []string{"ANY /{proxy+}", "GET /pets/{proxy+}", "GET /pets/dog/{id}", "GET /pets/dog/1", "ANY /pets/dog/1", "GET /", "ANY /"}
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/pets/dog/1", "GET /pets/dog/1"},
		{"POST", "/pets/dog/1", "ANY /pets/dog/1"},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}"},
		{"GET", "/pets/cat/1", "GET /pets/{proxy+}"},
		{"POST", "/pets/cat/1", "ANY /{proxy+}"},
		{"POST", "/pets/dog/2", "ANY /{proxy+}"},
		{"GET", "/", "GET /"},
		{"DELETE", "/", "ANY /"},
		{"PROPFIND", "/x", "ANY /{proxy+}"},
	}
	// The order the routes are listed in does not matter.
	reversed := slices.Clone(routes)
	slices.Reverse(reversed)
	for _, order := range [][]string{routes, reversed} {
		for _, tc := range tests {
			got, _, ok := MatchRoute(order, tc.method, tc.path)
			if !ok || got != tc.want {
				t.Errorf("%s %s: route %q (matched %v), want %q", tc.method, tc.path, got, ok, tc.want)
			}
		}
	}
	if got, _, ok := MatchRoute([]string{"GET /x"}, "POST", "/x"); ok {
		t.Errorf("POST /x with only GET /x: matched %q, want no route (API Gateway's 404)", got)
	}
}

// TestEveryMethodOnEveryPathReachesWake: the spec declares ANY beside each
// path's own methods, so behind API Gateway Wake answers every request itself
// (405 with Allow for a method a path does not serve) instead of API
// Gateway's bare 404.
func TestEveryMethodOnEveryPathReachesWake(t *testing.T) {
	routes, err := RoutesFromOpenAPI(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/", "GET /"},
		{"HEAD", "/", "HEAD /"},
		{"POST", "/", "ANY /"},
		{"GET", "/a/b", "GET /{proxy+}"},
		{"PUT", "/a/b", "ANY /{proxy+}"},
		{"GET", "/_wake/status", "GET /_wake/status"},
		{"DELETE", "/_wake/status", "ANY /_wake/status"},
		{"POST", "/_wake/retry", "POST /_wake/retry"},
		{"GET", "/_wake/retry", "ANY /_wake/retry"},
		{"OPTIONS", "/_wake/other", "ANY /{proxy+}"},
	}
	for _, tc := range tests {
		got, _, ok := MatchRoute(routes, tc.method, tc.path)
		if !ok || got != tc.want {
			t.Errorf("%s %s: route %q (matched %v), want %q; routes %v", tc.method, tc.path, got, ok, tc.want, routes)
		}
	}
}

// TestTheFrontSendsOtherMethodsToTheFunction: with the spec's routes, a
// method a path does not declare is an event of the path's ANY route, and
// only a route the spec lacks gets API Gateway's own 404.
func TestTheFrontSendsOtherMethodsToTheFunction(t *testing.T) {
	routes, err := RoutesFromOpenAPI(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	f := startFront(t, Options{Concurrency: 1, Routes: routes})
	for _, tc := range []struct{ method, path, wantRoute string }{
		{"PUT", "/a/b", "ANY /{proxy+}"},
		{"DELETE", "/", "ANY /"},
		{"GET", "/_wake/retry", "ANY /_wake/retry"},
	} {
		req, err := http.NewRequest(tc.method, f.URL+tc.path, strings.NewReader(""))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got echoed
		if err := json.Unmarshal(body, &got); resp.StatusCode != 200 || err != nil {
			t.Fatalf("%s %s: %d %s, want the function's answer", tc.method, tc.path, resp.StatusCode, body)
		}
		if got.Event.RouteKey != tc.wantRoute || got.Event.RequestContext.HTTP.Method != tc.method {
			t.Errorf("%s %s: event of route %q, method %q; want %q", tc.method, tc.path, got.Event.RouteKey, got.Event.RequestContext.HTTP.Method, tc.wantRoute)
		}
	}
}
