// Package cpushare gives a process a share of one CPU, as Lambda gives an
// execution environment CPU in proportion to its memory: a cpu cgroup of its
// own with a CFS quota (cgroup v1's cpu controller, or v2's cpu.max).
//
// "Lambda allocates CPU power in proportion to the amount of memory
// configured. [...] At 1,769 MB, a function has the equivalent of one vCPU."
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
package cpushare

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// OneVCPUMemoryMB is the memory at which Lambda gives a function one vCPU.
const OneVCPUMemoryMB = 1769

// period is the CFS period the quota is a part of (the kernel's default).
const period = 100_000 // µs

// ForMemory is the share of one CPU Lambda gives a function of memoryMB
// (more than 1 above 1,769 MB: Lambda gives up to 6 vCPUs).
func ForMemory(memoryMB int) float64 { return float64(memoryMB) / OneVCPUMemoryMB }

// Group is a cpu cgroup with a quota; a process started through Wrap runs in
// it from its first instruction. A nil *Group is no group: Wrap leaves the
// command as it is, and it waits for nothing.
type Group struct {
	dir string
}

var seq atomic.Int64

// New makes a cgroup named after prefix in which processes share cpus of one
// CPU. It fails, saying why, where the machine has no cpu controller this
// process may write to (the test world then cannot stand in for Lambda).
func New(prefix string, cpus float64) (*Group, error) {
	if cpus <= 0 {
		return nil, fmt.Errorf("cpu share %v: must be above 0", cpus)
	}
	root, v2, err := controller()
	if err != nil {
		return nil, err
	}
	sweep(root, prefix)
	name := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), seq.Add(1))
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make cpu cgroup: %w", err)
	}
	// The kernel's least quota is 1 ms a period.
	quota := max(1000, int(cpus*period))
	file, value := "cpu.cfs_quota_us", strconv.Itoa(quota)
	if v2 {
		file, value = "cpu.max", fmt.Sprintf("%d %d", quota, period)
	} else if err := os.WriteFile(filepath.Join(dir, "cpu.cfs_period_us"), []byte(strconv.Itoa(period)), 0o644); err != nil {
		_ = os.Remove(dir)
		return nil, fmt.Errorf("set cpu cgroup period: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0o644); err != nil {
		_ = os.Remove(dir)
		return nil, fmt.Errorf("set cpu cgroup quota: %w", err)
	}
	return &Group{dir: dir}, nil
}

// Available says whether groups can be made here, and why not.
func Available() error {
	g, err := New("probe", 1)
	if err != nil {
		return err
	}
	return g.Close()
}

// Wrap makes cmd join the group before it runs: a shell writes its own
// process id into the group, then becomes cmd's program (exec keeps the id,
// so the caller's process id, process group and signals stay cmd's).
func (g *Group) Wrap(cmd *exec.Cmd) {
	if g == nil {
		return
	}
	args := append([]string{"/bin/sh", "-c", `echo $$ > "$0" && exec "$@"`, filepath.Join(g.dir, "cgroup.procs"), cmd.Path}, cmd.Args[1:]...)
	cmd.Path, cmd.Args = "/bin/sh", args
}

// Throttled is how long the group's processes waited for their quota, in
// microseconds (cpu.stat's throttled_time, in ns, on v1; throttled_usec on v2).
func (g *Group) Throttled() (int64, error) {
	if g == nil {
		return 0, nil
	}
	b, err := os.ReadFile(filepath.Join(g.dir, "cpu.stat"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "throttled_usec":
			return n, nil
		case "throttled_time":
			return n / 1000, nil
		}
	}
	return 0, errors.New("cpu.stat has no throttled time")
}

// Close removes the group; its processes must have exited.
func (g *Group) Close() error {
	if g == nil {
		return nil
	}
	if err := os.Remove(g.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove cpu cgroup: %w", err)
	}
	return nil
}

// sweep removes the groups of prefix whose maker has gone without closing
// them (killed with SIGKILL, as the stack's own stop test does to it): the
// kernel keeps an empty group until someone removes it. A group with a
// process left in it stays; its removal fails.
func sweep(root, prefix string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok || !e.IsDir() {
			continue
		}
		pid, _, _ := strings.Cut(rest, "-")
		n, err := strconv.Atoi(pid)
		if err != nil || n == os.Getpid() || syscall.Kill(n, 0) == nil {
			continue
		}
		_ = os.Remove(filepath.Join(root, e.Name()))
	}
}

// controller finds where cpu cgroups are made: cgroup v1's cpu hierarchy, or
// the v2 root with the cpu controller given to its children.
func controller() (root string, v2 bool, err error) {
	for _, dir := range []string{"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"} {
		if _, err := os.Stat(filepath.Join(dir, "cpu.cfs_quota_us")); err == nil {
			return dir, false, nil
		}
	}
	b, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers")
	if err != nil || !slices.Contains(strings.Fields(string(b)), "cpu") {
		return "", false, errors.New("no cpu cgroup controller here (neither cgroup v1's cpu hierarchy nor v2's cpu controller under /sys/fs/cgroup): an execution environment cannot get its share of a CPU")
	}
	if err := os.WriteFile("/sys/fs/cgroup/cgroup.subtree_control", []byte("+cpu"), 0o644); err != nil {
		return "", false, fmt.Errorf("give cgroup v2's cpu controller to child groups: %w", err)
	}
	return "/sys/fs/cgroup", true, nil
}
