// Package waitpage renders the page a visitor sees while a service wakes:
// no external asset, inline code allowed by hash in a strict CSP, and a meta
// refresh for browsers without JavaScript.
package waitpage

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
)

//go:embed assets
var assets embed.FS

// RefreshSeconds is how often the page reloads itself without JavaScript.
const RefreshSeconds = 2

// Data is what the template sees.
type Data struct {
	Service        string
	State          string // asleep, waking, ready, failed
	Stage          string
	Description    string // the state and stage in words
	Message        string // why a wake failed, in plain words
	ElapsedSeconds int
	Path           string // the visitor's path and query, for the retry
	StatusURL      string
	RefreshSeconds int
	Style          template.CSS
	Script         template.JS
}

// Page is a parsed wait page with its Content-Security-Policy.
type Page struct {
	tmpl   *template.Template
	style  template.CSS
	script template.JS
	csp    string
}

// New parses the built-in page; an error here stops start-up.
func New() (*Page, error) {
	src, err := assets.ReadFile("assets/wait.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("read wait page template: %w", err)
	}
	css, err := assets.ReadFile("assets/wait.css")
	if err != nil {
		return nil, fmt.Errorf("read wait page style: %w", err)
	}
	js, err := assets.ReadFile("assets/wait.js")
	if err != nil {
		return nil, fmt.Errorf("read wait page script: %w", err)
	}
	tmpl, err := template.New("wait").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse wait page template: %w", err)
	}
	return &Page{
		tmpl:   tmpl,
		style:  template.CSS(css),
		script: template.JS(js),
		csp: "default-src 'none'; script-src " + hash(js) + "; style-src " + hash(css) +
			"; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	}, nil
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
	var buf bytes.Buffer
	if err := p.tmpl.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render wait page: %w", err)
	}
	return buf.Bytes(), nil
}
