//go:build !linux

package procgroup

import "syscall"

// Alive reports whether process pid exists (a zombie counts: without /proc
// there is no telling).
func Alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// GroupMembers reports the group as one member, its leader's id, while any
// process of it exists; there is no listing them without /proc.
func GroupMembers(pgid int) []int {
	if syscall.Kill(-pgid, 0) == nil {
		return []int{pgid}
	}
	return nil
}
