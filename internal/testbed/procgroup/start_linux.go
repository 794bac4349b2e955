package procgroup

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// Start starts cmd leading a process group of its own, with SIGKILL as its
// parent-death signal, so it dies with this process however this process ends.
//
// Linux sends the parent-death signal when the *thread* that created the child
// exits, not the process (prctl(2), PR_SET_PDEATHSIG), and the Go runtime ends
// a thread whenever a goroutine locked to it returns without unlocking it
// (https://github.com/golang/go/issues/27505). So every child is started from
// one goroutine locked to its thread for the life of the process: the thread
// that is the children's parent exits only with the process.
func Start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if cmd.SysProcAttr.Pdeathsig == 0 {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	var err error
	onParentThread(func() { err = cmd.Start() })
	return err
}

var (
	parentThread     chan func()
	parentThreadOnce sync.Once
)

// onParentThread runs f on the thread every child is started from, and waits for it.
func onParentThread(f func()) {
	parentThreadOnce.Do(func() {
		parentThread = make(chan func())
		go func() {
			// Never unlocked and never returning: the thread lives as long as the process.
			runtime.LockOSThread()
			for f := range parentThread {
				f()
			}
		}()
	})
	done := make(chan struct{})
	parentThread <- func() { defer close(done); f() }
	<-done
}
