package procgroup

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// parentVar makes this test binary, started again, the parent process of
// TestChildrenDieWithTheirParent; its value says how it starts its child.
const parentVar = "PROCGROUP_TEST_PARENT"

// TestHelperParent is the parent process TestChildrenDieWithTheirParent kills:
// it starts a shell that starts a sleep, prints both pids and waits until its
// standard input ends (the test holds it open: it ends when the test does).
func TestHelperParent(t *testing.T) {
	how := os.Getenv(parentVar)
	if how == "" {
		t.Skip("only a helper process for TestChildrenDieWithTheirParent")
	}
	cmd := exec.Command("sh", "-c", `sleep 600 & echo "grandchild $!"; wait`)
	cmd.Stdout = os.Stdout
	var err error
	if how == "guarded" {
		err = StartGuarded(cmd, time.Second)
	} else {
		err = Start(cmd)
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("child", cmd.Process.Pid)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

func TestChildrenDieWithTheirParent(t *testing.T) {
	tests := []struct {
		name string
		how  string
		// wantGone are the processes that must be gone once the parent is killed.
		wantGone []string
	}{
		{"a child started by Start dies with its parent", "start", []string{"child"}},
		{"a guarded child's whole group dies with its parent", "guarded", []string{"child", "grandchild"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := exec.Command(os.Args[0], "-test.run=^TestHelperParent$")
			parent.Env = append(os.Environ(), parentVar+"="+tc.how)
			parent.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stdin, err := parent.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			out, err := parent.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := parent.Start(); err != nil {
				t.Fatal(err)
			}
			pids := readPids(t, out, "child", "grandchild")
			t.Cleanup(func() {
				for _, pid := range pids {
					_ = syscall.Kill(-pid, syscall.SIGKILL)
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			})
			_ = parent.Process.Kill()
			_ = parent.Wait()
			for _, name := range tc.wantGone {
				pid := pids[name]
				waitGone(t, name, func() bool { return !Alive(pid) })
			}
			if tc.how == "guarded" {
				waitGone(t, "the child's group", func() bool { return len(GroupMembers(pids["child"])) == 0 })
			}
		})
	}
}

// readPids reads "NAME PID" lines until it has every name.
func readPids(t *testing.T, r io.Reader, names ...string) map[string]int {
	t.Helper()
	pids := map[string]int{}
	sc := bufio.NewScanner(r)
	for len(pids) < len(names) && sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		pid, err := strconv.Atoi(value)
		if err != nil {
			t.Fatalf("the parent said %q", sc.Text())
		}
		pids[name] = pid
	}
	if len(pids) < len(names) {
		t.Fatalf("the parent ended before naming its processes: %v", sc.Err())
	}
	return pids
}

// waitGone polls until gone reports true, for at most 10 s.
func waitGone(t *testing.T, what string, gone func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !gone() {
		if time.Now().After(deadline) {
			t.Fatalf("%s is still there after 10 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStartIsNotTiedToTheCallersThread starts a child from a goroutine locked
// to its thread that then returns, which ends the thread; a child whose
// parent-death signal followed that thread would die with it.
func TestStartIsNotTiedToTheCallersThread(t *testing.T) {
	tests := []struct {
		name      string
		start     func(*exec.Cmd) error
		wantAlive bool
	}{
		{"a child started by Start outlives the calling thread", Start, true},
		{"a child started on that thread itself dies with it (the hazard Start avoids)", func(cmd *exec.Cmd) error {
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			return cmd.Start()
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The shell answers one line, if it still lives to read it.
			cmd := exec.Command("sh", "-c", "read line; echo alive")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			tid := startOnAThreadThatEnds(t, func() error { return tc.start(cmd) })
			t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
			// Once the thread is gone from /proc, any parent-death signal has been sent.
			waitGone(t, "the thread", func() bool {
				_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
				return os.IsNotExist(err)
			})
			_, _ = io.WriteString(stdin, "go\n")
			answer, _ := io.ReadAll(stdout)
			if alive := string(answer) == "alive\n"; alive != tc.wantAlive {
				t.Fatalf("the child answered %q, want alive %v", answer, tc.wantAlive)
			}
		})
	}
}

// startOnAThreadThatEnds runs start on a goroutine locked to its thread that
// returns without unlocking it, which ends the thread; it returns the thread's id.
func startOnAThreadThatEnds(t *testing.T, start func() error) (tid int) {
	t.Helper()
	for {
		started := make(chan int)
		go func() {
			runtime.LockOSThread()
			if syscall.Gettid() == os.Getpid() {
				// The runtime never ends the main thread: try another.
				runtime.UnlockOSThread()
				started <- 0
				return
			}
			if err := start(); err != nil {
				t.Error(err)
			}
			started <- syscall.Gettid()
		}()
		if tid = <-started; tid != 0 {
			if t.Failed() {
				t.FailNow()
			}
			return tid
		}
	}
}

func TestAGuardedCommand(t *testing.T) {
	t.Run("exits with the command's status", func(t *testing.T) {
		cmd := exec.Command("sh", "-c", "exit 3")
		if err := StartGuarded(cmd, time.Second); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 3 {
			t.Fatalf("exit code %d, want 3", code)
		}
	})
	t.Run("Stop ends its whole group, even a command that ignores SIGTERM", func(t *testing.T) {
		cmd := exec.Command("sh", "-c", `trap '' TERM; sleep 600 & echo "grandchild $!"; while :; do sleep 0.1; done`)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := StartGuarded(cmd, 200*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		pids := readPids(t, out, "grandchild")
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		Stop(cmd.Process.Pid, done, 5*time.Second)
		waitGone(t, "the grandchild", func() bool { return !Alive(pids["grandchild"]) })
		waitGone(t, "the group", func() bool { return len(GroupMembers(cmd.Process.Pid)) == 0 })
	})
}
