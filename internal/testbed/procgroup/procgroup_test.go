package procgroup

import (
	"bufio"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestStopEndsTheWholeGroup(t *testing.T) {
	tests := []struct {
		name      string
		script    string
		needsKill bool
	}{
		{"a process that stops on SIGTERM", "sleep 60 & echo ready; wait", false},
		{"a process that ignores SIGTERM is killed", "trap '' TERM; sleep 60 & echo ready; while :; do sleep 0.1; done", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", tc.script)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := Start(cmd); err != nil {
				t.Fatal(err)
			}
			// Stop only once the shell has set itself up (its trap, its child).
			if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
				t.Fatalf("shell said %q: %v", line, err)
			}
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			pid := cmd.Process.Pid
			start := time.Now()
			Stop(pid, done, 300*time.Millisecond)
			took := time.Since(start)
			if took > 5*time.Second {
				t.Fatal("Stop took too long")
			}
			if tc.needsKill && took < 300*time.Millisecond {
				t.Fatalf("stopped after %s: the process did not ignore SIGTERM, so the kill was not tested", took)
			}
			// No process of the group is left: signal 0 to the group fails
			// (once the system has reaped the children that died with it).
			deadline := time.Now().Add(5 * time.Second)
			for syscall.Kill(-pid, 0) == nil {
				if time.Now().After(deadline) {
					t.Fatal("a process of the group survived")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
