package lambdafront

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// anyMethod is the OpenAPI extension an HTTP API imports as the ANY route of
// a path: it catches every method the path does not declare.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-any-method.html
const anyMethod = "x-amazon-apigateway-any-method"

// route finds the HTTP API route of r: its route key and path parameters.
func (f *Front) route(r *http.Request) (string, map[string]string, bool) {
	if len(f.opts.Routes) == 0 {
		return "$default", nil, true
	}
	return MatchRoute(f.opts.Routes, r.Method, r.URL.Path)
}

// MatchRoute picks the route ("GET /x", "ANY /{proxy+}") an HTTP API sends a
// request to, as API Gateway selects it: a full match of the path (literal
// segments before path variables) before a greedy {name+} path (the longer
// prefix first), and on the same path a route of the request's method before
// the path's ANY route. It returns the route key and the path parameters;
// false when no route matches, which API Gateway answers with its own 404.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
func MatchRoute(routes []string, method, path string) (string, map[string]string, bool) {
	best, bestParams, found := "", map[string]string(nil), false
	for _, key := range routes {
		m, p, err := parseRoute(key)
		if err != nil || (m != "ANY" && m != method) {
			continue
		}
		params, ok := matchPath(p, path)
		if ok && (!found || compareRoutes(key, best) < 0) {
			best, bestParams, found = key, params, true
		}
	}
	return best, bestParams, found
}

// compareRoutes orders route keys from the most specific to the least.
func compareRoutes(a, b string) int {
	ma, pa, _ := parseRoute(a)
	mb, pb, _ := parseRoute(b)
	ga, gb := strings.Contains(pa, "+}"), strings.Contains(pb, "+}")
	if ga != gb {
		if ga {
			return 1
		}
		return -1
	}
	if c := cmp.Compare(literalSegments(pb), literalSegments(pa)); c != 0 {
		return c
	}
	if aa, ab := ma == "ANY", mb == "ANY"; aa != ab {
		if aa {
			return 1
		}
		return -1
	}
	return strings.Compare(a, b)
}

// literalSegments counts the segments of a route path that are not variables.
func literalSegments(path string) int {
	n := 0
	for seg := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		if !strings.HasPrefix(seg, "{") {
			n++
		}
	}
	return n
}

func parseRoute(key string) (method, path string, err error) {
	method, path, ok := strings.Cut(key, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		return "", "", fmt.Errorf("lambda front: route %q: want METHOD /path", key)
	}
	return method, path, nil
}

// matchPath matches a route path with {name} segments and a greedy {name+} last segment.
func matchPath(route, path string) (map[string]string, bool) {
	rs := strings.Split(strings.Trim(route, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	for i, seg := range rs {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}") {
			rest := strings.Join(ps[min(i, len(ps)):], "/")
			if rest == "" {
				return nil, false
			}
			params[strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "+}")] = rest
			return params, true
		}
		if i >= len(ps) {
			return nil, false
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if ps[i] == "" {
				return nil, false
			}
			params[strings.Trim(seg, "{}")] = ps[i]
			continue
		}
		if seg != ps[i] {
			return nil, false
		}
	}
	if len(rs) != len(ps) {
		return nil, false
	}
	if len(params) == 0 {
		params = nil
	}
	return params, true
}

// RoutesFromOpenAPI lists the routes ("GET /x", "ANY /x") of an OpenAPI
// document, as an HTTP API imported from it has them, the most specific first.
func RoutesFromOpenAPI(spec []byte) ([]string, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	var routes []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "head", "post", "put", "delete", "patch", "options":
				routes = append(routes, strings.ToUpper(method)+" "+path)
			case anyMethod:
				routes = append(routes, "ANY "+path)
			}
		}
	}
	slices.SortFunc(routes, compareRoutes)
	return routes, nil
}
