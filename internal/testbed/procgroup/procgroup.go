// Package procgroup stops the local processes the stack and the tests start,
// by process group id, so nothing they spawned is left behind.
package procgroup

import (
	"syscall"
	"time"
)

// Attr puts a new process in a group of its own, so Stop reaches its children too.
func Attr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// Stop sends SIGTERM to the process group pid leads, waits up to grace for
// done (closed when the process has been waited for), then sends SIGKILL and
// waits for done. Children still in the group once the leader is gone get
// SIGKILL too, so none outlives it.
func Stop(pid int, done <-chan struct{}, grace time.Duration) {
	select {
	case <-done:
	default:
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(grace):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-done
		}
	}
	if syscall.Kill(-pid, 0) == nil {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
