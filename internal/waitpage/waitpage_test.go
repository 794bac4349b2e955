package waitpage

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func render(t *testing.T, d Data) string {
	t.Helper()
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestThePageIsAccessibleAndSelfContained(t *testing.T) {
	html := render(t, Data{Service: "shop", State: "waking", Stage: "pending", Description: "Pulling the image…", Path: "/a?b=1", StatusURL: "/_wake/status?path=%2Fa%3Fb%3D1"})
	for _, want := range []string{`<html lang="en">`, "<title>Starting shop…</title>", `aria-live="polite"`, `name="viewport"`, "prefers-reduced-motion", "prefers-color-scheme", `<noscript><meta http-equiv="refresh" content="2;url=/a?b=1"></noscript>`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if regexp.MustCompile(`(src|href)=["']?(https?:)?//`).MatchString(html) {
		t.Error("page loads something from another host")
	}
	if len(html) > 15*1024 {
		t.Errorf("page is %d bytes, want under 15 KB", len(html))
	}
}

func TestTheCSPAllowsExactlyTheInlineCode(t *testing.T) {
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.Render(Data{Service: "x", State: "waking"})
	html := string(b)
	for _, tag := range []string{"script", "style"} {
		m := regexp.MustCompile(`(?s)<` + tag + `>(.*?)</` + tag + `>`).FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("no inline %s", tag)
		}
		sum := sha256.Sum256([]byte(m[1]))
		want := tag + "-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(p.CSP(), want) {
			t.Fatalf("CSP %q lacks %q", p.CSP(), want)
		}
	}
	if !strings.HasPrefix(p.CSP(), "default-src 'none'") || strings.Contains(p.CSP(), "unsafe-inline") {
		t.Fatalf("CSP not strict: %q", p.CSP())
	}
}

func TestNamesAreEscaped(t *testing.T) {
	html := render(t, Data{Service: `<script>alert(1)</script>`, State: "waking", Path: `/"><script>`})
	if strings.Contains(html, "<script>alert(1)") || strings.Contains(html, `"><script>`) {
		t.Fatal("service name or path not escaped")
	}
}

func TestAFailedWakeShowsTheReasonAndTheRetryAndDoesNotRefresh(t *testing.T) {
	html := render(t, Data{Service: "shop", State: "failed", Message: "The app stopped while starting.", Path: "/"})
	if !strings.Contains(html, "The app stopped while starting.") || !strings.Contains(html, "<title>shop could not start</title>") {
		t.Fatal("failure not shown")
	}
	if strings.Contains(html, `http-equiv="refresh"`) {
		t.Fatal("a failed page refreshes itself: it would loop")
	}
	if !regexp.MustCompile(`<form id="retry" method="post" action="/_wake/retry">`).MatchString(html) {
		t.Fatal("retry form hidden or missing")
	}
	waking := render(t, Data{Service: "shop", State: "waking"})
	if !strings.Contains(waking, `action="/_wake/retry" hidden>`) {
		t.Fatal("retry form shown while waking")
	}
}

func TestBuiltInLooksAndCustomTemplates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.html", `<!doctype html><html lang="en"><head><title>{{.Service}}</title><style>{{.Style}}</style></head><body><h1>Brand: {{.Description}}</h1><script>{{.Script}}</script></body></html>`)
	tests := []struct {
		name    string
		opts    Options
		wantErr string
		want    string
	}{
		{"default look", Options{}, "", "--acc:#0b57d0"},
		{"plain look", Options{Theme: "plain"}, "", "Georgia"},
		{"unknown look", Options{Theme: "neon"}, "use one of default, plain", ""},
		{"custom template", Options{TemplatePath: good}, "", "Brand: "},
		{"missing file", Options{TemplatePath: filepath.Join(dir, "nope.html")}, "no such file", ""},
		{"syntax error", Options{TemplatePath: write("broken.html", `<p>{{.Service</p>`)}, "wait page template", ""},
		{"unknown field", Options{TemplatePath: write("field.html", `<p>{{.Servce}}</p><script>{{.Script}}</script>`)}, "does not render", ""},
		{"no script: visitors would never leave", Options{TemplatePath: write("noscript.html", `<p>{{.Service}}</p>`)}, "must include {{.Script}}", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.Render(Data{Service: "shop", State: "waking", Description: "Starting…"})
			if err != nil || !strings.Contains(string(b), tc.want) {
				t.Fatalf("rendered %s (%v), want %q in it", b, err, tc.want)
			}
		})
	}
}

func TestTheEstimateIsShownWhenKnown(t *testing.T) {
	if html := render(t, Data{Service: "s", State: "waking", EstimatedSeconds: 25}); !strings.Contains(html, "about 25 s left") {
		t.Fatal("estimate not shown")
	}
	if html := render(t, Data{Service: "s", State: "waking"}); regexp.MustCompile(`about \d+ s left`).MatchString(html) {
		t.Fatal("an estimate shown without earlier wakes")
	}
}

func TestTheTimingLineSeparatesOnlyWhatIsThere(t *testing.T) {
	tests := []struct {
		name             string
		elapsed, left    int
		wantEl, wantLeft string
	}{
		{"nothing known yet", 0, 0, "", ""},
		{"only the estimate: no leading separator", 0, 6, "", "about 6 s left"},
		{"only the elapsed time", 4, 0, "4 s elapsed", ""},
		{"both, separated", 4, 6, "4 s elapsed", " · about 6 s left"},
	}
	line := regexp.MustCompile(`<p class="sub time"><span id="el">(.*?)</span><span id="eta">(.*?)</span></p>`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := line.FindStringSubmatch(render(t, Data{Service: "s", State: "waking", ElapsedSeconds: tc.elapsed, EstimatedSeconds: tc.left}))
			if m == nil {
				t.Fatal("no timing line")
			}
			if m[1] != tc.wantEl || m[2] != tc.wantLeft {
				t.Fatalf("timing line %q %q, want %q %q", m[1], m[2], tc.wantEl, tc.wantLeft)
			}
		})
	}
}

func TestTheTimingLineKeepsItsPlaceWhileEmpty(t *testing.T) {
	for _, theme := range Themes {
		css, err := assets.ReadFile("assets/themes/" + theme + ".css")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`\.time\{min-height:1\.\d+em\}`).Match(css) {
			t.Errorf("theme %s: the timing line has no height of its own while empty: the page jumps when the clock starts", theme)
		}
	}
}

func TestAFailedWakeSaysWhenItFailedInsteadOfCounting(t *testing.T) {
	at := time.Date(2026, 1, 2, 14, 2, 3, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		data Data
		want string
	}{
		{"when and how long", Data{State: "failed", FailedAt: at, ElapsedSeconds: 612},
			`<span id="el">Failed at <time datetime="2026-01-02T13:02:03Z">13:02 UTC</time> after 612 s</span><span id="eta"></span>`},
		{"when only", Data{State: "failed", FailedAt: at},
			`<span id="el">Failed at <time datetime="2026-01-02T13:02:03Z">13:02 UTC</time></span>`},
		{"not known: nothing rather than a clock", Data{State: "failed", ElapsedSeconds: 939, EstimatedSeconds: 5},
			`<span id="el"></span><span id="eta"></span>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.data.Service = "shop"
			html := render(t, tc.data)
			if !strings.Contains(html, tc.want) {
				t.Fatalf("page lacks %s", tc.want)
			}
			if body, _, _ := strings.Cut(html, "<script>"); strings.Contains(body, "s elapsed") || strings.Contains(body, "s left") {
				t.Fatal("a failed wake still counts")
			}
		})
	}
}

func TestTheBookmarkHintOnlyWhereTheVisitorLandsOnATask(t *testing.T) {
	const hint = "Bookmark this address, not the one you land on"
	for _, landsOnTask := range []bool{true, false} {
		for _, state := range []string{"waking", "failed"} {
			if got := strings.Contains(render(t, Data{Service: "s", State: state, LandsOnTask: landsOnTask}), hint); got != landsOnTask {
				t.Errorf("%s, lands on a task %v: hint shown %v", state, landsOnTask, got)
			}
		}
	}
}

func TestTheRefreshWithoutJavaScriptNamesThePath(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", `content="2;url=/"`},
		{"/docs/a?b=1&c=d+e", `content="2;url=/docs/a?b=1&amp;c=d&#43;e"`},
		{`/"><script>`, `content="2;url=/&#34;&gt;&lt;script&gt;"`},
	}
	for _, tc := range tests {
		if html := render(t, Data{Service: "s", State: "waking", Path: tc.path}); !strings.Contains(html, tc.want) {
			t.Errorf("path %q: page lacks %s", tc.path, tc.want)
		}
	}
}
