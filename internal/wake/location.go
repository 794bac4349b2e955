package wake

import (
	"net/url"
	"strings"
)

// LocationFor is where to send a visitor who asked for pathAndQuery, when ready.
func (s Status) LocationFor(pathAndQuery string) string {
	if s.target == nil {
		return ""
	}
	return Join(s.target, pathAndQuery)
}

// Join puts a visitor's path and query onto a base URL; the host comes only from base.
func Join(base *url.URL, pathAndQuery string) string {
	u := *base
	p, q, _ := strings.Cut(CleanPath(pathAndQuery), "?")
	pu, err := url.Parse(p)
	if err != nil {
		pu = &url.URL{Path: "/"}
	}
	u.Path = strings.TrimRight(base.Path, "/") + pu.Path
	u.RawPath = strings.TrimRight(base.EscapedPath(), "/") + pu.EscapedPath()
	u.RawQuery = q
	return u.String()
}

// CleanPath keeps a visitor's path and query only when it is a plain
// absolute path; anything that could name another host, or that a Location
// header cannot carry (a control character), becomes "/".
func CleanPath(pathAndQuery string) string {
	if !strings.HasPrefix(pathAndQuery, "/") || strings.HasPrefix(pathAndQuery, "//") ||
		strings.HasPrefix(pathAndQuery, "/\\") || strings.ContainsRune(pathAndQuery, '#') ||
		strings.ContainsFunc(pathAndQuery, isControl) {
		return "/"
	}
	p, q, hasQuery := strings.Cut(pathAndQuery, "?")
	if _, err := url.Parse(p); err != nil {
		return "/"
	}
	if hasQuery {
		if _, err := url.ParseQuery(q); err != nil {
			return p
		}
		return p + "?" + q
	}
	return p
}

// isControl reports an ASCII control character: a header value cannot carry one.
func isControl(r rune) bool { return r < ' ' || r == 0x7f }
