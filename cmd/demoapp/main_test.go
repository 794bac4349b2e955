package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

var bin string

func TestMain(m *testing.M) {
	testworld.Main(m, map[string]testworld.Binary{"demoapp": {Pkg: ".", Path: &bin}})
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestDemoAppListensOnlyAfterItsStartupDelay: like a container still
// starting, the app refuses connections until the delay has passed.
func TestDemoAppListensOnlyAfterItsStartupDelay(t *testing.T) {
	const delay = time.Second
	addr := testworld.FreeAddr(t)
	began := time.Now()
	p := testworld.StartProcess(t, bin, os.Environ(), "-addr", addr, "-startup-delay", delay.String())
	if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("the app accepted a connection before its start-up delay")
	}
	testworld.WaitListening(t, p, addr)
	if took := time.Since(began); took < delay {
		t.Fatalf("the app listened after %s, before its %s start-up delay", took, delay)
	}
}

func TestDemoAppAnswers(t *testing.T) {
	addr := testworld.FreeAddr(t)
	p := testworld.StartProcess(t, bin, os.Environ(), "-addr", addr, "-startup-delay", "0s", "-name", "shop", "-health-path", "/ready")
	testworld.WaitListening(t, p, addr)
	tests := []struct {
		name, path string
		wantCode   int
		wantBody   []string
	}{
		{"page greets by name and shows the path and query it was asked for", "/some/path?x=1", http.StatusOK,
			[]string{"Hello from shop", "/some/path?x=1"}},
		{"page escapes the query it shows", "/p?q=<b>", http.StatusOK, []string{"/p?q=&lt;b&gt;"}},
		{"health path answers 200", "/ready", http.StatusOK, []string{"ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, "http://"+addr+tt.path)
			if code != tt.wantCode {
				t.Fatalf("status %d, want %d", code, tt.wantCode)
			}
			for _, want := range tt.wantBody {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

// TestDemoAppCrashesWhenAsked: -exit-after simulates an app that dies, so
// tests can see a wake fail with the exit code ECS would report.
func TestDemoAppCrashesWhenAsked(t *testing.T) {
	tests := []struct {
		name  string
		delay string
		code  int
	}{
		{"exits with the given code while still starting", "1m", 3},
		{"exits with the given code after it listened", "0s", 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testworld.StartProcess(t, bin, os.Environ(), "-addr", testworld.FreeAddr(t), "-startup-delay", tt.delay,
				"-exit-after", "300ms", "-exit-code", strconv.Itoa(tt.code))
			if !p.Wait(10 * time.Second) {
				t.Fatal("the app did not exit within 10 s")
			}
			if got := p.Cmd.ProcessState.ExitCode(); got != tt.code {
				t.Fatalf("exit code %d, want %d:\n%s", got, tt.code, p.Output())
			}
		})
	}
}

// TestDemoAppWritesItsByteCounts: the local scheduler reads these to publish
// the service's network bytes as Container Insights would.
func TestDemoAppWritesItsByteCounts(t *testing.T) {
	addr := testworld.FreeAddr(t)
	stats := filepath.Join(t.TempDir(), "stats")
	p := testworld.StartProcess(t, bin, os.Environ(), "-addr", addr, "-startup-delay", "0s", "-stats-file", stats)
	testworld.WaitListening(t, p, addr)
	get(t, "http://"+addr+"/")
	testworld.Eventually(t, 10*time.Second, "byte counts above zero in "+stats, func() bool {
		b, err := os.ReadFile(stats)
		if err != nil {
			return false
		}
		var rx, tx int64
		_, err = fmt.Sscan(string(b), &rx, &tx)
		return err == nil && rx > 0 && tx > 0
	})
}
