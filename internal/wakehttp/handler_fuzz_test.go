package wakehttp

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// fuzzServices cover each way of routing (host, path prefix, both) and each
// address mode (the task's public or private IP, a fixed URL).
var fuzzServices = []config.Service{
	{Name: "web", Cluster: "demo", Host: "app.example.com", Port: 8080, Scheme: "http", Address: config.AddressPublic},
	{Name: "shop", Cluster: "demo", Host: "shop.example.com", Port: 443, Scheme: "https", Address: config.AddressPublic},
	{Name: "docs", Cluster: "demo", PathPrefix: "/docs", Port: 80, Scheme: "http", Address: config.AddressURL, URL: "https://alb.example.com/base"},
	{Name: "intra", Cluster: "other", Host: "intra.example.com", PathPrefix: "/app", Port: 80, Scheme: "http", Address: config.AddressPrivate},
}

// baseFor is where a ready service answers, built as the controller builds
// it: the configured URL, or the task's address with the service's port.
func baseFor(svc config.Service, task netip.Addr) *url.URL {
	if svc.Address == config.AddressURL {
		u, err := url.Parse(svc.URL)
		if err != nil {
			panic(err)
		}
		return u
	}
	u := &url.URL{Scheme: svc.Scheme, Host: net.JoinHostPort(task.String(), strconv.Itoa(svc.Port))}
	if (svc.Scheme == "http" && svc.Port == 80) || (svc.Scheme == "https" && svc.Port == 443) {
		u.Host = strings.TrimSuffix(u.Host, ":"+strconv.Itoa(svc.Port))
	}
	return u
}

// scriptedWaker answers every question with the state the fuzzer chose, for
// whichever service it is asked about, and remembers what it was asked.
type scriptedWaker struct {
	state   uint8
	task    netip.Addr
	token   string
	asked   []config.Service
	wakes   int
	retries int
}

func (w *scriptedWaker) answer(svc config.Service) wake.Status {
	w.asked = append(w.asked, svc)
	est := int(w.state) % 90
	next := &wake.Next{AfterMs: 100 + 97*int(w.state), Token: w.token}
	switch w.state % 6 {
	case 0:
		return wake.Status{Service: svc.Name, State: wake.Asleep, Description: "The service is asleep.", Next: next}
	case 1:
		return wake.Status{Service: svc.Name, State: wake.Waking, Stage: wake.StagePending, ElapsedSeconds: 4, Description: "Pulling the image…", EstimatedSeconds: &est, Next: next}
	case 2:
		return wake.Status{Service: svc.Name, State: wake.Waking, Stage: wake.StageChecking, Description: "Checking on the service…"}
	case 3:
		return wake.Status{Service: svc.Name, State: wake.Failed, Message: "The app stopped while starting.", Description: "The service could not start."}
	default:
		return wake.ReadyAt(svc.Name, baseFor(svc, w.task))
	}
}

func (w *scriptedWaker) Status(_ context.Context, svc config.Service) wake.Status {
	return w.answer(svc)
}
func (w *scriptedWaker) Poll(_ context.Context, svc config.Service, _ string) wake.Status {
	return w.answer(svc)
}
func (w *scriptedWaker) Wake(_ context.Context, svc config.Service) wake.Status {
	w.wakes++
	return w.answer(svc)
}
func (w *scriptedWaker) Retry(_ context.Context, svc config.Service) wake.Status {
	w.retries++
	return w.answer(svc)
}

// specResponses are the status codes api/openapi.json documents, by route
// key as API Gateway has them ("GET /", "ANY /{proxy+}").
func specResponses(tb testing.TB) map[string]map[int]bool {
	spec := loadHandlerSpec(tb)
	out := map[string]map[int]bool{}
	for _, key := range spec.routes() {
		codes := map[int]bool{}
		for code := range spec.operation(key).Responses {
			n, err := strconv.Atoi(code)
			if err != nil {
				tb.Fatalf("%s: response %q is not a status code", key, code)
			}
			codes[n] = true
		}
		out[key] = codes
	}
	return out
}

// asBrowserSees is a Location as a browser's URL parser reads it: leading
// and trailing controls and spaces dropped, tabs and newlines dropped
// anywhere, a backslash read as a slash.
func asBrowserSees(loc string) string {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
}

// checkOnSite fails unless loc, as a browser reads it, is a path on the host
// the visitor already asked (no scheme, no host).
func checkOnSite(t *testing.T, what, loc string) {
	t.Helper()
	seen := asBrowserSees(loc)
	if strings.ContainsFunc(loc, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		t.Fatalf("%s %q has a control character", what, loc)
	}
	if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") {
		t.Fatalf("%s %q is not a path on this host (a browser reads %q)", what, loc, seen)
	}
	u, err := url.Parse(seen)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		t.Fatalf("%s %q names a host or cannot be read: %#v %v", what, loc, u, err)
	}
}

// checkAtTarget fails unless loc, as a browser reads it, is an absolute URL
// at the ready service's own address.
func checkAtTarget(t *testing.T, what, loc string, base *url.URL) {
	t.Helper()
	if strings.ContainsFunc(loc, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		t.Fatalf("%s %q has a control character", what, loc)
	}
	u, err := url.Parse(asBrowserSees(loc))
	if err != nil {
		t.Fatalf("%s %q cannot be read: %v", what, loc, err)
	}
	if u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil || u.Opaque != "" {
		t.Fatalf("%s %q goes to %s://%s, want %s://%s", what, loc, u.Scheme, u.Host, base.Scheme, base.Host)
	}
	if !strings.HasPrefix(u.Path, strings.TrimRight(base.Path, "/")+"/") {
		t.Fatalf("%s %q leaves the base path %q", what, loc, base.Path)
	}
}

// FuzzHandler: for any method, path, query, Host, headers and body, the
// Wake handler does not panic; it answers only status codes the OpenAPI spec
// documents for the route and method (404 or 405 for what the spec does not
// route); and every place it sends a visitor — the Location header, the
// status's location, the next poll's URL, the wait page's status URL — is
// either the ready task's own address (as the Waker reports it, or the
// configured URL) or a path on the visitor's own host. A host taken from the
// request is an open redirect and fails the target.
func FuzzHandler(f *testing.F) {
	spec := specResponses(f)
	page, err := waitpage.New(waitpage.Options{})
	if err != nil {
		f.Fatal(err)
	}
	router := route.New(fuzzServices)
	bots := regexp.MustCompile(config.DefaultBots)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	addHandlerSeeds(f)

	f.Fuzz(func(t *testing.T, method, target, host, accept, ua, ctype, headers, body, token string, state uint8, task uint32) {
		addr := netip.AddrFrom4([4]byte{byte(task >> 24), byte(task >> 16), byte(task >> 8), byte(task)})
		if state&0x80 != 0 {
			addr = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 12: byte(task >> 24), byte(task >> 16), byte(task >> 8), byte(task)})
		}
		waker := &scriptedWaker{state: state, task: addr, token: token}
		h := New(waker, router, page, Options{Bots: bots, HeadWakes: state&0x40 == 0}, log)

		req := fuzzRequest(method, target, host, accept, ua, ctype, headers, body)
		path := req.URL.Path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		checkInSpec(t, spec, method, target, path, rec)
		// The status endpoint never wakes anything; nothing else retries.
		if path == StatusPath && (waker.wakes > 0 || waker.retries > 0) {
			t.Fatalf("the status endpoint woke (%d) or retried (%d)", waker.wakes, waker.retries)
		}
		if path != RetryPath && waker.retries > 0 {
			t.Fatal("a retry without POST " + RetryPath)
		}
		// Where the visitor is sent: only ever the task the Waker reported, or this host.
		var base *url.URL
		if len(waker.asked) > 0 {
			base = baseFor(waker.asked[len(waker.asked)-1], addr)
		}
		checkLocationHeader(t, rec, base, len(waker.asked))
		checkBodyLinks(t, method, rec, base)
	})
}

// addHandlerSeeds adds the requests of the handler's own tests, each in every state.
func addHandlerSeeds(f *testing.F) {
	const browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	const form = "application/x-www-form-urlencoded"
	for state := range uint8(6) {
		for _, r := range []struct{ method, target, host, accept, ua, ctype, body string }{
			{"GET", "/some/path?x=1", "app.example.com", "text/html,application/xhtml+xml", browser, "", ""},
			{"HEAD", "/", "app.example.com", "*/*", "curl/8.5.0", "", ""},
			{"GET", "/api", "shop.example.com", "application/json", "okhttp/4.12.0", "", ""},
			{"GET", "/docs/intro?a=b", "evil.example", "text/html", "Googlebot/2.1", "", ""},
			{"GET", "/app/x", "intra.example.com:443", "text/html", browser, "", ""},
			{"GET", StatusPath + "?path=" + url.QueryEscape("/some/path?x=1") + "&t=signed.token", "app.example.com", "application/json", browser, "", ""},
			{"GET", StatusPath + "?path=" + url.QueryEscape("//evil.example/x"), "evil.example", "", "", "", ""},
			{"GET", StatusPath + "?path=" + url.QueryEscape("/\\evil.example"), "app.example.com", "", "", "", ""},
			{"GET", StatusPath + "?path=" + url.QueryEscape("https://evil.example/"), "app.example.com", "", "", "", ""},
			{"POST", RetryPath, "app.example.com", "text/html", browser, form, "path=" + url.QueryEscape("/a?b=1")},
			{"POST", RetryPath, "app.example.com", "text/html", browser, form, "path=" + url.QueryEscape("//evil.example/")},
			{"POST", RetryPath, "app.example.com", "text/html", browser, form, "%zz"},
			{"POST", "/form", "app.example.com", "text/html", browser, form, "a=1"},
			{"GET", "/_wake/nope", "app.example.com", "", "", "", ""},
			{"DELETE", StatusPath, "app.example.com", "", "", "", ""},
		} {
			f.Add(r.method, r.target, r.host, r.accept, r.ua, r.ctype, "", r.body, "signed.token", state, uint32(0xcb007107))
		}
	}
}

// fuzzRequest builds the request the fuzzer describes; headers are "Key: value" lines.
func fuzzRequest(method, target, host, accept, ua, ctype, headers, body string) *http.Request {
	path, query, _ := strings.Cut(target, "?")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	req := httptest.NewRequest("GET", "/", strings.NewReader(body))
	req.Method, req.URL, req.Host = method, &url.URL{Path: path, RawQuery: query}, host
	req.RequestURI = req.URL.RequestURI()
	for _, l := range strings.Split(headers, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			req.Header.Add(k, v)
		}
	}
	for k, v := range map[string]string{"Accept": accept, "User-Agent": ua, "Content-Type": ctype} {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	return req
}

// checkInSpec fails unless the status code is one the spec documents for the
// route API Gateway takes the request to (every method of every path has
// one), with no-store and, on 503, a Retry-After.
func checkInSpec(t *testing.T, spec map[string]map[int]bool, method, target, path string, rec *httptest.ResponseRecorder) {
	t.Helper()
	code, hdr := rec.Code, rec.Header()
	op, err := specRouteKey(slices.Collect(maps.Keys(spec)), method, path)
	if err != nil {
		t.Fatal(err)
	}
	if !spec[op][code] {
		t.Fatalf("%s: answered %d, which the spec does not document for %s", target, code, op)
	}
	if hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", hdr.Get("Cache-Control"))
	}
	if code == http.StatusServiceUnavailable {
		if n, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || n < 1 {
			t.Fatalf("503 with Retry-After %q", hdr.Get("Retry-After"))
		}
	}
}

// checkLocationHeader fails unless a 307 goes to the ready task (base), a 303
// to this host, and no other answer has a Location.
func checkLocationHeader(t *testing.T, rec *httptest.ResponseRecorder, base *url.URL, asked int) {
	t.Helper()
	code := rec.Code
	loc, hasLoc := rec.Header()["Location"]
	switch code {
	case http.StatusTemporaryRedirect:
		if !hasLoc || len(loc) != 1 || base == nil {
			t.Fatalf("307 with Location %q, after asking the Waker %d times", loc, asked)
		}
		checkAtTarget(t, "Location", loc[0], base)
	case http.StatusSeeOther:
		if !hasLoc || len(loc) != 1 {
			t.Fatalf("303 with Location %q", loc)
		}
		checkOnSite(t, "Location", loc[0])
	default:
		if hasLoc {
			t.Fatalf("%d with a Location %q", code, loc)
		}
	}
}

// checkBodyLinks fails unless the places a body sends the visitor — the
// status's location and next poll, the wait page's status URL — are the
// ready task (base) or this host, and an HTML body has a strict CSP.
func checkBodyLinks(t *testing.T, method string, rec *httptest.ResponseRecorder, base *url.URL) {
	t.Helper()
	code, hdr := rec.Code, rec.Header()
	ctypeOut := hdr.Get("Content-Type")
	switch {
	case method == http.MethodHead || rec.Body.Len() == 0:
	case ctypeOut == "application/json":
		var st struct {
			State    string  `json:"state"`
			Location *string `json:"location"`
			Next     *struct {
				URL string `json:"url"`
			} `json:"next"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
			t.Fatalf("JSON body %q: %v", rec.Body, err)
		}
		if st.Location != nil {
			if st.State != wake.Ready || base == nil {
				t.Fatalf("a location %q in state %q", *st.Location, st.State)
			}
			checkAtTarget(t, "the status's location", *st.Location, base)
		}
		if st.Next != nil {
			checkOnSite(t, "the next poll's URL", st.Next.URL)
			if !strings.HasPrefix(st.Next.URL, StatusPath+"?") {
				t.Fatalf("the next poll goes to %q", st.Next.URL)
			}
		}
	case ctypeOut == "text/html; charset=utf-8":
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("HTML without a strict CSP: %q", csp)
		}
		m := dataStatus.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("the wait page has no status URL:\n%s", rec.Body)
		}
		statusURL := html.UnescapeString(m[1])
		checkOnSite(t, "the wait page's status URL", statusURL)
		if !strings.HasPrefix(statusURL, StatusPath+"?") {
			t.Fatalf("the wait page polls %q", statusURL)
		}
	default:
		t.Fatalf("%d with a body of type %q", code, ctypeOut)
	}
}

var dataStatus = regexp.MustCompile(`data-status="([^"]*)"`)
