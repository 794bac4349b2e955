// Package waitpage renders the page a visitor sees while a service wakes:
// no external asset, inline code allowed by hash in a strict CSP, and a meta
// refresh for browsers without JavaScript. Operators pick a built-in look or
// bring their own template; every template is parsed and tried at start-up.
package waitpage

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"os"
	"slices"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// RefreshSeconds is how often the page reloads itself without JavaScript.
const RefreshSeconds = 2

// Themes are the built-in looks.
var Themes = []string{"default", "plain"}

// Data is what a template sees. Custom templates use the same fields.
type Data struct {
	Service          string    // the service's name
	State            string    // waking or failed (asleep and ready never show the page)
	Stage            string    // no-task, provisioning, pending, activating, starting-app, checking
	Description      string    // the state and stage in words
	Message          string    // why a wake failed, in plain words
	ElapsedSeconds   int       // since the wake began; for a failed wake, until it failed
	FailedAt         time.Time // when a failed wake failed; zero when unknown
	EstimatedSeconds int       // likely left, from earlier wakes; 0 when unknown
	Path             string    // the visitor's path and query, for the retry form
	StatusURL        string    // what the script polls first
	AfterMs          int       // when it polls first, in milliseconds (0: a second)
	RetryURL         string    // where the retry form posts
	RefreshSeconds   int       // the no-JavaScript reload interval
	// LandsOnTask: the visitor is sent to the task's own address (public and
	// private address modes), which stops answering when the service sleeps.
	LandsOnTask bool
	Style       template.CSS
	Script      template.JS
}

// Options choose the look.
type Options struct {
	// Theme is a built-in look: default or plain.
	Theme string
	// TemplatePath is an operator's own html/template file; it must include
	// {{.Script}} in a <script> element and may use {{.Style}}.
	TemplatePath string
}

// Page is a parsed wait page with its Content-Security-Policy.
type Page struct {
	tmpl   *template.Template
	style  template.CSS
	script template.JS
	csp    string
}

// New parses the page and renders it once with sample data; any error here
// stops start-up, so a broken template never reaches a visitor.
func New(opts Options) (*Page, error) {
	theme := opts.Theme
	if theme == "" {
		theme = "default"
	}
	if !slices.Contains(Themes, theme) {
		return nil, fmt.Errorf("wait page theme %q: use one of %s", theme, strings.Join(Themes, ", "))
	}
	css, err := assets.ReadFile("assets/themes/" + theme + ".css")
	if err != nil {
		return nil, fmt.Errorf("read wait page style: %w", err)
	}
	js, err := assets.ReadFile("assets/wait.js")
	if err != nil {
		return nil, fmt.Errorf("read wait page script: %w", err)
	}
	src, err := assets.ReadFile("assets/wait.html.tmpl")
	name := "built-in wait page"
	if opts.TemplatePath != "" {
		name = opts.TemplatePath
		src, err = os.ReadFile(opts.TemplatePath)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	tmpl, err := template.New("wait").Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("wait page template %s: %w", name, err)
	}
	p := &Page{
		tmpl:   tmpl,
		style:  template.CSS(css),
		script: template.JS(js),
		csp: "default-src 'none'; script-src " + hash(js) + "; style-src " + hash(css) +
			"; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	}
	for _, state := range []string{"waking", "failed"} {
		out, err := p.Render(Data{Service: "example", State: state, Stage: "pending", Description: "Starting…", Message: "Example failure.", ElapsedSeconds: 3, FailedAt: time.Date(2026, 1, 2, 14, 2, 0, 0, time.UTC), EstimatedSeconds: 20, Path: "/", StatusURL: "/_wake/status?path=%2F", AfterMs: 2000, LandsOnTask: true})
		if err != nil {
			return nil, fmt.Errorf("wait page template %s does not render: %w", name, err)
		}
		if state == "waking" && !bytes.Contains(out, js) {
			return nil, fmt.Errorf("wait page template %s: it must include {{.Script}} inside a <script> element, or visitors never leave the page", name)
		}
	}
	return p, nil
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// CSP is the Content-Security-Policy the page needs: only its own inline code.
func (p *Page) CSP() string { return p.csp }

// Render writes the whole page into memory first, so a failure never sends half a page.
func (p *Page) Render(d Data) ([]byte, error) {
	d.Style, d.Script = p.style, p.script
	if d.RefreshSeconds == 0 {
		d.RefreshSeconds = RefreshSeconds
	}
	if d.Path == "" {
		d.Path = "/"
	}
	if d.RetryURL == "" {
		d.RetryURL = "/_wake/retry"
	}
	if d.AfterMs <= 0 {
		d.AfterMs = 1000
	}
	var buf bytes.Buffer
	if err := p.tmpl.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render wait page: %w", err)
	}
	return buf.Bytes(), nil
}
