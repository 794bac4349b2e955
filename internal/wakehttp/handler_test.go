package wakehttp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// fakeWaker answers with a fixed status and counts what it was asked.
type fakeWaker struct {
	status        wake.Status
	wakes, checks atomic.Int32
	retries       atomic.Int32
	token         atomic.Value // the last token a poll carried
}

func (f *fakeWaker) Status(context.Context, config.Service) wake.Status {
	f.checks.Add(1)
	return f.status
}
func (f *fakeWaker) Poll(_ context.Context, _ config.Service, token string) wake.Status {
	f.checks.Add(1)
	f.token.Store(token)
	return f.status
}
func (f *fakeWaker) Wake(context.Context, config.Service) wake.Status {
	f.wakes.Add(1)
	return f.status
}
func (f *fakeWaker) Retry(context.Context, config.Service) wake.Status {
	f.retries.Add(1)
	return f.status
}

func newHandler(t *testing.T, w Waker, services ...config.Service) *Handler {
	t.Helper()
	page, err := waitpage.New(waitpage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(services) == 0 {
		services = []config.Service{{Name: "web", Cluster: "demo", Port: 8080, Scheme: "http"}}
	}
	return New(w, route.New(services), page, Options{HeadWakes: true}, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// readyStatus is a ready service at 127.0.0.10:8080, built the way the controller builds it.
func readyStatus(t *testing.T) wake.Status {
	t.Helper()
	base, _ := url.Parse("http://127.0.0.10:8080")
	return wake.ReadyAt("web", base)
}

func TestVisitorRequests(t *testing.T) {
	waking := wake.Status{Service: "web", State: wake.Waking, Stage: wake.StagePending, ElapsedSeconds: 4, Description: "Pulling the image…"}
	failed := wake.Status{Service: "web", State: wake.Failed, Message: "The app stopped while starting.", Description: "The service could not start."}
	tests := []struct {
		name         string
		status       wake.Status
		method, path string
		accept       string
		wantCode     int
		wantType     string
		wantLocation string
		wantInBody   []string
		wantWakes    int32
	}{
		{"ready service redirects keeping path and query", readyStatus(t), "GET", "/some/path?x=1", "text/html", 307, "", "http://127.0.0.10:8080/some/path?x=1", nil, 1},
		{"ready service redirects HEAD too", readyStatus(t), "HEAD", "/a", "", 307, "", "http://127.0.0.10:8080/a", nil, 1},
		{"waking browser gets the wait page", waking, "GET", "/some/path?x=1", "text/html,application/xhtml+xml", 200, "text/html; charset=utf-8", "", []string{"web", "Pulling the image", `/_wake/status?path=%2Fsome%2Fpath%3Fx%3D1`}, 1},
		{"waking API client gets 503 JSON", waking, "GET", "/api", "application/json", 503, "application/json", "", []string{`"state":"waking"`, `"stage":"pending"`}, 1},
		{"failed browser gets the page with the reason and a retry", failed, "GET", "/", "text/html", 200, "text/html; charset=utf-8", "", []string{"The app stopped while starting.", `action="/_wake/retry"`}, 1},
		{"other methods do not wake", waking, "POST", "/form", "text/html", 405, "application/json", "", nil, 0},
		{"unknown controller route is 404", waking, "GET", "/_wake/nope", "", 404, "application/json", "", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &fakeWaker{status: tc.status}
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			newHandler(t, w).ServeHTTP(rec, req)
			if rec.Code != tc.wantCode {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.wantCode, rec.Body)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Fatalf("Cache-Control %q, want no-store", got)
			}
			if tc.wantType != "" && rec.Header().Get("Content-Type") != tc.wantType {
				t.Fatalf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), tc.wantType)
			}
			if got := rec.Header().Get("Location"); got != tc.wantLocation {
				t.Fatalf("Location %q, want %q", got, tc.wantLocation)
			}
			for _, s := range tc.wantInBody {
				if !strings.Contains(rec.Body.String(), s) {
					t.Fatalf("body lacks %q:\n%s", s, rec.Body)
				}
			}
			if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
					t.Fatalf("HTML without a strict CSP: %q", csp)
				}
			}
			if rec.Code == 503 && rec.Header().Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			if w.wakes.Load() != tc.wantWakes {
				t.Fatalf("Wake called %d times, want %d", w.wakes.Load(), tc.wantWakes)
			}
		})
	}
}

func TestStatusEndpointIsReadOnlyAndBuildsTheLocation(t *testing.T) {
	w := &fakeWaker{status: readyStatus(t)}
	rec := httptest.NewRecorder()
	newHandler(t, w).ServeHTTP(rec, httptest.NewRequest("GET", "/_wake/status?path="+url.QueryEscape("/some/path?x=1"), nil))
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("status is not JSON: %v: %s", err, rec.Body)
	}
	if got["state"] != "ready" || got["location"] != "http://127.0.0.10:8080/some/path?x=1" {
		t.Fatalf("status %v", got)
	}
	for _, k := range []string{"state", "stage", "elapsedSeconds"} {
		if _, ok := got[k]; !ok {
			t.Fatalf("status lacks %q: %v", k, got)
		}
	}
	if w.wakes.Load() != 0 || w.retries.Load() != 0 {
		t.Fatal("the status endpoint woke the service")
	}
}

func TestStatusLocationNeverTakesAHostFromTheRequest(t *testing.T) {
	for _, p := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		w := &fakeWaker{status: readyStatus(t)}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/_wake/status?path="+url.QueryEscape(p), nil)
		req.Host = "evil.example"
		newHandler(t, w).ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String(), "evil") {
			t.Fatalf("path %q leaked into the location: %s", p, rec.Body)
		}
	}
}

func TestRetryRestartsTheWakeAndReturnsToThePage(t *testing.T) {
	w := &fakeWaker{status: wake.Status{State: wake.Waking}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/_wake/retry", strings.NewReader("path="+url.QueryEscape("/a?b=1")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	newHandler(t, w).ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/a?b=1" {
		t.Fatalf("got %d to %q, want 303 to /a?b=1", rec.Code, rec.Header().Get("Location"))
	}
	if w.retries.Load() != 1 {
		t.Fatal("retry did not restart the wake")
	}
}

func TestRetryCannotRedirectOffSite(t *testing.T) {
	w := &fakeWaker{status: wake.Status{State: wake.Waking}}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/_wake/retry", strings.NewReader("path="+url.QueryEscape("//evil.example/")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	newHandler(t, w).ServeHTTP(rec, req)
	if loc := rec.Header().Get("Location"); loc != "/" {
		t.Fatalf("Location %q, want /", loc)
	}
}

func TestRoutingByHostAndPathPrefix(t *testing.T) {
	services := []config.Service{
		{Name: "shop", Cluster: "c", Host: "shop.example.com", Port: 80, Scheme: "http"},
		{Name: "docs", Cluster: "c", PathPrefix: "/docs", Port: 80, Scheme: "http"},
	}
	tests := []struct {
		host, path string
		wantCode   int
	}{
		{"shop.example.com", "/", 503},
		{"other.example.com", "/docs/intro", 503},
		{"other.example.com", "/", 404},
	}
	for _, tc := range tests {
		w := &fakeWaker{status: wake.Status{State: wake.Waking}}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", tc.path, nil)
		req.Host = tc.host
		newHandler(t, w, services...).ServeHTTP(rec, req)
		if rec.Code != tc.wantCode {
			t.Fatalf("%s%s: %d, want %d", tc.host, tc.path, rec.Code, tc.wantCode)
		}
	}
}

func TestBotsAndMonitorsNeverWakeAService(t *testing.T) {
	bots := regexp.MustCompile(config.DefaultBots)
	waking := wake.Status{Service: "web", State: wake.Asleep}
	tests := []struct {
		name, method, ua string
		headWakes        bool
		wantWake         bool
	}{
		{"a browser wakes it", "GET", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", true, true},
		{"an API client wakes it", "GET", "okhttp/4.12.0", true, true},
		{"Googlebot does not", "GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true, false},
		{"a link preview does not", "GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true, false},
		{"an uptime monitor does not", "GET", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", true, false},
		{"HEAD wakes it by default", "HEAD", "Mozilla/5.0", true, true},
		{"HEAD does not when so configured", "HEAD", "Mozilla/5.0", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &fakeWaker{status: waking}
			page, _ := waitpage.New(waitpage.Options{})
			h := New(w, route.New([]config.Service{{Name: "web", Cluster: "c"}}), page, Options{Bots: bots, HeadWakes: tc.headWakes}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(tc.method, "/", nil)
			req.Header.Set("User-Agent", tc.ua)
			req.Header.Set("Accept", "text/html")
			h.ServeHTTP(rec, req)
			if woke := w.wakes.Load() == 1; woke != tc.wantWake {
				t.Fatalf("woke %v, want %v", woke, tc.wantWake)
			}
			if !tc.wantWake && (rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || (tc.method == "GET" && !strings.Contains(rec.Body.String(), `"state":"asleep"`))) {
				t.Fatalf("non-waking answer %d %q", rec.Code, rec.Body)
			}
		})
	}
}

func TestBotsAreStillSentOnWhenTheAppIsUp(t *testing.T) {
	w := &fakeWaker{status: readyStatus(t)}
	page, _ := waitpage.New(waitpage.Options{})
	h := New(w, route.New([]config.Service{{Name: "web", Cluster: "c"}}), page, Options{Bots: regexp.MustCompile(config.DefaultBots)}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/a?b=1", nil)
	req.Header.Set("User-Agent", "Googlebot/2.1")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != "http://127.0.0.10:8080/a?b=1" || w.wakes.Load() != 0 {
		t.Fatalf("got %d to %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestTheServerPacesThePolling(t *testing.T) {
	paced := wake.Status{Service: "web", State: wake.Waking, Stage: wake.StageStartingApp, Description: "The app is starting up…",
		Next: &wake.Next{AfterMs: 700, Token: "signed.token"}}
	t.Run("the status says what to ask next, with the path and the token", func(t *testing.T) {
		w := &fakeWaker{status: paced}
		rec := httptest.NewRecorder()
		newHandler(t, w).ServeHTTP(rec, httptest.NewRequest("GET", "/_wake/status?path=%2Fa%3Fb%3D1&t=earlier.token", nil))
		var got struct {
			Next struct {
				URL     string `json:"url"`
				AfterMs int    `json:"afterMs"`
			} `json:"next"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Next.URL != "/_wake/status?path=%2Fa%3Fb%3D1&t=signed.token" || got.Next.AfterMs != 700 {
			t.Fatalf("next %+v", got.Next)
		}
		if tok, _ := w.token.Load().(string); tok != "earlier.token" {
			t.Fatalf("the poll's token %q did not reach the controller", tok)
		}
		if strings.Contains(rec.Body.String(), `"token"`) {
			t.Fatal("the token is in the body outside the URL")
		}
	})
	t.Run("the wait page polls first where and when the server says", func(t *testing.T) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/a?b=1", nil)
		req.Header.Set("Accept", "text/html")
		newHandler(t, &fakeWaker{status: paced}).ServeHTTP(rec, req)
		body := rec.Body.String()
		if !strings.Contains(body, `data-status="/_wake/status?path=%2Fa%3Fb%3D1&amp;t=signed.token"`) || !strings.Contains(body, `data-after="700"`) {
			t.Fatalf("page does not carry the next poll:\n%s", body)
		}
		if !strings.Contains(body, `<link rel="icon" href="data:`) {
			t.Fatal("the page lets the browser ask for /favicon.ico (an invocation each time)")
		}
	})
	t.Run("API clients are told to come back when the server says", func(t *testing.T) {
		slow := paced
		slow.Next = &wake.Next{AfterMs: 4200}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api", nil)
		newHandler(t, &fakeWaker{status: slow}).ServeHTTP(rec, req)
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "5" {
			t.Fatalf("%d Retry-After %q, want 503 and 5", rec.Code, rec.Header().Get("Retry-After"))
		}
	})
}
