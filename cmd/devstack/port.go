package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// listener is a process that listens on a port, as far as this machine tells.
type listener struct {
	pid     int
	cmdline string
	// parent is the process that started it, when known.
	parent *listener
}

// checkListen fails when addr cannot be served on; when it is taken, the
// error names the process that holds it and how to stop it or go elsewhere.
func checkListen(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err == nil {
		return l.Close()
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot serve on %s: %w", addr, err)
	}
	host, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	holder, found := listenerOn(net.ParseIP(host), port)
	return errors.New(portTakenMessage(addr, holder, found, otherAddr(host, port)))
}

// portTakenMessage says who holds addr and what to do about it.
func portTakenMessage(addr string, holder listener, found bool, other string) string {
	var who, stop string
	switch {
	case !found:
		_, port, _ := net.SplitHostPort(addr)
		who = "by a process this user cannot see (sudo ss -ltnp 'sport = :" + port + "' names it)"
		stop = "stop it"
	case isDevstack(holder):
		who = fmt.Sprintf("by pid %d: %s", holder.pid, holder.cmdline)
		stop = fmt.Sprintf("that is another local stack: Ctrl-C it in its terminal, or stop it: kill %d", holder.pid)
	case holder.parent != nil && isDevstack(*holder.parent):
		who = fmt.Sprintf("by pid %d: %s", holder.pid, holder.cmdline)
		stop = fmt.Sprintf("another local stack runs it (pid %d: %s): Ctrl-C it in its terminal, or stop it: kill %d",
			holder.parent.pid, holder.parent.cmdline, holder.parent.pid)
	default:
		who = fmt.Sprintf("by pid %d: %s", holder.pid, holder.cmdline)
		stop = fmt.Sprintf("stop it: kill %d", holder.pid)
	}
	return fmt.Sprintf("%s is already in use %s\n  %s\n  or serve the stack elsewhere: build/devstack -listen %s", addr, who, stop, other)
}

// isDevstack reports whether l runs this command.
func isDevstack(l listener) bool {
	argv0, _, _ := strings.Cut(l.cmdline, " ")
	return filepath.Base(argv0) == "devstack"
}

// otherAddr is a free address on host to suggest instead, ten ports on or more.
func otherAddr(host string, port int) string {
	for p := port + 10; p < port+100 && p < 65536; p++ {
		addr := net.JoinHostPort(host, strconv.Itoa(p))
		if l, err := net.Listen("tcp", addr); err == nil {
			_ = l.Close()
			return addr
		}
	}
	return net.JoinHostPort(host, "0")
}
