package savings

import (
	"bytes"
	"strings"
	"testing"
)

func TestEveryValueInThePageIsEscaped(t *testing.T) {
	r := sampleReport(`<script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`, "a&b")
	r.Services[2].Notes = append(r.Services[2].Notes, "<b>not bold</b>")
	r.Region = "<i>region</i>"
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, raw := range []string{"<script", "<img", "<b>", "<i>", "a&b"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page carries %q unescaped", raw)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x", "a&amp;b", "&lt;b&gt;not bold&lt;/b&gt;", "&lt;i&gt;region&lt;/i&gt;"} {
		if !strings.Contains(page, escaped) {
			t.Errorf("the page does not show %q", escaped)
		}
	}
}

func TestThePageIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	// Nothing fetched, nothing run: no source, link, import or script.
	for _, outside := range []string{"src=", "href=", "url(", "@import", "<script", "<link"} {
		if strings.Contains(page, outside) {
			t.Errorf("the page has %q", outside)
		}
	}
	if n := strings.Count(page, `<g class="day`); n != 3*LastDays {
		t.Errorf("%d bars, want one per day per service: %d", n, 3*LastDays)
	}
	if !strings.Contains(page, "<title>Savings report, us-east-1, 2026-12-05</title>") {
		t.Error("no title")
	}
}

func TestADatabasesSectionIsEscapedAndDrawsItsDays(t *testing.T) {
	r := sampleReportWithDatabases()
	r.Databases[0].ID = `<svg onload=alert(3)>`
	r.Databases[1].Notes = append(r.Databases[1].Notes, "<u>note</u>")
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, raw := range []string{"<svg onload", "<u>"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page carries %q unescaped", raw)
		}
	}
	for _, want := range []string{"&lt;svg onload=alert(3)&gt;", "&lt;u&gt;note&lt;/u&gt;", `<section class="database">`,
		"db.t4g.micro · postgres · for prod/shop · $0.0160 an hour", "aurora-postgresql · for prod/reports-generator-nightly-batch, dev/arm-on-spot · price unknown",
		"3 services, 2 databases", "A stopped database still bills its storage and backups"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if n := strings.Count(page, `<g class="day`); n != 5*LastDays {
		t.Errorf("%d bars, want one per day per service and database: %d", n, 5*LastDays)
	}
}
