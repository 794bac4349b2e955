// Package wakehttp is the Wake function's HTTP face: the wait page, the
// redirect to the ready app, the status endpoint and the retry.
package wakehttp

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// Paths of the controller's own routes.
const (
	StatusPath = "/_wake/status"
	RetryPath  = "/_wake/retry"
	ownPrefix  = "/_wake/"
	// TokenParam is the status URL's query parameter with the signed token.
	TokenParam = "t"
)

// retryAfterSeconds is what non-browser clients are told to wait when the server has no pace for them.
const retryAfterSeconds = "2"

// Waker is what the handler needs from the wake controller.
type Waker interface {
	Status(ctx context.Context, svc config.Service) wake.Status
	Poll(ctx context.Context, svc config.Service, token string) wake.Status
	Wake(ctx context.Context, svc config.Service) wake.Status
	Retry(ctx context.Context, svc config.Service) wake.Status
}

// Options tune the handler.
type Options struct {
	// Hold is how long one request may wait for the app before answering with the wait page (0: at once).
	Hold time.Duration
	// Bots match user agents that never wake a service; nil: none.
	Bots *regexp.Regexp
	// HeadWakes: a HEAD request wakes a sleeping service like a GET.
	HeadWakes bool
	// Metrics counts the answers served while a service wakes; nil: none.
	Metrics *metrics.Emitter
}

// Handler serves visitors.
type Handler struct {
	waker  Waker
	router *route.Router
	page   *waitpage.Page
	opts   Options
	log    *slog.Logger
	// visitors counts the wait pages and status answers served while a service wakes.
	visitors *metrics.Tally
}

// visitorsEvery: one line per service at most this often, however busy its wake.
const visitorsEvery = 10 * time.Second

// New returns the handler.
func New(w Waker, r *route.Router, p *waitpage.Page, opts Options, log *slog.Logger) *Handler {
	return &Handler{waker: w, router: r, page: p, opts: opts, log: log,
		visitors: opts.Metrics.Tally(metrics.VisitorsWhileWaking, visitorsEvery, metrics.ServiceSet)}
}

// served counts an answer about the service: while it wakes; once the wake
// ended (ready or failed), its count is written at once.
func (h *Handler) served(r *http.Request, svc config.Service, st wake.Status) {
	switch st.State {
	case wake.Waking:
		h.visitors.Add(r.Context(), 1, metrics.Service(svc.Cluster, svc.Name))
	case wake.Ready, wake.Failed:
		h.visitors.Flush(r.Context(), metrics.Service(svc.Cluster, svc.Name))
	}
}

// ServeHTTP serves the controller's own routes; any other path is a visit.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	// Lambda may freeze the environment after this answer: write what is due now.
	defer h.opts.Metrics.FlushDue(r.Context())
	switch {
	case r.URL.Path == StatusPath:
		h.status(w, r)
	case r.URL.Path == RetryPath:
		h.retry(w, r)
	case strings.HasPrefix(r.URL.Path, ownPrefix):
		writeJSON(w, r, http.StatusNotFound, map[string]string{"error": "no such route; the controller serves " + StatusPath})
	default:
		h.visit(w, r)
	}
}

// visit wakes the service if needed, then redirects or shows the wait page.
func (h *Handler) visit(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, r, http.StatusMethodNotAllowed, map[string]string{"error": "the service is asleep or starting; only GET and HEAD wake it"})
		return
	}
	svc, ok := h.router.Match(r.Host, r.URL.Path)
	if !ok {
		writeJSON(w, r, http.StatusNotFound, map[string]string{"error": "no service is configured for this host and path"})
		return
	}
	pathAndQuery := wake.CleanPath(r.URL.RequestURI())
	if !h.wakes(r) {
		// Crawlers, link previews, monitors (and HEAD, when so configured) see the
		// state as it is: they are sent on when the app is up, never wake it.
		st := h.waker.Status(r.Context(), svc)
		h.served(r, svc, st)
		if st.State == wake.Ready {
			redirect(w, st.LocationFor(pathAndQuery), http.StatusTemporaryRedirect)
			return
		}
		writeWaiting(w, r, withNext(st, pathAndQuery))
		return
	}
	st := h.waker.Wake(r.Context(), svc)
	if st.State == wake.Waking && h.opts.Hold > 0 {
		st = h.holdForReady(r.Context(), svc, st)
	}
	h.served(r, svc, st)
	if st.State == wake.Ready {
		redirect(w, st.LocationFor(pathAndQuery), http.StatusTemporaryRedirect)
		return
	}
	logging.For(h.log, svc.Cluster, svc.Name).Debug("visitor waits", "state", st.State, "stage", st.Stage)
	st = withNext(st, pathAndQuery)
	if !wantsHTML(r) {
		writeWaiting(w, r, st)
		return
	}
	h.writePage(w, r, svc, st, pathAndQuery)
}

// wakes reports whether this request may wake a sleeping service.
func (h *Handler) wakes(r *http.Request) bool {
	if r.Method == http.MethodHead && !h.opts.HeadWakes {
		return false
	}
	return h.opts.Bots == nil || !h.opts.Bots.MatchString(r.UserAgent())
}

// holdForReady waits a little for the app, so a nearly ready one gets the visitor at once.
func (h *Handler) holdForReady(ctx context.Context, svc config.Service, st wake.Status) wake.Status {
	deadline := time.NewTimer(h.opts.Hold)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for st.State == wake.Waking {
		select {
		case <-deadline.C:
			return st
		case <-ctx.Done():
			return st
		case <-tick.C:
			st = h.waker.Status(ctx, svc)
		}
	}
	return st
}

// status reports the state as JSON; it never scales anything.
func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, r, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
		return
	}
	pathAndQuery := wake.CleanPath(orSlash(r.URL.Query().Get("path")))
	path, _, _ := strings.Cut(pathAndQuery, "?")
	svc, ok := h.router.Match(r.Host, path)
	if !ok {
		writeJSON(w, r, http.StatusNotFound, map[string]string{"error": "no service is configured for this host and path"})
		return
	}
	st := h.waker.Poll(r.Context(), svc, r.URL.Query().Get(TokenParam))
	h.served(r, svc, st)
	if st.State == wake.Ready {
		st.Location = st.LocationFor(pathAndQuery)
	}
	writeJSON(w, r, http.StatusOK, withNext(st, pathAndQuery))
}

// retry starts a failed wake again, then sends the visitor back to their page.
func (h *Handler) retry(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, r, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, r, http.StatusBadRequest, map[string]string{"error": "bad form: " + err.Error()})
		return
	}
	pathAndQuery := wake.CleanPath(orSlash(r.PostForm.Get("path")))
	path, _, _ := strings.Cut(pathAndQuery, "?")
	svc, ok := h.router.Match(r.Host, path)
	if !ok {
		writeJSON(w, r, http.StatusNotFound, map[string]string{"error": "no service is configured for this host and path"})
		return
	}
	st := h.waker.Retry(r.Context(), svc)
	logging.For(h.log, svc.Cluster, svc.Name).Info("wake retried by a visitor", "state", st.State)
	// A relative location on this host: the page itself then redirects or waits.
	redirect(w, pathAndQuery, http.StatusSeeOther)
}
