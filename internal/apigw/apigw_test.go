package apigw

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func load(t *testing.T, name string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "lambda", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestRequestKeepsWhatTheVisitorSent(t *testing.T) {
	req, err := Request(context.Background(), load(t, "http-visit-browser.json"))
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "GET" || req.URL.Path != "/some/path" || req.URL.RawQuery != "x=1" || req.RequestURI != "/some/path?x=1" {
		t.Fatalf("request %s %s", req.Method, req.URL)
	}
	if req.Host != "abc123.execute-api.us-east-1.amazonaws.com" || !strings.HasPrefix(req.Header.Get("Accept"), "text/html") || req.Header.Get("Cookie") != "session=abc" {
		t.Fatalf("host %q headers %v", req.Host, req.Header)
	}
}

func TestABase64FormBodyIsDecoded(t *testing.T) {
	req, err := Request(context.Background(), load(t, "http-retry-form.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := req.ParseForm(); err != nil || req.PostForm.Get("path") != "/some/path?x=1" {
		t.Fatalf("form %v: %v", req.PostForm, err)
	}
}

func TestServeReturnsStatusHeadersCookiesAndBody(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Cookie")
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "hello "+r.URL.RequestURI())
	})
	resp, err := Serve(context.Background(), h, load(t, "http-visit-browser.json"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTeapot || resp.Body != "hello /some/path?x=1" || resp.IsBase64Encoded {
		t.Fatalf("response %+v", resp)
	}
	if resp.Headers["Vary"] != "Accept, Cookie" || len(resp.Cookies) != 2 {
		t.Fatalf("headers %v cookies %v", resp.Headers, resp.Cookies)
	}
}

func TestBinaryBodiesAreBase64(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte{0xff, 0xfe, 0x00}) })
	resp, _ := Serve(context.Background(), h, load(t, "http-visit-browser.json"))
	if !resp.IsBase64Encoded || resp.Body != "//4A" {
		t.Fatalf("response %+v", resp)
	}
}

func TestBadEventsGetA400NotAPanic(t *testing.T) {
	noMethod := load(t, "http-visit-browser.json")
	noMethod.RequestContext.HTTP.Method = ""
	badBody := load(t, "http-retry-form.json")
	badBody.Body = "%%%not base64"
	for name, ev := range map[string]events.APIGatewayV2HTTPRequest{"no method": noMethod, "bad base64": badBody} {
		t.Run(name, func(t *testing.T) {
			resp, err := Serve(context.Background(), http.NotFoundHandler(), ev)
			if err != nil || resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, "error") {
				t.Fatalf("response %+v, %v", resp, err)
			}
		})
	}
}

// TestPathsAsHTTPAPIDeliversThemReachTheAppUnchanged: an HTTP API hands over
// rawPath URL-decoded and rawQueryString encoded; the request the handler
// sees carries the visitor's path and query as the visitor sent them.
func TestPathsAsHTTPAPIDeliversThemReachTheAppUnchanged(t *testing.T) {
	tests := []struct {
		rawPath, rawQuery, want string
	}{
		{"/100%", "", "/100%25"},
		{"/a b/ü", "q=a%20b&x=%25", "/a%20b/%C3%BC?q=a%20b&x=%25"},
		{"/plain/path", "x=1", "/plain/path?x=1"},
		{"/files/report #3", "", "/files/report%20%233"},
		{"//evil.example/x", "", "//evil.example/x"},
	}
	for _, tc := range tests {
		t.Run(tc.rawPath, func(t *testing.T) {
			ev := events.APIGatewayV2HTTPRequest{RawPath: tc.rawPath, RawQueryString: tc.rawQuery,
				RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: tc.rawPath}}}
			req, err := Request(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if got := req.URL.RequestURI(); got != tc.want || req.RequestURI != tc.want {
				t.Fatalf("request URI %q (%q), want %q", got, req.RequestURI, tc.want)
			}
			if req.URL.Host != "" {
				t.Fatalf("host %q taken from the path", req.URL.Host)
			}
		})
	}
}
