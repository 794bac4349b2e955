package invoke_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/apigw"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wakehttp"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wakeops"
)

// The services behind the dispatcher: one on the samples' API host, one at a fixed URL.
var services = []config.Service{
	{Name: "web", Cluster: "demo", Host: "abc123.execute-api.us-east-1.amazonaws.com", Port: 8080, Scheme: "http", Address: config.AddressPublic},
	{Name: "docs", Cluster: "demo", PathPrefix: "/docs", Port: 80, Scheme: "http", Address: config.AddressURL, URL: "https://alb.example.com"},
}

const taskIP = "203.0.113.7"

func baseFor(svc config.Service) *url.URL {
	if svc.Address == config.AddressURL {
		u, _ := url.Parse(svc.URL)
		return u
	}
	return &url.URL{Scheme: svc.Scheme, Host: net.JoinHostPort(taskIP, strconv.Itoa(svc.Port))}
}

// fakeController is the Wake controller for both faces: the HTTP handler's
// Waker and the direct invocations' Controller. It answers with the state
// the fuzzer chose and remembers the last service it was asked about.
type fakeController struct {
	state uint8
	asked *config.Service
}

func (c *fakeController) answer(svc config.Service) wake.Status {
	c.asked = &svc
	switch c.state % 5 {
	case 0:
		return wake.Status{Service: svc.Name, State: wake.Asleep, Description: "The service is asleep.", Next: &wake.Next{AfterMs: 5000}}
	case 1:
		return wake.Status{Service: svc.Name, State: wake.Waking, Stage: wake.StagePending, Description: "Pulling the image…", Next: &wake.Next{AfterMs: 700, Token: "signed.token"}}
	case 2:
		return wake.Status{Service: svc.Name, State: wake.Failed, Message: "The app stopped while starting.", Description: "The service could not start."}
	default:
		return wake.ReadyAt(svc.Name, baseFor(svc))
	}
}

func (c *fakeController) Status(_ context.Context, svc config.Service) wake.Status {
	return c.answer(svc)
}
func (c *fakeController) Poll(_ context.Context, svc config.Service, _ string) wake.Status {
	return c.answer(svc)
}
func (c *fakeController) Wake(_ context.Context, svc config.Service) wake.Status {
	return c.answer(svc)
}
func (c *fakeController) Retry(_ context.Context, svc config.Service) wake.Status {
	return c.answer(svc)
}
func (c *fakeController) Sleep(_ context.Context, svc config.Service) (wake.Status, error) {
	if c.state%5 == 4 {
		return wake.Status{}, errors.New("ECS refused: throttled")
	}
	return c.answer(svc), nil
}

func (c *fakeController) Databases(_ context.Context, _ config.Service) []database.Database {
	return nil
}

// validHeaderName: a token (RFC 9110).
var validHeaderName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// validHeaderValue: no control character but a tab.
func validHeaderValue(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f })
}

// The codes the Wake HTTP API answers: the spec's, and 400 for an event API Gateway would not send.
var httpCodes = map[int]bool{200: true, 303: true, 307: true, 400: true, 404: true, 405: true, 503: true}

// wakeDispatcher is the Wake function's dispatcher with the real HTTP handler
// and operator over a fake controller; dispatch runs one raw event through it.
type wakeDispatcher struct {
	page   *waitpage.Page
	router *route.Router
	log    *slog.Logger
}

func newWakeDispatcher(tb testing.TB) *wakeDispatcher {
	page, err := waitpage.New(waitpage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return &wakeDispatcher{page: page, router: route.New(services), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

var otherAnswer = map[string]string{"other": "handled"}

// dispatch runs raw through the dispatcher, the controller in the given state,
// and fails t unless the outcome is one the dispatcher may give.
func (w *wakeDispatcher) dispatch(t *testing.T, state uint8, raw []byte) {
	t.Helper()
	ctrl := &fakeController{state: state}
	var (
		httpCalled, opCalled, otherCalled bool
		opOut                             any
		opErr                             error
	)
	h := wakehttp.New(ctrl, w.router, w.page, wakehttp.Options{HeadWakes: state&0x40 == 0}, w.log)
	op := wakeops.Operator(ctrl, services)
	d := invoke.Dispatcher{
		HTTP: apigw.Handler(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			httpCalled = true
			h.ServeHTTP(rw, r)
		})),
		Operator: func(ctx context.Context, cmd invoke.Command) (any, error) {
			opCalled = true
			opOut, opErr = op(ctx, cmd)
			return opOut, opErr
		},
	}
	if state&0x80 != 0 {
		// A function that also takes other events (Auto-Sleep's schedule).
		d.Other = func(context.Context, json.RawMessage) (any, error) {
			otherCalled = true
			return otherAnswer, nil
		}
	}

	out, err := d.Handle(context.Background(), raw)

	if (out == nil) == (err == nil) {
		t.Fatalf("answer %#v and error %v: want exactly one", out, err)
	}
	if n := btoi(httpCalled) + btoi(opCalled) + btoi(otherCalled); n > 1 {
		t.Fatalf("the event reached %d handlers", n)
	}
	if !json.Valid(raw) && !errors.Is(err, invoke.ErrBadEvent) {
		t.Fatalf("bytes that are not JSON gave %#v, %v; want ErrBadEvent", out, err)
	}
	if err != nil {
		switch {
		case errors.Is(err, invoke.ErrBadEvent):
			if httpCalled || opCalled || otherCalled || !strings.HasPrefix(err.Error(), invoke.ErrBadEvent.Error()+": ") {
				t.Fatalf("ErrBadEvent %q after calling a handler (http %v, operator %v, other %v), or saying nothing", err, httpCalled, opCalled, otherCalled)
			}
		case opCalled && err == opErr:
			if err.Error() == "" {
				t.Fatal("the operator's error says nothing")
			}
		default:
			t.Fatalf("error %v (%T) is neither ErrBadEvent nor the operator's", err, err)
		}
		return
	}

	switch {
	case opCalled:
		res, ok := out.(wakeops.Result)
		if !ok || !reflect.DeepEqual(out, opOut) {
			t.Fatalf("answer %#v, the operator's %#v", out, opOut)
		}
		if res.Action != "wake" && res.Action != "status" && res.Action != "sleep" {
			t.Fatalf("a result for action %q", res.Action)
		}
		if res.Next != nil {
			t.Fatal("a direct invocation's result carries a polling hint")
		}
	case otherCalled:
		if !reflect.DeepEqual(out, otherAnswer) {
			t.Fatalf("answer %#v, the other handler's %#v", out, otherAnswer)
		}
	default:
		resp, ok := out.(events.APIGatewayV2HTTPResponse)
		if !ok {
			t.Fatalf("answer %T %#v from no handler", out, out)
		}
		checkResponse(t, resp, httpCalled, ctrl.asked)
	}
}

// samples are the sample events of testdata/lambda, by file name.
func samples(f *testing.F) map[string][]byte {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "lambda", "*"))
	if err != nil || len(files) < 10 {
		f.Fatalf("found %d sample events: %v", len(files), err)
	}
	out := map[string][]byte{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out[filepath.Base(file)] = b
	}
	return out
}

// FuzzHandle: any bytes, as the raw event of the Wake function's dispatcher
// (the real Wake HTTP handler and the real direct-invocation operator, with a
// fake controller), give exactly one of an answer and an error, never a panic.
// An error wraps invoke.ErrBadEvent, having called nothing, or is the
// operator's own error; an answer is the operator's result, or, for an API
// Gateway event, a well-formed response: a code the API documents, valid
// headers, a body that is text or base64, and a Location (or a status's
// location) only at the task's address or on this host.
func FuzzHandle(f *testing.F) {
	for _, b := range samples(f) {
		for state := range uint8(5) {
			f.Add(state, b)
		}
		f.Add(uint8(0x83), b)
	}
	d := newWakeDispatcher(f)
	f.Fuzz(func(t *testing.T, state uint8, raw []byte) {
		d.dispatch(t, state, raw)
	})
}

// FuzzHandleHTTPEvent holds the dispatcher to the same answers as FuzzHandle
// for well-formed API Gateway events whose every field the fuzzer chooses:
// method, path, query, Host, headers, cookies, body.
func FuzzHandleHTTPEvent(f *testing.F) {
	for name, b := range samples(f) {
		var ev events.APIGatewayV2HTTPRequest
		if !strings.HasPrefix(name, "http-") || json.Unmarshal(b, &ev) != nil {
			continue
		}
		var headers []string
		for k, v := range ev.Headers {
			headers = append(headers, k+":"+v)
		}
		slices.Sort(headers)
		for state := range uint8(5) {
			f.Add(state, ev.RequestContext.HTTP.Method, ev.RawPath, ev.RawQueryString, ev.Headers["host"],
				strings.Join(headers, "\n"), strings.Join(ev.Cookies, "\n"), ev.Body, ev.IsBase64Encoded)
		}
	}
	d := newWakeDispatcher(f)
	f.Fuzz(func(t *testing.T, state uint8, method, rawPath, query, host, headers, cookies, body string, isBase64 bool) {
		ev := events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: "$default", RawPath: rawPath, RawQueryString: query,
			Headers: map[string]string{}, Body: body, IsBase64Encoded: isBase64,
		}
		for _, l := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok {
				ev.Headers[strings.ToLower(k)] = v
			}
		}
		ev.Headers["host"] = host
		if cookies != "" {
			ev.Cookies = strings.Split(cookies, "\n")
		}
		ev.RequestContext.DomainName = "abc123.execute-api.us-east-1.amazonaws.com"
		ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = method, rawPath
		ev.RequestContext.HTTP.SourceIP = "198.51.100.7"
		raw, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		d.dispatch(t, state, raw)
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkResponse holds an API Gateway response to what the Wake HTTP API may answer.
func checkResponse(t *testing.T, resp events.APIGatewayV2HTTPResponse, handled bool, asked *config.Service) {
	t.Helper()
	if resp.StatusCode < 100 || resp.StatusCode > 599 || !httpCodes[resp.StatusCode] {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !handled && resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d without the handler", resp.StatusCode)
	}
	if resp.Headers == nil {
		t.Fatal("no headers")
	}
	for k, v := range resp.Headers {
		if !validHeaderName.MatchString(k) || !validHeaderValue(v) {
			t.Fatalf("header %q: %q is not a valid header", k, v)
		}
	}
	for _, c := range resp.Cookies {
		if !validHeaderValue(c) {
			t.Fatalf("cookie %q", c)
		}
	}
	if resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("Cache-Control %q", resp.Headers["Cache-Control"])
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil || utf8.Valid(body) {
			t.Fatalf("a base64 body that is not base64 (%v) or is text", err)
		}
	} else if !utf8.Valid(body) {
		t.Fatal("a text body that is not UTF-8")
	}
	if resp.StatusCode == http.StatusBadRequest && !json.Valid(body) {
		t.Fatalf("400 with body %q", body)
	}

	atTask := func(what, loc string) {
		t.Helper()
		if asked == nil {
			t.Fatalf("%s %q before the controller was asked", what, loc)
		}
		base := baseFor(*asked)
		u, err := url.Parse(loc)
		if err != nil || u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil {
			t.Fatalf("%s %q is not at the task's address %s (%v)", what, loc, base, err)
		}
	}
	onSite := func(what, loc string) {
		t.Helper()
		seen := strings.ReplaceAll(loc, "\\", "/")
		if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") || !validHeaderValue(loc) {
			t.Fatalf("%s %q is not a path on this host", what, loc)
		}
	}

	loc, hasLoc := resp.Headers["Location"]
	switch resp.StatusCode {
	case http.StatusTemporaryRedirect:
		if !hasLoc {
			t.Fatal("307 without a Location")
		}
		atTask("Location", loc)
	case http.StatusSeeOther:
		onSite("Location", loc)
	default:
		if hasLoc {
			t.Fatalf("%d with a Location %q", resp.StatusCode, loc)
		}
	}

	// The status the wait page polls: it goes where "location" says, and asks "next.url" next.
	if resp.Headers["Content-Type"] == "application/json" && len(body) > 0 {
		var st struct {
			Location *string `json:"location"`
			Next     *struct {
				URL string `json:"url"`
			} `json:"next"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatalf("JSON body %q: %v", body, err)
		}
		if st.Location != nil {
			atTask("the status's location", *st.Location)
		}
		if st.Next != nil {
			onSite("the next poll's URL", st.Next.URL)
		}
	}
}
