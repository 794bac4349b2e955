package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

var devstackBin, wakeBin, autosleepBin, demoappBin string

func TestMain(m *testing.M) {
	testworld.Main(m, map[string]testworld.Binary{
		"devstack":  {Pkg: ".", Path: &devstackBin},
		"wake":      {Pkg: "../../functions/wake", Path: &wakeBin},
		"autosleep": {Pkg: "../../functions/autosleep", Path: &autosleepBin},
		"demoapp":   {Pkg: "../demoapp", Path: &demoappBin},
	})
}

var client = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func status(t *testing.T, base string) (state, location string) {
	t.Helper()
	resp, err := client.Get(base + "/_wake/status?path=" + url.QueryEscape("/some/path?x=1"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ State, Location string }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.State, st.Location
}

func visitPage(t *testing.T, base string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/some/path?x=1", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLocalStackRunsAFullSleepWakeSleepCycle runs what `make run` runs, with
// short timings: a visit wakes the demo, the browser would land on the real
// app process, Auto-Sleep puts it back to sleep once idle, the next visit
// wakes it again, and stopping the stack leaves no process behind.
func TestLocalStackRunsAFullSleepWakeSleepCycle(t *testing.T) {
	needsEmulator(t)
	t.Parallel() // each runs a stack of its own, on its own address
	listen := testworld.FreeAddr(t)
	base := "http://" + listen
	p := startStack(t, listen)
	for round := 1; round <= 2; round++ {
		location := visitUntilReady(t, base, round)
		// The demo's database started first, and the console said so.
		if n := strings.Count(p.Output(), `msg="starting the database before the service"`); n < round {
			t.Fatalf("round %d: the console showed %d database starts:\n%s", round, n, p.Output())
		}
		if round == 1 && !useLightly(t, p, location) {
			return
		}
		// Nobody visits now: Auto-Sleep puts it to sleep once a window of Container Insights
		// data says idle. The test watches the console, not the status endpoint: status checks
		// probe the app, and that traffic would keep it awake.
		testworld.Eventually(t, 3*time.Minute, fmt.Sprintf("round %d: the idle demo falls asleep", round), func() bool {
			return strings.Count(p.Output(), `msg="service put to sleep"`) >= round
		})
		testworld.Eventually(t, 30*time.Second, fmt.Sprintf("round %d: its database is stopped", round), func() bool {
			return strings.Count(p.Output(), `msg="database stopped"`) >= round
		})
		// Each environment reads ECS at most every few seconds: it sees the sleep within them.
		testworld.Eventually(t, 10*time.Second, fmt.Sprintf("round %d: the status says asleep after Auto-Sleep slept it", round), func() bool {
			state, _ := status(t, base)
			return state == "asleep"
		})
	}
	stopLeavesNothingBehind(t, p, listen)
}

func needsEmulator(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the local stack against the AWS emulator")
	}
}

// stackArgs are devstack's flags for a test: short timings, listening on
// listen, its logs and env file in dir.
func stackArgs(listen, dir string) []string {
	return []string{"-wake-bin", wakeBin, "-autosleep-bin", autosleepBin, "-demoapp-bin", demoappBin,
		"-listen", listen, "-startup-delay", "1s", "-db-start-delay", "2s", "-sleep-after", "1", "-grace", "0", "-evaluate-every", "5s",
		"-logs", filepath.Join(dir, "logs"), "-env-file", filepath.Join(dir, "devstack.env")}
}

// startStack starts devstack with short timings and waits for its URL.
func startStack(t *testing.T, listen string) *testworld.Process {
	t.Helper()
	p := testworld.StartProcess(t, devstackBin, append(os.Environ(), "AWS_ENDPOINT_URL="), stackArgs(listen, t.TempDir())...)
	waitUp(t, p)
	return p
}

// waitUp waits until the stack has printed its banner.
func waitUp(t *testing.T, p *testworld.Process) {
	t.Helper()
	testworld.Eventually(t, 60*time.Second, "the stack prints its URL", func() bool {
		if p.Exited() {
			t.Fatalf("devstack exited:\n%s", p.Output())
		}
		return strings.Contains(p.Output(), "Ctrl-C stops everything")
	})
}

// visitUntilReady visits the sleeping demo, waits until the status says
// ready, and checks that the app behind its location sees the visitor's path
// and query; it returns the location.
func visitUntilReady(t *testing.T, base string, round int) string {
	t.Helper()
	if code := visitPage(t, base); code != http.StatusOK {
		t.Fatalf("round %d: visit got %d, want the wait page", round, code)
	}
	var location string
	testworld.Eventually(t, 30*time.Second, "the demo app is ready", func() bool {
		var state string
		state, location = status(t, base)
		if state == "asleep" {
			// The database is available: the wait page loads the visitor's page again, which wakes the demo.
			visitPage(t, base)
		}
		return state == "ready"
	})
	u, err := url.Parse(location)
	if err != nil || !strings.HasPrefix(u.Hostname(), "127.0.0.") || u.RequestURI() != "/some/path?x=1" {
		t.Fatalf("location %q: want the demo app on loopback with the path and query", location)
	}
	resp, err := client.Get(location)
	if err != nil {
		t.Fatalf("the app at %s: %v", location, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "/some/path?x=1") {
		t.Fatalf("the app did not see the path and query: %s", body)
	}
	return location
}

// useLightly is a light user (a page every 20 s) for two idle windows: the
// demo stays awake, as a deployment with the same defaults would. It reports
// false when the test ended meanwhile.
func useLightly(t *testing.T, p *testworld.Process, location string) bool {
	t.Helper()
	until := time.Now().Add(2 * time.Minute)
	for time.Now().Before(until) {
		resp, err := client.Get(location)
		if err != nil {
			t.Fatalf("the light user's request failed (slept while in use?): %v\n%s", err, p.Output())
		}
		resp.Body.Close()
		select {
		case <-time.After(20 * time.Second):
		case <-t.Context().Done():
			return false
		}
	}
	if strings.Contains(p.Output(), `msg="service put to sleep"`) {
		t.Fatalf("the demo was put to sleep while a light user used it:\n%s", p.Output())
	}
	return true
}

// stopLeavesNothingBehind stops the stack as Ctrl-C does and checks that no
// process it started runs on and nothing listens where it served.
func stopLeavesNothingBehind(t *testing.T, p *testworld.Process, listen string) {
	t.Helper()
	pids := regexp.MustCompile(`pid=(\d+)`).FindAllStringSubmatch(p.Output(), -1)
	endpoint := regexp.MustCompile(`endpoint=http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(p.Output())
	if len(pids) < 4 || endpoint == nil {
		t.Fatalf("expected the emulator, both functions and app processes in the output:\n%s", p.Output())
	}
	_ = syscall.Kill(p.Cmd.Process.Pid, syscall.SIGINT)
	if !p.Wait(30 * time.Second) {
		t.Fatal("devstack did not stop within 30 s of Ctrl-C")
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("devstack exit code %d:\n%s", code, p.Output())
	}
	for _, m := range pids {
		pid, _ := strconv.Atoi(m[1])
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d is still running after the stack stopped", pid)
		}
	}
	for _, addr := range []string{listen, endpoint[1]} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still answers after the stack stopped", addr)
		}
	}
}
