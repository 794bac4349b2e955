package procgroup

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestStopEndsTheWholeGroup(t *testing.T) {
	tests := []struct {
		name   string
		script string
	}{
		{"a process that stops on SIGTERM", "sleep 60 & wait"},
		{"a process that ignores SIGTERM is killed", "trap '' TERM; sleep 60 & wait"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", tc.script)
			cmd.SysProcAttr = Attr()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			pid := cmd.Process.Pid
			start := time.Now()
			Stop(pid, done, 300*time.Millisecond)
			if time.Since(start) > 5*time.Second {
				t.Fatal("Stop took too long")
			}
			// No process of the group is left: signal 0 to the group fails.
			if err := syscall.Kill(-pid, 0); err == nil {
				t.Fatal("a process of the group survived")
			}
		})
	}
}
