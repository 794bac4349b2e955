package probe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func target(t *testing.T, addr, health string) Target {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return Target{Scheme: "http", Host: host, Port: n, HealthPath: health}
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func TestTCPProbe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	p := New(500*time.Millisecond, loopback)
	if err := p.Probe(context.Background(), target(t, addr, "")); err != nil {
		t.Fatalf("open port: %v", err)
	}
	l.Close()
	if err := p.Probe(context.Background(), target(t, addr, "")); err == nil {
		t.Fatal("closed port answered")
	}
}

func TestHTTPProbe(t *testing.T) {
	tests := []struct {
		code int
		ok   bool
	}{{200, true}, {204, true}, {302, true}, {404, false}, {503, false}}
	for _, tc := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				w.WriteHeader(http.StatusTeapot)
				return
			}
			if tc.code == 302 {
				w.Header().Set("Location", "http://10.0.0.1/")
			}
			w.WriteHeader(tc.code)
		}))
		err := New(500*time.Millisecond, loopback).Probe(context.Background(), target(t, srv.Listener.Addr().String(), "/healthz"))
		srv.Close()
		if (err == nil) != tc.ok {
			t.Errorf("status %d: error %v, want ok %v", tc.code, err, tc.ok)
		}
	}
}

func TestARestrictedProberRefusesOtherNetworksWithoutDialling(t *testing.T) {
	p := New(500*time.Millisecond, loopback)
	for _, health := range []string{"", "/healthz"} {
		err := p.Probe(context.Background(), Target{Scheme: "http", Host: "10.0.0.1", Port: 80, HealthPath: health})
		if !errors.Is(err, ErrNotAllowed) {
			t.Fatalf("health %q: error %v, want ErrNotAllowed", health, err)
		}
	}
}

func TestASilentAppTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, never answer
		}
	}()
	start := time.Now()
	err = New(200*time.Millisecond, loopback).Probe(context.Background(), target(t, l.Addr().String(), "/healthz"))
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("error %v after %s, want a timeout near 200ms", err, time.Since(start))
	}
}

func TestAFailedProbeTellsWhetherTheHostIsThere(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer notReady.Close()
	tests := []struct {
		name   string
		target Target
		want   bool
	}{
		{"nothing listens yet: refused, the host is there", target(t, closedAddr, ""), true},
		{"the app answers 503: the host is there", target(t, notReady.Listener.Addr().String(), "/healthz"), true},
		{"outside the allowed networks: nothing heard", Target{Scheme: "http", Host: "192.0.2.1", Port: 80}, false},
	}
	p := New(300*time.Millisecond, loopback)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Probe(context.Background(), tc.target)
			if err == nil {
				t.Fatal("the probe succeeded")
			}
			if got := HostAnswers(err); got != tc.want {
				t.Fatalf("HostAnswers(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
}
