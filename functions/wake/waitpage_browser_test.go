package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// recordingProxy stands between the browser and Wake as a slow network would:
// it keeps the path of every request the browser makes, as API Gateway would
// see them, and delivers each page in pieces, so the browser paints a page
// of which only a part has arrived (as it does on a slow or lossy
// connection) before the rest comes.
func recordingProxy(t *testing.T, base string) (string, func() []string) {
	t.Helper()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var paths []string
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			mu.Lock()
			paths = append(paths, r.In.URL.Path)
			mu.Unlock()
			r.SetURL(target)
		},
		ModifyResponse: func(r *http.Response) error {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				r.Body = &trickle{ReadCloser: r.Body}
			}
			return nil
		},
		FlushInterval: -1, // each piece goes to the browser as it is read
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(paths)
	}
}

// trickle reads a body in pieces of at most trickleBytes with trickleGap
// between them: the network's pace, not a wait for anything.
type trickle struct {
	io.ReadCloser
	started bool
}

const (
	trickleBytes = 512
	trickleGap   = 150 * time.Millisecond
)

func (tr *trickle) Read(p []byte) (int, error) {
	if tr.started {
		time.Sleep(trickleGap)
	}
	tr.started = true
	return tr.ReadCloser.Read(p[:min(len(p), trickleBytes)])
}

// layoutWatch runs in the page before its own script: it notes the timing
// line and where the status line is before the elapsed time first shows and
// right after, and the layout shifts Chromium itself counts (the Layout
// Instability API, which Lighthouse reads), with what moved.
const layoutWatch = `
window.__watch = {shift: 0, moved: [], before: null, after: null};
new PerformanceObserver(function (l) {
  l.getEntries().forEach(function (e) {
    window.__watch.shift += e.value;
    e.sources.forEach(function (s) { window.__watch.moved.push(s.node ? s.node.nodeName + " " + (s.node.id || s.node.textContent.slice(0, 40)) : "?"); });
  });
}).observe({type: "layout-shift", buffered: true});
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("el"), eta = document.getElementById("eta"), msg = document.getElementById("msg");
  function seen() { return {el: el.textContent, eta: eta.textContent, top: msg.getBoundingClientRect().top}; }
  window.__watch.before = seen();
  new MutationObserver(function () { if (!window.__watch.after && el.textContent) window.__watch.after = seen(); })
    .observe(el, {childList: true, characterData: true, subtree: true});
});`

type watched struct {
	Shift  float64  `json:"shift"`
	Moved  []string `json:"moved"`
	Before *line    `json:"before"`
	After  *line    `json:"after"`
}

type line struct {
	El  string  `json:"el"`
	Eta string  `json:"eta"`
	Top float64 `json:"top"`
}

// TestTheWaitPageStaysStillAndAsksForNothingButItsStatus opens the wait page of
// a sleeping service in Chromium, on its first wake and once earlier wakes
// give an estimate, in both built-in themes: the estimate shows without a
// stray separator, nothing moves while the page arrives in pieces over a slow
// network or when the elapsed time appears, the visitor is told which address to
// bookmark, and the browser asks Wake for nothing but the page and its status
// (no /favicon.ico: each request is an invocation).
func TestTheWaitPageStaysStillAndAsksForNothingButItsStatus(t *testing.T) {
	tests := []struct {
		name                string
		wakeSeconds         string // the earlier wakes' tag; "" for none
		etaBefore, etaAfter string // what the estimate starts with, before and once the clock runs
		theme               string
	}{
		{"on the first wake the line is empty until the clock starts", "", "", "", "default"},
		{"with earlier wakes the estimate shows, separated only once there is an elapsed time", "40", "about ", " · about ", "default"},
		{"the plain theme stays still too", "40", "about ", " · about ", "plain"},
	}
	w := testworld.Start(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			service := "still-" + strconv.Itoa(i)
			w.CreateService(t, service, 0)
			if tc.wakeSeconds != "" {
				w.Tag(t, service, ecsservice.TagWakeSeconds, tc.wakeSeconds)
			}
			base, requests := recordingProxy(t, startWake(t, w, service, "WAIT_PAGE_THEME="+tc.theme))
			ctx := browser(t, true)
			got := watchTheTimingLine(t, ctx, base+"/p", requests)
			if got.Before.El != "" || !strings.HasPrefix(got.Before.Eta, tc.etaBefore) || (tc.etaBefore == "") != (got.Before.Eta == "") {
				t.Fatalf("before the clock started the line read %+v, want %q…", *got.Before, tc.etaBefore)
			}
			if !strings.HasSuffix(got.After.El, " s elapsed") || !strings.HasPrefix(got.After.Eta, tc.etaAfter) || (tc.etaAfter == "") != (got.After.Eta == "") {
				t.Fatalf("once the clock started the line read %+v, want the elapsed time, then %q…", *got.After, tc.etaAfter)
			}
			if got.After.Top != got.Before.Top {
				t.Fatalf("the status line moved from %.1f to %.1f px when the elapsed time appeared", got.Before.Top, got.After.Top)
			}
			if got.Shift != 0 {
				t.Fatalf("the page moved while it loaded or ran: layout shift %.3f, of %v", got.Shift, got.Moved)
			}
			if hint := text(t, ctx, ".hint"); !strings.Contains(hint, "Bookmark this address") {
				t.Fatalf("the page does not say which address to bookmark: %q", hint)
			}
			for _, p := range requests() {
				if p != "/p" && p != "/_wake/status" {
					t.Fatalf("the browser asked Wake for %s (all it asked: %v)", p, requests())
				}
			}
		})
	}
}

// watchTheTimingLine opens page with layoutWatch in it and returns what it saw
// once the elapsed time has shown and the page has polled its status.
func watchTheTimingLine(t *testing.T, ctx context.Context, page string, requests func() []string) watched {
	t.Helper()
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: layoutWatch}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	var got watched
	testworld.Eventually(t, 5*time.Second, "the elapsed time shows and the page polls", func() bool {
		got, _ = chromedp.Run(ctx, chromedp.Evaluate[watched](`window.__watch`))
		return got.Before != nil && got.After != nil && slices.Contains(requests(), "/_wake/status")
	})
	return got
}

// TestAFailedWakeSaysWhenItFailedAndTheRetryKeepsTheFragment lets a wake fail
// under a visitor in another time zone: the page says when it failed, in the
// visitor's time, and after how long, instead of a clock that counts on; the
// same on a reload; and "Try again" brings them back to the #fragment they
// opened.
func TestAFailedWakeSaysWhenItFailedAndTheRetryKeepsTheFragment(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "fails", 0)
	w.Awake(t, "fails", 1, 90*time.Second)
	base := startWake(t, w, "fails")
	ctx := browser(t, true)
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Kolkata"}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en_GB"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/docs#section")); err != nil {
		t.Fatal(err)
	}
	task := w.RunTask(t, "fails")
	w.FailTask(t, task, "Essential container in task exited", testworld.Stop{})
	var st failedStatus
	testworld.Eventually(t, 10*time.Second, "the wake fails", func() bool {
		st = getFailedStatus(t, base, "/docs")
		return st.State == "failed"
	})
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	want := "Failed at " + st.FailedAt.In(kolkata).Format("15:04") + " after " + strconv.Itoa(st.ElapsedSeconds) + " s"
	testworld.Eventually(t, 10*time.Second, "the page says when the wake failed", func() bool { return text(t, ctx, "#el") == want })
	screenshot(t, ctx, "failed-at.png")
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#el"); got != want {
		t.Fatalf("reloaded, the page says %q, want %q", got, want)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#retry button"))); err != nil {
		t.Fatal(err)
	}
	testworld.Eventually(t, 5*time.Second, "the retry brings the visitor back to the fragment", func() bool {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("w").getAttribute("data-state")`))
		return state == "waking" && location(ctx) == base+"/docs#section"
	})
}

type failedStatus struct {
	State          string    `json:"state"`
	ElapsedSeconds int       `json:"elapsedSeconds"`
	FailedAt       time.Time `json:"failedAt"`
}

func getFailedStatus(t *testing.T, base, path string) failedStatus {
	t.Helper()
	resp, err := client.Get(base + "/_wake/status?path=" + url.QueryEscape(path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st failedStatus
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestTheStatusLineStaysPutWhateverTheStageSays shows every message the
// page's script can put in the status paragraph, in both built-in themes, on a
// small phone, a phone and a laptop: the line under it must not move (a stage
// whose words take two lines where the last took one would push it, a layout
// shift at every wake on a phone).
func TestTheStatusLineStaysPutWhateverTheStageSays(t *testing.T) {
	w := testworld.Start(t)
	ctx := browser(t, true)
	for _, theme := range []string{"default", "plain"} {
		service := "words-" + theme
		w.CreateService(t, service, 0)
		base := startWake(t, w, service, "WAIT_PAGE_THEME="+theme)
		words := pageWords(t, base+"/")
		for _, width := range []int64{320, 390, 1280} {
			t.Run(fmt.Sprintf("%s theme, %d px wide", theme, width), func(t *testing.T) {
				if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 720, DeviceScaleFactor: 1, Mobile: width < 600}); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
					t.Fatal(err)
				}
				// One synchronous run: the page's own script cannot change the line meanwhile.
				tops, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function (words) {
  var msg = document.getElementById("msg"), el = document.getElementById("el");
  return words.map(function (w) { msg.textContent = w; return el.getBoundingClientRect().top; });
})(`+mustJSON(t, words)+`)`))
				if err != nil {
					t.Fatal(err)
				}
				for i, top := range tops {
					if top != tops[0] {
						t.Fatalf("with %q the status line is at %.1f px, with %q at %.1f px", words[i], top, words[0], tops[0])
					}
				}
			})
		}
	}
}

// pageWords are the messages of the page's script (its WORDS), read from the
// page as served.
func pageWords(t *testing.T, page string) []string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, page, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html") // a browser's page, not the status
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`var WORDS = (\{[^}]*\});`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("the page's script has no WORDS:\n%s", body)
	}
	var byStage map[string]string
	if err := json.Unmarshal(m[1], &byStage); err != nil {
		t.Fatalf("the page's WORDS: %v", err)
	}
	words := slices.Sorted(maps.Values(byStage))
	if len(words) < 10 {
		t.Fatalf("the page's WORDS has %d messages: %v", len(words), words)
	}
	return words
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
