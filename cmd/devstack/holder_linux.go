package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
)

// listenerOn finds the process listening on ip:port (ip nil or unspecified:
// any address) from /proc/net/tcp and tcp6, and /proc/PID/fd (proc(5)).
func listenerOn(ip net.IP, port int) (listener, bool) {
	var inodes []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if f, err := os.Open(table); err == nil {
			inodes = append(inodes, listeningInodes(f, ip, port)...)
			f.Close()
		}
	}
	for _, inode := range inodes {
		if pid, ok := socketOwner(inode); ok {
			l := process(pid)
			if ppid, ok := parentOf(pid); ok && ppid > 1 {
				parent := process(ppid)
				l.parent = &parent
			}
			return l, true
		}
	}
	return listener{}, false
}

// stateListen is TCP_LISTEN in the kernel's "st" column.
const stateListen = "0A"

// listeningInodes are the inodes of the sockets of a /proc/net/tcp table that
// listen on port, at ip or at an address that covers it, best matches first.
func listeningInodes(table io.Reader, ip net.IP, port int) []string {
	var exact, covering []string
	sc := bufio.NewScanner(table)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != stateListen {
			continue
		}
		addrHex, portHex, ok := strings.Cut(f[1], ":")
		p, err := strconv.ParseUint(portHex, 16, 16)
		if !ok || err != nil || int(p) != port {
			continue
		}
		local := procIP(addrHex)
		switch {
		case local == nil:
		case ip == nil || ip.IsUnspecified() || local.Equal(ip):
			exact = append(exact, f[9])
		case local.IsUnspecified():
			covering = append(covering, f[9])
		}
	}
	return append(exact, covering...)
}

// procIP reads an address of /proc/net/tcp: each 32-bit word of it as the
// machine holds it, printed in hex as a number.
func procIP(h string) net.IP {
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != net.IPv4len && len(raw) != net.IPv6len) {
		return nil
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(ip[i:], binary.BigEndian.Uint32(raw[i:i+4]))
	}
	return ip
}

// socketOwner finds a process that has the socket inode open.
func socketOwner(inode string) (int, bool) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	want := "socket:[" + inode + "]"
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir("/proc/" + p.Name() + "/fd")
		if err != nil {
			continue // another user's process
		}
		for _, fd := range fds {
			if link, err := os.Readlink("/proc/" + p.Name() + "/fd/" + fd.Name()); err == nil && link == want {
				return pid, true
			}
		}
	}
	return 0, false
}

// process is pid with its command line.
func process(pid int) listener {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	cmdline := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	if len(cmdline) > 200 {
		cmdline = cmdline[:200] + "…"
	}
	return listener{pid: pid, cmdline: cmdline}
}

// parentOf reads a process's parent from /proc/PID/stat: "pid (comm) state ppid …".
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	return ppid, err == nil
}
