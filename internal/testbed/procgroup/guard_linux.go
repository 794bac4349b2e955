package procgroup

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// guardVar, in the environment of this very program started again, makes it
// a guard (see StartGuarded) instead of itself; its value is the grace period.
const guardVar = "PROCGROUP_GUARD_GRACE"

// selfExe is this program's own executable, even once replaced on disk
// (proc(5): /proc/pid/exe).
const selfExe = "/proc/self/exe"

// StartGuarded starts cmd as Start does, for a program that may start
// processes of its own (an interpreter, a server that forks): the parent-death
// signal reaches only the direct child, so cmd runs under a guard — this same
// program, started again — that leads the group and, when it gets SIGTERM
// (from Stop, or as its own parent-death signal), ends the whole group: SIGTERM,
// then SIGKILL once grace has passed or cmd has exited. The pid is the guard's;
// it exits with cmd's status when cmd ends by itself.
func StartGuarded(cmd *exec.Cmd, grace time.Duration) error {
	if cmd.Err != nil {
		return cmd.Err
	}
	if len(cmd.ExtraFiles) > 0 {
		return errors.New("procgroup: a guarded command cannot be given extra files")
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(slices.Clip(env), guardVar+"="+grace.String())
	cmd.Args = append([]string{"procgroup-guard", cmd.Path}, cmd.Args...)
	cmd.Path = selfExe
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// SIGTERM, not SIGKILL: the guard must live long enough to end the group.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	return Start(cmd)
}

// init turns this program into a guard when StartGuarded started it.
func init() {
	if v, ok := os.LookupEnv(guardVar); ok {
		os.Exit(guard(v, os.Args[1:]))
	}
}

// guard runs args[1:] (args[0] is its path) in the guard's process group and
// waits: for it to exit (the guard exits likewise), or for a signal to stop,
// which ends the whole group, the guard included.
func guard(graceText string, args []string) int {
	// The command's parent-death signal follows this thread; init runs on the
	// main thread, which never exits before the process, but say so.
	runtime.LockOSThread()
	grace, err := time.ParseDuration(graceText)
	if err != nil || len(args) < 2 {
		fmt.Fprintf(os.Stderr, "procgroup guard: want a grace period and a command, got %q %q\n", graceText, args)
		return 2
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	cmd := &exec.Cmd{Path: args[0], Args: args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Env:         slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, guardVar+"=") }),
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "procgroup guard: %v\n", err)
		return 127
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return exitCode(cmd.ProcessState)
	case <-stop:
	}
	group := -syscall.Getpgrp()
	_ = syscall.Kill(group, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
	}
	// The guard is in the group too: this is its end as well.
	_ = syscall.Kill(group, syscall.SIGKILL)
	return 128 + int(syscall.SIGKILL)
}

// exitCode is a shell's view of how a process ended: its code, or 128 plus the signal.
func exitCode(s *os.ProcessState) int {
	if ws, ok := s.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return s.ExitCode()
}
