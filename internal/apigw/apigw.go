// Package apigw runs a plain net/http handler behind an API Gateway HTTP API
// (payload format 2.0 Lambda proxy integration).
package apigw

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// maxBody is the largest request body passed on; API Gateway's own limit is 10 MB.
const maxBody = 1 << 20

// Request turns the event into an http.Request.
func Request(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		return nil, fmt.Errorf("api gateway event: requestContext.http.method is empty")
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	// An HTTP API delivers the path URL-decoded (and the query still encoded):
	// it is the URL's Path as it is, never parsed again, so "/100%" stays that
	// path (its escaped form "/100%25" is what the app gets) and "//host/x"
	// stays a path. A "%2F" the visitor sent arrives as "/": the event cannot
	// tell them apart. (REST APIs and function URLs keep the path encoded.)
	if strings.ContainsFunc(path, isCTL) {
		return nil, fmt.Errorf("api gateway event: bad path %q: a control character", path)
	}
	u := &url.URL{Path: path, RawQuery: ev.RawQueryString}
	var err error
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, fmt.Errorf("api gateway event: body is not base64: %w", err)
		}
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("api gateway event: body of %d bytes is over %d", len(body), maxBody)
	}
	if strings.ContainsFunc(u.RawQuery, isCTL) {
		return nil, fmt.Errorf("api gateway event: bad query %q: a control character", u.RawQuery)
	}
	// The URL is the one built above, not parsed again from its string: a
	// path such as "//host/x" must stay a path, never become a host.
	req, err := http.NewRequestWithContext(ctx, method, "/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("api gateway event: %w", err)
	}
	req.URL = u
	for k, v := range ev.Headers {
		// Payload 2.0 joins repeated headers with commas already.
		req.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	req.Host = req.Header.Get("Host")
	if req.Host == "" {
		req.Host = ev.RequestContext.DomainName
	}
	req.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	req.RequestURI = u.RequestURI()
	return req, nil
}

func isCTL(r rune) bool { return r < ' ' || r == 0x7f }

// Serve runs h for one event and returns API Gateway's response.
func Serve(ctx context.Context, h http.Handler, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	req, err := Request(ctx, ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{
			StatusCode: http.StatusBadRequest,
			Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
			Body:       fmt.Sprintf("{\"error\":%q}\n", err.Error()),
		}, nil
	}
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, req)
	return rec.response(), nil
}

// recorder is a ResponseWriter that keeps the whole answer in memory.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

func (r *recorder) response() events.APIGatewayV2HTTPResponse {
	r.WriteHeader(http.StatusOK)
	out := events.APIGatewayV2HTTPResponse{StatusCode: r.code, Headers: map[string]string{}}
	for k, v := range r.header {
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			out.Cookies = append(out.Cookies, v...)
			continue
		}
		out.Headers[k] = strings.Join(v, ", ")
	}
	if utf8.Valid(r.body.Bytes()) {
		out.Body = r.body.String()
	} else {
		out.Body = base64.StdEncoding.EncodeToString(r.body.Bytes())
		out.IsBase64Encoded = true
	}
	return out
}

// Handler adapts h to a handler of HTTP API events (an invoke.HTTPHandler).
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return Serve(ctx, h, ev)
	}
}
