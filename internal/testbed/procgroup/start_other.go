//go:build !linux

package procgroup

import (
	"os/exec"
	"syscall"
	"time"
)

// Start starts cmd leading a process group of its own. Only Linux has a
// parent-death signal: elsewhere a child outlives this process when it is
// killed with SIGKILL.
func Start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	return cmd.Start()
}

// StartGuarded is Start where there is no parent-death signal to guard.
func StartGuarded(cmd *exec.Cmd, _ time.Duration) error { return Start(cmd) }
