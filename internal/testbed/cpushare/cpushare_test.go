package cpushare

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// burnEnv makes the test binary, started as a child, burn CPU and exit.
const burnEnv = "CPUSHARE_TEST_BURN"

func TestMain(m *testing.M) {
	if d, err := time.ParseDuration(os.Getenv(burnEnv)); err == nil {
		// It says which cgroups it runs in before it has run any of its own work.
		cg, err := os.ReadFile("/proc/self/cgroup")
		if err != nil {
			panic(err)
		}
		os.Stdout.Write(cg)
		burn(d)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// burn spins until it has used d of CPU time.
func burn(d time.Duration) {
	for cpuTime() < d {
		for range 100_000 {
		}
	}
}

func TestForMemoryIsLambdasShareOfAVCPU(t *testing.T) {
	for _, tc := range []struct {
		mb   int
		want float64
	}{{128, 0.0724}, {1769, 1}, {3538, 2}} {
		if got := ForMemory(tc.mb); got < tc.want-0.0001 || got > tc.want+0.0001 {
			t.Errorf("ForMemory(%d) = %.4f, want %.4f", tc.mb, got, tc.want)
		}
	}
}

func TestAProcessRunsInItsGroupFromTheStartAndIsHeldToItsShare(t *testing.T) {
	g, err := New("cpushare-test", 0.1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Error(err)
		}
	})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), burnEnv+"=150ms")
	g.Wrap(cmd)
	cg, err := cmd.Output()
	if err != nil {
		t.Fatalf("the child failed: %v", err)
	}
	if name := g.dir[strings.LastIndexByte(g.dir, '/'):]; !strings.Contains(string(cg), name+"\n") {
		t.Errorf("the child's cgroups are\n%s\nwant one ending %s", cg, name)
	}
	// 150 ms of CPU at 10 ms a 100 ms period cannot run without waiting.
	throttled, err := g.Throttled()
	if err != nil {
		t.Fatal(err)
	}
	if throttled < int64(500*time.Millisecond/time.Microsecond) {
		t.Errorf("the child waited %d µs for its quota, want at least 500 ms (150 ms of CPU at a tenth of a CPU)", throttled)
	}
}

func TestAShareOfNothingIsRefused(t *testing.T) {
	if _, err := New("cpushare-test", 0); err == nil {
		t.Fatal("a share of 0 was taken")
	}
}

func TestAGroupLeftByAGoneProcessIsRemovedByTheNextOne(t *testing.T) {
	root, _, err := controller()
	if err != nil {
		t.Fatal(err)
	}
	// A process that has exited: its id is free (until reused, which a
	// live owner then keeps, as it should).
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(root, fmt.Sprintf("cpushare-test-%d-1", gone.Process.Pid))
	if err := os.Mkdir(left, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(left) })
	g, err := New("cpushare-test", 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("%s is still there (%v)", left, err)
	}
}
