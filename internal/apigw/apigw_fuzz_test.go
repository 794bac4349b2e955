package apigw

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// lines splits "a\nb" into its lines; "" is no line at all.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// headerLines writes a header map as "name:value" lines, the fuzz targets' encoding of headers.
func headerLines(h map[string]string) string {
	var out []string
	for k, v := range h {
		out = append(out, k+":"+v)
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// httpSamples are the API Gateway events in testdata/lambda.
func httpSamples(f *testing.F) []events.APIGatewayV2HTTPRequest {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "lambda", "http-*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no HTTP samples: %v", err)
	}
	var out []events.APIGatewayV2HTTPRequest
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(b, &ev); err != nil {
			f.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

// FuzzRequest: whatever the event's fields, Request either refuses the event
// with an error or gives the handler exactly what the visitor sent: the
// method, the path, the query, the headers, the cookies, the body; the URL
// never carries a host (the host is only ever the Host header or the API's
// domain name).
func FuzzRequest(f *testing.F) {
	for _, ev := range httpSamples(f) {
		f.Add(ev.RequestContext.HTTP.Method, ev.RawPath, ev.RequestContext.HTTP.Path, ev.RawQueryString,
			headerLines(ev.Headers), strings.Join(ev.Cookies, "\n"), ev.RequestContext.DomainName, ev.Body, ev.IsBase64Encoded)
	}
	f.Fuzz(func(t *testing.T, method, rawPath, ctxPath, rawQuery, headers, cookies, domain, body string, isBase64 bool) {
		ev := events.APIGatewayV2HTTPRequest{
			Version: "2.0", RawPath: rawPath, RawQueryString: rawQuery, Cookies: lines(cookies),
			Headers: map[string]string{}, Body: body, IsBase64Encoded: isBase64,
		}
		ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = method, ctxPath
		ev.RequestContext.HTTP.SourceIP = "198.51.100.7"
		ev.RequestContext.DomainName = domain
		for _, l := range lines(headers) {
			k, v, _ := strings.Cut(l, ":")
			ev.Headers[k] = v
		}

		req, err := Request(context.Background(), ev)
		if err != nil {
			if req != nil {
				t.Fatalf("both a request and an error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "api gateway event: ") {
				t.Fatalf("error %q does not say it is about the event", err)
			}
			return
		}
		if method == "" {
			t.Fatal("an event without a method was accepted")
		}
		want := []byte(body)
		if isBase64 {
			if want, err = base64.StdEncoding.DecodeString(body); err != nil {
				t.Fatalf("a body that is not base64 was accepted: %q", body)
			}
		}

		if req.Method != method {
			t.Fatalf("method %q, want %q", req.Method, method)
		}
		if req.URL.Scheme != "" || req.URL.Host != "" || req.URL.User != nil || req.URL.Opaque != "" {
			t.Fatalf("the request URL names a scheme or host: %#v (raw path %q, path %q)", req.URL, rawPath, ctxPath)
		}
		path := rawPath
		if path == "" {
			path = ctxPath
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		// An HTTP API delivers the path decoded: the handler's path is the event's, as it is.
		if req.URL.Path != path || req.URL.RawQuery != rawQuery || req.URL.Fragment != "" {
			t.Fatalf("the handler sees path %q query %q fragment %q; the visitor sent path %q query %q",
				req.URL.Path, req.URL.RawQuery, req.URL.Fragment, path, rawQuery)
		}
		if back, err := url.PathUnescape(req.URL.EscapedPath()); err != nil || back != path {
			t.Fatalf("escaped path %q reads back as %q (%v), want %q", req.URL.EscapedPath(), back, err, path)
		}
		if req.RequestURI != req.URL.RequestURI() {
			t.Fatalf("RequestURI %q, but the URL's is %q", req.RequestURI, req.URL.RequestURI())
		}
		if !strings.HasPrefix(req.URL.Path, "/") {
			t.Fatalf("path %q is not absolute", req.URL.Path)
		}

		got, err := io.ReadAll(req.Body)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("body %q (%v), want %q", got, err, want)
		}

		// Headers: each name that only one key of the event spells gets its value.
		spellings := map[string]int{}
		for k := range ev.Headers {
			spellings[http.CanonicalHeaderKey(k)]++
		}
		for k, v := range ev.Headers {
			ck := http.CanonicalHeaderKey(k)
			if spellings[ck] > 1 || (ck == "Cookie" && len(ev.Cookies) > 0) {
				continue
			}
			if vs := req.Header.Values(ck); len(vs) != 1 || vs[0] != v {
				t.Fatalf("header %q: %q, want %q", k, vs, v)
			}
		}
		if len(ev.Cookies) > 0 && req.Header.Get("Cookie") != strings.Join(ev.Cookies, "; ") {
			t.Fatalf("Cookie %q, want the event's cookies %q", req.Header.Get("Cookie"), ev.Cookies)
		}
		wantHost := req.Header.Get("Host")
		if wantHost == "" {
			wantHost = domain
		}
		if req.Host != wantHost {
			t.Fatalf("Host %q, want %q", req.Host, wantHost)
		}
		if req.RemoteAddr != "198.51.100.7" {
			t.Fatalf("RemoteAddr %q", req.RemoteAddr)
		}
	})
}

// FuzzServe: whatever a handler writes, Serve gives API Gateway a response
// that says the same: its status (200 when it wrote none), every header,
// the cookies apart, and the body as text or, when it is not UTF-8, base64.
func FuzzServe(f *testing.F) {
	samples := httpSamples(f)
	f.Add(200, "Content-Type:text/html; charset=utf-8\nCache-Control:no-store", "", []byte("<!doctype html>"))
	f.Add(307, "Location:http://127.0.0.10:8080/some/path?x=1\nCache-Control:no-store", "", []byte(nil))
	f.Add(503, "Retry-After:2\nContent-Type:application/json\nVary:Accept\nVary:Cookie", "a=1\nb=2", []byte(`{"state":"waking"}`+"\n"))
	f.Add(0, "set-cookie:c=3", "", []byte{0xff, 0xfe, 0x00})
	f.Fuzz(func(t *testing.T, code int, headers, cookies string, body []byte) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, l := range lines(headers) {
				k, v, _ := strings.Cut(l, ":")
				w.Header().Add(k, v)
			}
			for _, c := range lines(cookies) {
				w.Header().Add("Set-Cookie", c)
			}
			if code >= 200 && code <= 599 {
				w.WriteHeader(code)
			}
			if len(body) > 0 {
				_, _ = w.Write(body)
			}
		})
		resp, err := Serve(context.Background(), h, samples[0])
		if err != nil {
			t.Fatalf("Serve failed: %v", err)
		}
		wantCode := http.StatusOK
		if code >= 200 && code <= 599 {
			wantCode = code
		}
		if resp.StatusCode != wantCode {
			t.Fatalf("status %d, want %d", resp.StatusCode, wantCode)
		}

		wantHeaders := http.Header{}
		var wantCookies []string
		for _, l := range lines(headers) {
			k, v, _ := strings.Cut(l, ":")
			if http.CanonicalHeaderKey(k) == "Set-Cookie" {
				wantCookies = append(wantCookies, v)
				continue
			}
			wantHeaders.Add(k, v)
		}
		wantCookies = append(wantCookies, lines(cookies)...)
		if len(resp.Headers) != len(wantHeaders) {
			t.Fatalf("headers %q, want %q", resp.Headers, wantHeaders)
		}
		for k, vs := range wantHeaders {
			if got, ok := resp.Headers[k]; !ok || got != strings.Join(vs, ", ") {
				t.Fatalf("header %q: %q, want %q", k, got, vs)
			}
		}
		if !slices.Equal(resp.Cookies, wantCookies) {
			t.Fatalf("cookies %q, want %q", resp.Cookies, wantCookies)
		}

		if resp.IsBase64Encoded == utf8.Valid(body) {
			t.Fatalf("base64 %v for a body that is UTF-8: %v", resp.IsBase64Encoded, utf8.Valid(body))
		}
		got := []byte(resp.Body)
		if resp.IsBase64Encoded {
			if got, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				t.Fatalf("body is not base64: %v", err)
			}
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("body %q, want %q", got, body)
		}
	})
}
