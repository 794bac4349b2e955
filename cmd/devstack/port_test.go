package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestATakenPortNamesItsHolder holds the stack's address with another
// process: devstack refuses to start, naming that process and how to stop it
// or serve elsewhere, before it starts anything.
func TestATakenPortNamesItsHolder(t *testing.T) {
	listen := testworld.FreeAddr(t)
	holder := testworld.StartProcess(t, demoappBin, os.Environ(), "-addr", listen)
	testworld.WaitListening(t, holder, listen)

	p := testworld.StartProcess(t, devstackBin, os.Environ(), stackArgs(listen, t.TempDir())...)
	if !p.Wait(10 * time.Second) {
		t.Fatalf("devstack did not give up on a taken address:\n%s", p.Output())
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	pid := holder.Cmd.Process.Pid
	for _, want := range []string{
		fmt.Sprintf("%s is already in use by pid %d: %s -addr %s", listen, pid, demoappBin, listen),
		fmt.Sprintf("stop it: kill %d", pid),
		"or serve the stack elsewhere: build/devstack -listen 127.0.0.1:",
	} {
		if !strings.Contains(p.Output(), want) {
			t.Errorf("the message lacks %q:\n%s", want, p.Output())
		}
	}
	if strings.Contains(p.Output(), "emulator") {
		t.Errorf("devstack started something before checking the address:\n%s", p.Output())
	}
}

func TestATakenPortSaysHowToStopItsHolderOrGoElsewhere(t *testing.T) {
	stack := listener{pid: 100, cmdline: "build/devstack -wake-bin build/wake"}
	tests := []struct {
		name   string
		holder listener
		found  bool
		want   []string
	}{
		{"another local stack", stack, true, []string{
			"127.0.0.1:8080 is already in use by pid 100: build/devstack -wake-bin build/wake",
			"that is another local stack: Ctrl-C it in its terminal, or stop it: kill 100"}},
		{"a function another local stack runs: stop the stack", listener{pid: 101, cmdline: "build/wake", parent: &stack}, true, []string{
			"in use by pid 101: build/wake",
			"another local stack runs it (pid 100: build/devstack -wake-bin build/wake): Ctrl-C it in its terminal, or stop it: kill 100"}},
		{"a process left behind", listener{pid: 102, cmdline: "build/wake", parent: &listener{pid: 7, cmdline: "bash"}}, true, []string{
			"in use by pid 102: build/wake", "stop it: kill 102"}},
		{"a process this user cannot see", listener{}, false, []string{
			"127.0.0.1:8080 is already in use by a process this user cannot see (sudo ss -ltnp 'sport = :8080' names it)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := portTakenMessage("127.0.0.1:8080", tc.holder, tc.found, "127.0.0.1:8090")
			for _, want := range append(tc.want, "or serve the stack elsewhere: build/devstack -listen 127.0.0.1:8090") {
				if !strings.Contains(msg, want) {
					t.Errorf("the message lacks %q:\n%s", want, msg)
				}
			}
		})
	}
}
