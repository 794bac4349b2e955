package procgroup

import (
	"os"
	"strconv"
	"strings"
)

// Alive reports whether process pid runs: it exists and is not a zombie (a
// process that has exited and waits for its parent, or init, to reap it).
func Alive(pid int) bool {
	st, ok := stat(pid)
	return ok && st.state != "Z" && st.state != "X"
}

// GroupMembers are the live processes of process group pgid.
func GroupMembers(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := stat(pid); ok && st.pgrp == pgid && st.state != "Z" && st.state != "X" {
			pids = append(pids, pid)
		}
	}
	return pids
}

type procStat struct {
	state string
	pgrp  int
}

// stat reads a process's state and group from /proc/pid/stat (proc_pid_stat(5)):
// "pid (comm) state ppid pgrp …", where comm may hold spaces and parentheses.
func stat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 3 {
		return procStat{}, false
	}
	pgrp, err := strconv.Atoi(fields[2])
	if err != nil {
		return procStat{}, false
	}
	return procStat{state: fields[0], pgrp: pgrp}, true
}
