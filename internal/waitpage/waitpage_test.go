package waitpage

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

func render(t *testing.T, d Data) string {
	t.Helper()
	p, err := New()
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
	for _, want := range []string{`<html lang="en">`, "<title>Starting shop…</title>", `aria-live="polite"`, `name="viewport"`, "prefers-reduced-motion", "prefers-color-scheme", `<noscript><meta http-equiv="refresh" content="2"></noscript>`} {
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
	p, err := New()
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
