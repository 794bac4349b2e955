package savings

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromium is Debian's browser, installed by .ci/run, as the wait page's browser tests use it.
const chromium = "/usr/bin/chromium"

// pageWidth is the window the page is drawn in.
const pageWidth, pageHeight = 800, 600

// TestTheHTMLReportRendersInChromium opens the page in headless Chromium
// with JavaScript off: each service's SVG draws a bar per day, and a
// screenshot shows the awake and asleep colours. REPORT_SCREENSHOT=FILE
// keeps the whole page's screenshot there (make report-screenshot: the
// README's picture).
func TestTheHTMLReportRendersInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("headless Chromium: not with -short (make unit)")
	}
	if _, err := exec.LookPath(chromium); err != nil {
		t.Fatalf("%s is not installed (apt-get install chromium; .ci/run does it)", chromium)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "savings.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	nodes := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return len(n)
	}
	rows, bars, unknown := nodes("section.service svg.days"), nodes("svg.days g.day"), nodes("svg.days g.day.unknown")
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	// Three services, 30 days each; the two with a week of history (one day lost) show 24 unknown days each.
	if rows != 3 || bars != 3*LastDays || unknown != 2*24 {
		t.Errorf("%d rows, %d bars, %d unknown; want 3, %d, 48", rows, bars, unknown, 3*LastDays)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is no PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w != pageWidth || img.Bounds().Dy() < pageHeight/2 {
		t.Errorf("screenshot %v, want %d wide", img.Bounds(), pageWidth)
	}
	awake, asleep := count(img, color.RGBA{0xb4, 0x53, 0x09, 0xff}), count(img, color.RGBA{0x15, 0x80, 0x3d, 0xff})
	if awake < 100 || asleep < 1000 {
		t.Errorf("%d awake and %d asleep pixels: the bars did not render", awake, asleep)
	}
	// The same page with databases: a section each, with its bars.
	withDatabases := filepath.Join(dir, "databases.html")
	b.Reset()
	if err := WriteHTML(&b, sampleReportWithDatabases()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(withDatabases, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+withDatabases)); err != nil {
		t.Fatal(err)
	}
	if dbs, bars := nodes("section.database svg.days"), nodes("section.database svg.days g.day"); dbs != 2 || bars != 2*LastDays {
		t.Errorf("%d database sections, %d bars; want 2 and %d", dbs, bars, 2*LastDays)
	}
	out := filepath.Join(dir, "savings.png")
	if keep := os.Getenv("REPORT_SCREENSHOT"); keep != "" {
		out = keep
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)
}

// count is how many pixels of img are c.
func count(img image.Image, c color.RGBA) int {
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(b>>8) == c.B {
				n++
			}
		}
	}
	return n
}

// browser starts headless Chromium for one test, with the wait page tests'
// options; it is stopped when the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(pageWidth, pageHeight),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-proxy-server", true),
		// The light theme, whatever the machine's.
		chromedp.Flag("force-prefers-color-scheme", "light"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// No script needed: the page must draw with JavaScript off.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	return ctx
}
