// Package emulator starts and stops a local AWS emulator (moto) on loopback,
// for the local stack and the integration tests.
package emulator

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
)

// Command is the emulator's executable; moto_server serves every AWS service on one port.
const Command = "moto_server"

// Server is a running emulator process.
type Server struct {
	// URL is the endpoint to give the SDK (AWS_ENDPOINT_URL), always on 127.0.0.1:
	// a small proxy that mends the emulator's answers the SDK cannot read.
	URL string
	// MotoURL is the emulator itself.
	MotoURL string
	compat  *compat
	cmd     *exec.Cmd
	out     *lockedBuffer
	// done is closed when the process has exited.
	done chan struct{}
}

// Start launches moto_server on a free loopback port and waits until it answers.
func Start(ctx context.Context) (*Server, error) {
	path, err := exec.LookPath(Command)
	if err != nil {
		return nil, fmt.Errorf("find %s (pip install 'moto[server]==5.2.1'): %w", Command, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{MotoURL: "http://127.0.0.1:" + strconv.Itoa(port), out: &lockedBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	s.cmd.Stdout = s.out
	s.cmd.Stderr = s.out
	// Under a guard that leads its process group: moto is a Python program
	// that may start processes of its own, and the whole group must end with
	// Stop, and with this process however it ends.
	if err := procgroup.StartGuarded(s.cmd, 3*time.Second); err != nil {
		return nil, fmt.Errorf("start %s: %w", Command, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := s.ping(ctx); err == nil {
			break
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited early: %s", Command, s.out.String())
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not answer on %s within 30s", Command, s.MotoURL)
		}
	}
	if s.compat, err = startCompat(s.MotoURL); err != nil {
		s.Stop()
		return nil, fmt.Errorf("start the emulator's proxy: %w", err)
	}
	s.URL = s.compat.url
	return s, nil
}

// Pid is the emulator's process id (its guard's, which leads its process group).
func (s *Server) Pid() int { return s.cmd.Process.Pid }

func (s *Server) ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.MotoURL+"/moto-api/data.json", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// KeepTasksAsTheyAre stops moto from moving a task one status on at every
// DescribeTasks call, so tasks stay RUNNING until someone stops them, as on ECS.
func (s *Server) KeepTasksAsTheyAre(ctx context.Context) error {
	body := `{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000000}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.MotoURL+"/moto-api/state-manager/set-transition", bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("set task transition: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("set task transition: status %d", resp.StatusCode)
	}
	return nil
}

// Reset drops every resource the emulator holds.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.MotoURL+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reset emulator: %w", err)
	}
	resp.Body.Close()
	return nil
}

// Stop ends the emulator's process group by its id and waits for it.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	if s.compat != nil {
		_ = s.compat.srv.Close()
	}
	procgroup.Stop(s.cmd.Process.Pid, s.done, 5*time.Second)
}

// Output is what the emulator printed so far, for failure messages.
func (s *Server) Output() string { return s.out.String() }

// Env is the environment a child process needs to talk to the emulator.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Region is the region the local stack and tests use.
const Region = "us-east-1"

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Available reports whether the emulator's command is installed.
func Available() bool {
	_, err := exec.LookPath(Command)
	return err == nil
}

// Environ returns os.Environ() with the emulator's variables added.
func (s *Server) Environ() []string { return append(os.Environ(), s.Env()...) }

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
