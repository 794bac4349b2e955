package wakehttp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// writeWaiting answers a client that is not a browser: 503, the status, and
// Retry-After from the server's pacing.
func writeWaiting(w http.ResponseWriter, r *http.Request, st wake.Status) {
	after := retryAfterSeconds
	if st.Next != nil {
		after = strconv.Itoa(max(1, (st.Next.AfterMs+999)/1000))
	}
	w.Header().Set("Retry-After", after)
	writeJSON(w, r, http.StatusServiceUnavailable, st)
}

// withNext fills in the status URL the client asks next: the visitor's path,
// and the token when there is one.
func withNext(st wake.Status, pathAndQuery string) wake.Status {
	if st.Next == nil {
		return st
	}
	next := *st.Next
	next.URL = StatusPath + "?path=" + url.QueryEscape(pathAndQuery)
	if next.Token != "" {
		next.URL += "&" + TokenParam + "=" + url.QueryEscape(next.Token)
	}
	st.Next = &next
	return st
}

// redirect answers with a bare redirect: no body, so no HTML without its CSP.
func redirect(w http.ResponseWriter, location string, code int) {
	w.Header().Set("Location", location)
	w.WriteHeader(code)
}

// wantsHTML reports a browser, which gets the wait page rather than JSON.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "text/html")
}

// orSlash is the path a form or query names, "/" when it names none.
func orSlash(s string) string {
	if s == "" {
		return "/"
	}
	return s
}

// writeJSON answers with v as JSON (no body for HEAD).
func writeJSON(w http.ResponseWriter, r *http.Request, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		body = []byte(`{"error":"internal"}`)
		code = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(body, '\n'))
	}
}
