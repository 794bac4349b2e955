package lambdafront

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/api"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/jsontest"
)

// knownDifference is where the front's event may differ from API Gateway's
// sample of the same request, and why: listed, never hidden.
type knownDifference struct {
	path    string
	samples []string // empty: every sample
	why     string
}

// knownDifferences between the front's events and API Gateway's, whose
// payload format 2.0 is documented in
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
var knownDifferences = []knownDifference{
	{path: "requestContext.requestId", why: "the front numbers its requests"},
	{path: "requestContext.apiId", why: "the front's own API id"},
	{path: "requestContext.authentication", why: "aws-lambda-go writes an empty authentication struct, which API Gateway sends only with mutual TLS"},
	{path: "headers.x-forwarded-for", why: "API Gateway adds the X-Forwarded headers; the front does not, and Wake reads none of them"},
	{path: "headers.x-forwarded-port", why: "as x-forwarded-for"},
	{path: "headers.x-forwarded-proto", why: "as x-forwarded-for"},
	{path: "body", samples: []string{"http-retry-form.json"},
		why: "API Gateway delivers this form body base64-encoded, as the sample has it; the front sends a UTF-8 body as it is, and Wake decodes either"},
	{path: "isBase64Encoded", samples: []string{"http-retry-form.json"}, why: "as body"},
}

func TestEventsAreWhatAPIGatewaySendsForTheSameRequest(t *testing.T) {
	routes, err := RoutesFromOpenAPI(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	f := &Front{opts: Options{Routes: routes}}
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "lambda", "http-*.json"))
	if err != nil || len(files) < 4 {
		t.Fatalf("found %d HTTP samples: %v", len(files), err)
	}
	seen := make([]bool, len(knownDifferences))
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			sample, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			r, at := visitorRequest(t, sample)
			routeKey, params, ok := f.route(r)
			if !ok {
				t.Fatalf("no route for %s %s", r.Method, r.URL.Path)
			}
			got, err := eventOf(r, routeKey, params, 1, at)
			if err != nil {
				t.Fatal(err)
			}
			diffs, err := jsontest.Diff(sample, got)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range diffs {
				i := slices.IndexFunc(knownDifferences, func(k knownDifference) bool {
					return k.path == d.Path && (len(k.samples) == 0 || slices.Contains(k.samples, name))
				})
				if i < 0 {
					t.Errorf("the front's event differs from API Gateway's: %s", d)
					continue
				}
				seen[i] = true
			}
		})
	}
	// The list stays true: a difference the front no longer makes goes.
	for i, k := range knownDifferences {
		if !seen[i] {
			t.Errorf("known difference at %s did not occur (%s): remove it", k.path, k.why)
		}
	}
}

// visitorRequest is the request the visitor sent for a sample: what API
// Gateway got, before it added its own headers, and when.
func visitorRequest(t *testing.T, sample []byte) (*http.Request, time.Time) {
	t.Helper()
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(sample, &ev); err != nil {
		t.Fatal(err)
	}
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			t.Fatal(err)
		}
	}
	r, err := http.NewRequest(ev.RequestContext.HTTP.Method, "/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	// The path as a server has it: decoded, as HTTP APIs deliver it.
	r.URL = &url.URL{Path: ev.RawPath, RawQuery: ev.RawQueryString}
	r.Host = ev.Headers["host"]
	r.RemoteAddr = ev.RequestContext.HTTP.SourceIP + ":49152"
	for k, v := range ev.Headers {
		if !strings.HasPrefix(k, "x-forwarded-") {
			r.Header.Set(k, v)
		}
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	return r, time.UnixMilli(ev.RequestContext.TimeEpoch)
}
