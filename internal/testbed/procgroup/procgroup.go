// Package procgroup starts and stops the local processes the stack and the
// tests run, so that nothing they spawned is left behind: each child leads a
// process group of its own (Stop ends the whole group by its id), and on Linux
// each child also dies with the process that started it (Start), even when
// that process is killed with SIGKILL and can clean nothing up itself.
package procgroup

import (
	"syscall"
	"time"
)

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
