package testworld

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
)

// Build compiles a main package into dir and returns the binary's path.
func Build(dir, pkg, name string) (string, error) {
	out := filepath.Join(dir, name)
	// Built as for Lambda: the Runtime API only, no RPC server.
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return out, nil
}

// Process is a binary the test started; it is stopped by its pid when the test ends.
type Process struct {
	Cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// StartProcess runs bin with env and args, in its own process group.
func StartProcess(t testing.TB, bin string, env []string, args ...string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.Cmd.Env = env
	p.Cmd.Stdout, p.Cmd.Stderr = p.out, p.out
	// Its own group, and it dies with the test binary even if the test is killed.
	if err := procgroup.Start(p.Cmd); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { _ = p.Cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(bin), p.Output())
		}
	})
	return p
}

// Stop ends the process group by its id: SIGTERM, then SIGKILL after 5 s.
func (p *Process) Stop() {
	procgroup.Stop(p.Cmd.Process.Pid, p.done, 5*time.Second)
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits for the process to end by itself, up to d.
func (p *Process) Wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// Output is what the process printed.
func (p *Process) Output() string { return p.out.String() }

// FreeAddr returns a loopback address with a free port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitListening polls until something accepts connections on addr.
func WaitListening(t testing.TB, p *Process, addr string) {
	t.Helper()
	Eventually(t, 10*time.Second, "listening on "+addr, func() bool {
		if p.Exited() {
			t.Fatalf("process exited before listening:\n%s", p.Output())
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Binary is a main package a test package runs as a real process.
type Binary struct {
	Pkg  string  // the package, relative to the test's folder
	Path *string // set to the built binary's path
}

// Main builds the binaries once into a temporary folder, runs the tests, and
// removes the folder; it is a TestMain body and does not return.
func Main(m *testing.M, bins map[string]Binary) {
	dir, err := os.MkdirTemp("", "scale-to-zero-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, b := range bins {
		if *b.Path, err = Build(dir, b.Pkg, name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
