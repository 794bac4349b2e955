package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestNothingOutlivesTheStack ends the local stack each way it can end, with a
// wake under way (an execution environment of Wake and a demo app process
// running), and finds none of its processes left, by pid and by process group;
// its temporary folder and env file are gone too, except after SIGKILL, where
// devstack itself can clean nothing up.
func TestNothingOutlivesTheStack(t *testing.T) {
	needsEmulator(t)
	t.Parallel() // each runs a stack of its own, on its own address
	tests := []struct {
		name string
		// kill ends the stack: sh leads the group of sh, devstack and the pipe's reader.
		kill       func(sh, devstack int)
		cleansUp   bool
		seesTheEnd bool // the reader lives on and shows devstack's last line
	}{
		{"Ctrl-C through a pipe whose reader dies too", func(sh, _ int) { _ = syscall.Kill(-sh, syscall.SIGINT) }, true, false},
		{"SIGHUP: the terminal closed", func(sh, _ int) { _ = syscall.Kill(-sh, syscall.SIGHUP) }, true, false},
		{"SIGTERM", func(_, devstack int) { _ = syscall.Kill(devstack, syscall.SIGTERM) }, true, true},
		{"SIGKILL of devstack itself", func(_, devstack int) { _ = syscall.Kill(devstack, syscall.SIGKILL) }, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tmp := filepath.Join(dir, "tmp")
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			listen := testworld.FreeAddr(t)
			// As `make run 2>&1 | tee run.log` in a terminal: devstack's output is a pipe.
			p := testworld.StartProcess(t, "sh", append(os.Environ(), "AWS_ENDPOINT_URL=", "TMPDIR="+tmp),
				append([]string{"-c", `"$0" "$@" 2>&1 | cat`, devstackBin}, stackArgs(listen, dir)...)...)
			waitUp(t, p)
			pids := wakeUnderWay(t, p, listen)
			sh := p.Cmd.Process.Pid
			t.Cleanup(func() { killAll(pids) })

			tc.kill(sh, pids["devstack"])

			deadline := time.Now().Add(30 * time.Second)
			for left := survivors(pids, sh); len(left) > 0; left = survivors(pids, sh) {
				if time.Now().After(deadline) {
					t.Fatalf("still running 30 s later: %s", strings.Join(left, ", "))
				}
				time.Sleep(50 * time.Millisecond)
			}
			if tc.seesTheEnd && !strings.Contains(p.Output(), "stopped: nothing it started runs on") {
				t.Errorf("devstack did not say it stopped:\n%s", p.Output())
			}
			// Before it stops the emulator, it prints the demo's savings report.
			if tc.seesTheEnd && !strings.Contains(p.Output(), "Savings report") || tc.seesTheEnd && !strings.Contains(p.Output(), "0.25 vCPU 0.5 GB x86_64") {
				t.Errorf("devstack did not print the demo's savings report:\n%s", p.Output())
			}
			if !tc.cleansUp {
				return
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left in the temporary folder: %v", left)
			}
			if _, err := os.Stat(filepath.Join(dir, "devstack.env")); !os.IsNotExist(err) {
				t.Errorf("the env file is still there (%v)", err)
			}
		})
	}
}

// wakeUnderWay wakes the demo and waits until its task's process runs; it
// returns the pids the stack printed, by what they are.
func wakeUnderWay(t *testing.T, p *testworld.Process, listen string) map[string]int {
	t.Helper()
	if code := visitPage(t, "http://"+listen); code != http.StatusOK {
		t.Fatalf("visit got %d, want the wait page", code)
	}
	testworld.Eventually(t, 30*time.Second, "the demo app's process started", func() bool {
		if state, _ := status(t, "http://"+listen); state == "asleep" {
			// The demo's database is available: the wait page loads the page again, which scales the demo.
			visitPage(t, "http://"+listen)
		}
		return strings.Contains(p.Output(), `msg="task started"`)
	})
	pids := map[string]int{}
	for _, m := range regexp.MustCompile(`msg="([^"]+)".* pid=(\d+)`).FindAllStringSubmatch(p.Output(), -1) {
		pid, _ := strconv.Atoi(m[2])
		pids[m[1]] = pid
	}
	for _, want := range []string{"local stack starting", "AWS emulator started", "autosleep started", "wake execution environment started", "task started"} {
		if pids[want] == 0 {
			t.Fatalf("no pid for %q in the output:\n%s", want, p.Output())
		}
	}
	pids["devstack"] = pids["local stack starting"]
	delete(pids, "local stack starting")
	return pids
}

// survivors are the processes of the stack still running: each one it
// printed, every member of their process groups (each child leads its own;
// the emulator's holds moto and whatever it started), and every member of the
// group of sh, devstack and the pipe's reader.
func survivors(pids map[string]int, sh int) []string {
	var left []string
	for name, pid := range pids {
		if procgroup.Alive(pid) {
			left = append(left, fmt.Sprintf("%s (pid %d)", name, pid))
		}
		if members := procgroup.GroupMembers(pid); len(members) > 0 {
			left = append(left, fmt.Sprintf("the group of %s: %v", name, members))
		}
	}
	if members := procgroup.GroupMembers(sh); len(members) > 0 {
		left = append(left, fmt.Sprintf("the group of sh, devstack and the reader: %v", members))
	}
	return left
}

// killAll ends what a failed test left, by pid and by group.
func killAll(pids map[string]int) {
	for _, pid := range pids {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}
