package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// loopbackBytes is the bytes the loopback interface has sent, headers and
// all, as Linux counts an interface (/proc/net/dev): the same counting
// Container Insights reports for a task's interface. On loopback every
// packet is sent once, so this is both directions of a connection together.
func loopbackBytes(b *testing.B) int64 {
	b.Helper()
	f, err := os.Open("/proc/net/dev")
	if err != nil {
		b.Skip("no /proc/net/dev on this system")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, rest, ok := strings.Cut(strings.TrimSpace(s.Text()), ":")
		if !ok || name != "lo" {
			continue
		}
		var rx, rxPackets, e1, e2, e3, e4, e5, e6, tx int64
		if _, err := fmt.Sscan(rest, &rx, &rxPackets, &e1, &e2, &e3, &e4, &e5, &e6, &tx); err != nil {
			b.Fatalf("/proc/net/dev: %v", err)
		}
		return tx
	}
	b.Skip("no loopback interface in /proc/net/dev")
	return 0
}

// BenchmarkWireBytesOfTrafficPatterns measures what each way of using the
// demo app puts on the wire (IP and TCP headers included), per operation:
// the figures the default idle threshold is chosen from. Run it alone
// (`make bench-traffic`): anything else on loopback adds to the count.
func BenchmarkWireBytesOfTrafficPatterns(b *testing.B) {
	addr := testworld.FreeAddr(b)
	stats := filepath.Join(b.TempDir(), "stats")
	p := testworld.StartProcess(b, bin, os.Environ(), "-addr", addr, "-startup-delay", "0s", "-stats-file", stats)
	testworld.WaitListening(b, p, addr)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	get := func(c *http.Client, path string) {
		resp, err := c.Get("http://" + addr + path)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// A WebSocket heartbeat: a masked ping frame with no payload (6 bytes) and its pong (2 bytes), RFC 6455 5.5.2-3.
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 6)
				for {
					if _, err := io.ReadFull(c, buf); err != nil {
						return
					}
					if _, err := c.Write([]byte{0x8a, 0x00}); err != nil {
						return
					}
				}
			}()
		}
	}()
	ws, err := net.Dial("tcp", echo.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()

	for _, pattern := range []struct {
		name string
		op   func()
	}{
		{"page view (new connection)", func() { get(fresh, "/some/path?x=1") }},
		{"small request (new connection)", func() { get(fresh, "/healthz") }},
		{"TCP connect probe", func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}},
		{"WebSocket heartbeat (open connection)", func() {
			if _, err := ws.Write([]byte{0x89, 0x80, 1, 2, 3, 4}); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(ws, make([]byte, 2)); err != nil {
				b.Fatal(err)
			}
		}},
	} {
		b.Run(pattern.name, func(b *testing.B) {
			before := loopbackBytes(b)
			for b.Loop() {
				pattern.op()
			}
			// Let the last segments (closing handshakes, delayed acknowledgements) go out.
			deadline := time.Now().Add(time.Second)
			last := loopbackBytes(b)
			for time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				now := loopbackBytes(b)
				if now == last {
					break
				}
				last = now
			}
			b.ReportMetric(float64(last-before)/float64(b.N), "wire-bytes/op")
		})
	}
}
