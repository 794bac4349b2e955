package wakehttp

import (
	"net/http"
	"net/url"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// writePage answers a browser with the wait page, under headers that let it
// run only its own inline style and script.
func (h *Handler) writePage(w http.ResponseWriter, r *http.Request, svc config.Service, st wake.Status, pathAndQuery string) {
	body, err := h.page.Render(waitpage.Data{
		Service:          svc.Name,
		State:            st.State,
		Stage:            st.Stage,
		Description:      waitpage.Words(st.State, st.Stage),
		Message:          st.Message,
		ElapsedSeconds:   st.ElapsedSeconds,
		FailedAt:         st.FailedAt,
		EstimatedSeconds: estimated(st),
		RetryURL:         RetryPath,
		Path:             pathAndQuery,
		StatusURL:        statusURL(st, pathAndQuery),
		AfterMs:          afterMs(st),
		// A visitor sent to a task's own address has nothing to go back to once
		// the service sleeps; a fixed URL (a load balancer's) stays.
		LandsOnTask: svc.Address != config.AddressURL,
	})
	if err != nil {
		// Never half a page: fall back to the plain JSON answer.
		logging.For(h.log, svc.Cluster, svc.Name).Error("wait page failed to render", "error", err)
		w.Header().Set("Retry-After", retryAfterSeconds)
		writeJSON(w, r, http.StatusServiceUnavailable, st)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", h.page.CSP())
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// statusURL is the page's first status request.
func statusURL(st wake.Status, pathAndQuery string) string {
	if st.Next != nil {
		return st.Next.URL
	}
	return StatusPath + "?path=" + url.QueryEscape(pathAndQuery)
}

// afterMs is when the page asks first; 0 for a final state.
func afterMs(st wake.Status) int {
	if st.Next != nil {
		return st.Next.AfterMs
	}
	return 0
}

// estimated is the time likely left, 0 when none is known.
func estimated(st wake.Status) int {
	if st.EstimatedSeconds == nil {
		return 0
	}
	return *st.EstimatedSeconds
}
