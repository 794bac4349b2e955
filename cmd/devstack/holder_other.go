//go:build !linux

package main

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
)

// listenerOn asks lsof, where it is installed, for the process listening on
// port; there is no /proc to read here.
func listenerOn(_ net.IP, port int) (listener, bool) {
	out, err := exec.Command("lsof", "-nP", "-t", "-iTCP:"+strconv.Itoa(port), "-sTCP:LISTEN").Output()
	if err != nil {
		return listener{}, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]))
	if err != nil {
		return listener{}, false
	}
	l := listener{pid: pid, cmdline: psField(pid, "command=")}
	if ppid, err := strconv.Atoi(psField(pid, "ppid=")); err == nil && ppid > 1 {
		l.parent = &listener{pid: ppid, cmdline: psField(ppid, "command=")}
	}
	return l, true
}

// psField is one column of ps about pid.
func psField(pid int, field string) string {
	out, _ := exec.Command("ps", "-o", field, "-p", strconv.Itoa(pid)).Output()
	return strings.TrimSpace(string(out))
}
