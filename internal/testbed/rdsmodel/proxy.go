package rdsmodel

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
)

// Proxy is a loopback proxy in front of the emulator that passes every call
// on, and RDS's through the model: the local stack's stand-in RDS.
type Proxy struct {
	URL   string
	Model *Model
	srv   *http.Server
}

// NewProxy starts a Proxy on a free loopback port in front of target.
func NewProxy(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	next := httputil.NewSingleHostReverseProxy(u)
	m := New(next)
	p := &Proxy{URL: "http://" + l.Addr().String(), Model: m}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsRDS(r) {
			m.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }
