// Package route picks the service a request is for, by host and path prefix.
package route

import (
	"net"
	"strings"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// Router matches requests to services.
type Router struct {
	services []config.Service
}

// New returns a Router over the configured services.
func New(services []config.Service) *Router { return &Router{services: services} }

// Match returns the most specific service for host and path: a service with
// a matching host beats one without, and a longer path prefix a shorter one.
func (r *Router) Match(host, path string) (config.Service, bool) {
	host = strings.ToLower(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	best, bestScore := config.Service{}, -1
	for _, s := range r.services {
		if s.Host != "" && s.Host != host {
			continue
		}
		if s.PathPrefix != "" && path != s.PathPrefix && !strings.HasPrefix(path, s.PathPrefix+"/") {
			continue
		}
		score := len(s.PathPrefix)
		if s.Host != "" {
			score += 1 << 20
		}
		if score > bestScore {
			best, bestScore = s, score
		}
	}
	return best, bestScore >= 0
}
