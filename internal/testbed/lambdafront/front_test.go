package lambdafront

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
)

var echoBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdafront-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	echoBin = filepath.Join(dir, "echo")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", echoBin, "./testdata/echo")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the echo function: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func startFront(t *testing.T, opts Options) *Front {
	t.Helper()
	if opts.Bin == "" {
		opts.Bin = echoBin
	}
	f, err := Start("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pids := f.Pids()
		_ = f.Close()
		for _, pid := range pids {
			if syscall.Kill(pid, 0) == nil {
				t.Errorf("environment pid %d still runs after Close", pid)
			}
		}
	})
	return f
}

type echoed struct {
	Pid    int                            `json:"pid"`
	Memory string                         `json:"memory"`
	Event  events.APIGatewayV2HTTPRequest `json:"event"`
}

func get(t *testing.T, f *Front, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestTheEventIsWhatTheHTTPAPISends(t *testing.T) {
	f := startFront(t, Options{Concurrency: 1, Routes: []string{"GET /{proxy+}"}})
	resp, body := get(t, f, "/a%20b/c?x=1&x=2&y=", http.Header{
		"X-Multi": {"a", "b"}, "Cookie": {"one=1; two=2"}, "User-Agent": {"test-agent"},
	})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got echoed
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	ev := got.Event
	checks := []struct {
		what      string
		got, want any
	}{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "GET /{proxy+}"},
		{"rawPath, decoded as an HTTP API sends it", ev.RawPath, "/a b/c"},
		{"rawQueryString", ev.RawQueryString, "x=1&x=2&y="},
		{"repeated header joined", ev.Headers["x-multi"], "a,b"},
		{"cookie header removed", ev.Headers["cookie"], ""},
		{"cookies", fmt.Sprint(ev.Cookies), "[one=1 two=2]"},
		{"parsed query joins repeats", ev.QueryStringParameters["x"], "1,2"},
		{"method", ev.RequestContext.HTTP.Method, "GET"},
		{"decoded path", ev.RequestContext.HTTP.Path, "/a b/c"},
		{"user agent", ev.RequestContext.HTTP.UserAgent, "test-agent"},
		{"source IP", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"stage", ev.RequestContext.Stage, "$default"},
		{"greedy path parameter", ev.PathParameters["proxy"], "a b/c"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestEachEnvironmentHandlesOneRequestAtATime(t *testing.T) {
	f := startFront(t, Options{Concurrency: 10})
	const n = 5
	pids := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, body := get(t, f, "/slow?sleep=400", nil)
			var e echoed
			_ = json.Unmarshal(body, &e)
			pids[i] = e.Pid
		})
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, p := range pids {
		if p == 0 || seen[p] {
			t.Fatalf("pids %v: %d overlapping requests need %d environments", pids, n, n)
		}
		seen[p] = true
	}
	if s := f.Stats(); s.ColdStarts != n || s.MostBusy != n {
		t.Fatalf("stats %+v, want %d cold starts and %d busy at once", s, n, n)
	}
}

func TestAWarmEnvironmentIsReused(t *testing.T) {
	f := startFront(t, Options{Concurrency: 10})
	for range 5 {
		if resp, body := get(t, f, "/", nil); resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	}
	if s := f.Stats(); s.ColdStarts != 1 || s.Invocations != 5 {
		t.Fatalf("stats %+v, want 1 cold start for 5 requests one after the other", s)
	}
}

func TestAtTheConcurrencyLimitAPIGatewayAnswers500(t *testing.T) {
	f := startFront(t, Options{Concurrency: 2})
	codes := make([]int, 3)
	bodies := make([]string, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			resp, body := get(t, f, "/?sleep=600", nil)
			codes[i], bodies[i] = resp.StatusCode, string(body)
		})
	}
	wg.Wait()
	refused := 0
	for i, c := range codes {
		if c == 500 {
			refused++
			if bodies[i] != `{"message":"Internal Server Error"}` {
				t.Errorf("throttled body %q", bodies[i])
			}
		}
	}
	if s := f.Stats(); refused != 1 || s.Throttled != 1 || s.ColdStarts != 2 {
		t.Fatalf("codes %v, stats %+v; want one request refused at the limit of 2", codes, s)
	}
}

func TestGatewayAnswers(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		wantCode int
		wantBody string
	}{
		{"no route matches: 404 without invoking", "/nowhere/x", 404, `{"message":"Not Found"}`},
		{"the function fails: 500", "/r/x?fail=1", 500, `{"message":"Internal Server Error"}`},
		{"the function's process exits: 500", "/r/x?exit=1", 500, `{"message":"Internal Server Error"}`},
		{"an answer without statusCode is a 200 JSON body", "/r/x?raw=nostatus", 200, `{"hello":"world"}`},
		{"the integration times out: 504", "/r/x?sleep=1500", 504, `{"message":"Gateway Timeout"}`},
	}
	f := startFront(t, Options{Concurrency: 3, Routes: []string{"GET /r/{proxy+}"}, Timeout: time.Second})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, f, tc.path, nil)
			if resp.StatusCode != tc.wantCode || string(body) != tc.wantBody {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, body, tc.wantCode, tc.wantBody)
			}
		})
	}
	// The front still serves after a crash and a timeout.
	if resp, body := get(t, f, "/r/ok", nil); resp.StatusCode != 200 {
		t.Fatalf("after failures: %d %s", resp.StatusCode, body)
	}
	if s := f.Stats(); s.Environments > 3 {
		t.Fatalf("%d environments alive, over the limit", s.Environments)
	}
}

func TestBinaryBodiesAndCookiesOfTheAnswer(t *testing.T) {
	f := startFront(t, Options{Concurrency: 1})
	resp, body := get(t, f, "/?raw=binary", nil)
	if resp.StatusCode != 201 || string(body) != "\x00\x01\x02\xff" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if c := resp.Header.Values("Set-Cookie"); len(c) != 2 || c[0] != "a=1; Path=/" {
		t.Fatalf("Set-Cookie %q", c)
	}
}

func TestRouteMatching(t *testing.T) {
	tests := []struct {
		route, path string
		want        bool
	}{
		{"/", "/", true},
		{"/", "/x", false},
		{"/{proxy+}", "/", false},
		{"/{proxy+}", "/a/b", true},
		{"/_wake/status", "/_wake/status", true},
		{"/_wake/status", "/_wake/status/x", false},
		{"/items/{id}", "/items/7", true},
		{"/items/{id}", "/items/", false},
	}
	for _, tc := range tests {
		if _, got := matchPath(tc.route, tc.path); got != tc.want {
			t.Errorf("route %s, path %s: matched %v, want %v", tc.route, tc.path, got, tc.want)
		}
	}
}

// TestCloseStopsAnEnvironmentStillStarting closes the front while an
// environment is starting, which Close cannot see yet: it must not outlive the front.
func TestCloseStopsAnEnvironmentStillStarting(t *testing.T) {
	var f *Front
	started := make(chan int, 1)
	f = startFront(t, Options{Concurrency: 1, Started: func(pid int) {
		_ = f.Close()
		started <- pid
	}})
	// Close ends the request's connection too: no answer is expected.
	if resp, err := http.Get(f.URL + "/"); err == nil {
		resp.Body.Close()
	}
	pid := <-started
	deadline := time.Now().Add(10 * time.Second)
	for procgroup.Alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("environment pid %d still runs after the front closed", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAnEnvironmentRunsOnItsMemorysShareOfACPU(t *testing.T) {
	f := startFront(t, Options{Concurrency: 1, MemoryMB: 128})
	resp, body := get(t, f, "/x?burn=50", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var e echoed
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	if e.Memory != "128" {
		t.Errorf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE = %q, want 128", e.Memory)
	}
	// 50 ms of CPU (and the runtime's start) at 7.2 ms a 100 ms period cannot
	// run without waiting for the quota at least six times.
	if waited := f.Stats().CPUWaited; waited < 500*time.Millisecond {
		t.Errorf("the environment waited %s for its CPU, want at least 500ms: it ran on more than 128 MB's share", waited)
	}
}

func TestAMemoryLambdaDoesNotTakeIsRefused(t *testing.T) {
	for _, mb := range []int{64, 10241} {
		if _, err := Start("", Options{Bin: echoBin, Concurrency: 1, MemoryMB: mb}); err == nil || !strings.Contains(err.Error(), "128 to 10240") {
			t.Errorf("memory %d MB: %v, want it refused with Lambda's range", mb, err)
		}
	}
}
