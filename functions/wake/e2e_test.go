package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

const appPort = 18080

// client never follows redirects: the tests look at them.
var client = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// startWake runs the built Wake binary against the world, serving HTTP on a free loopback port.
func startWake(t *testing.T, w *testworld.World, service string, extra ...string) string {
	t.Helper()
	base, _ := startWakeProcess(t, w, service, extra...)
	return base
}

// startWakeProcess is startWake that also returns the process, to read its log.
func startWakeProcess(t *testing.T, w *testworld.World, service string, extra ...string) (string, *testworld.Process) {
	t.Helper()
	addr := testworld.FreeAddr(t)
	env := w.Env(append([]string{
		"CLUSTER_NAME=" + testworld.Cluster,
		"SERVICE_NAME=" + service,
		"APP_PORT=" + strconv.Itoa(appPort),
		"LISTEN_ADDR=" + addr,
		"OBSERVE_TTL_MS=200",
		"LOG_LEVEL=debug",
	}, extra...)...)
	p := testworld.StartProcess(t, wakeBin, env)
	testworld.WaitListening(t, p, addr)
	return "http://" + addr, p
}

type status struct {
	State          string `json:"state"`
	Stage          string `json:"stage"`
	ElapsedSeconds int    `json:"elapsedSeconds"`
	Location       string `json:"location"`
	Message        string `json:"message"`
}

func getStatus(t *testing.T, base, path string) status {
	t.Helper()
	resp, err := client.Get(base + "/_wake/status?path=" + url.QueryEscape(path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("status is not JSON: %v", err)
	}
	return st
}

func visit(t *testing.T, base, path, accept string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func waitForStatus(t *testing.T, base, path string, within time.Duration, want func(status) bool) status {
	t.Helper()
	var last status
	testworld.Eventually(t, within, "status", func() bool {
		last = getStatus(t, base, path)
		return want(last)
	})
	return last
}

func TestWholeWakeCycle(t *testing.T) {
	tests := []struct {
		name       string
		healthPath string
	}{
		{"ready when the app port accepts connections", ""},
		{"ready when the health path answers 2xx", "/healthz"},
	}
	w := testworld.Start(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			service := fmt.Sprintf("cycle-%d", i)
			w.CreateService(t, service, 0)
			var extra []string
			if tc.healthPath != "" {
				extra = append(extra, "HEALTH_PATH="+tc.healthPath)
			}
			base, p := startWakeProcess(t, w, service, extra...)

			if st := getStatus(t, base, "/"); st.State != "asleep" {
				t.Fatalf("before any visit: %q, want asleep", st.State)
			}
			if w.Desired(t, service) != 0 {
				t.Fatal("the status endpoint woke the service")
			}
			if docs := emftest.Parse(t, p.Output()); len(docs) != 0 {
				t.Fatalf("a service asleep, nobody waking it, wrote %d metric lines", len(docs))
			}

			resp, body := visit(t, base, "/some/path?x=1", "text/html")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
				t.Fatalf("first visit: %d, want the wait page", resp.StatusCode)
			}
			if w.Desired(t, service) != 1 {
				t.Fatal("the first visit did not scale the service up")
			}
			if st := getStatus(t, base, "/"); st.State != "waking" || st.Stage != "no-task" {
				t.Fatalf("scaled up, no task: %+v", st)
			}
			// The environment that woke it writes the wake's start with its next request.
			if _, err := time.Parse(time.RFC3339, w.Tags(t, service)["scale-to-zero:woken-at"]); err != nil {
				t.Fatalf("woken-at tag: %v", err)
			}

			// The task runs and has a public IP, but the app does not answer yet: no redirect.
			task := w.RunTask(t, service)
			st := waitForStatus(t, base, "/", 5*time.Second, func(s status) bool { return s.Stage == "starting-app" })
			if st.State != "waking" {
				t.Fatalf("running task, app silent: %+v", st)
			}
			if resp, _ := visit(t, base, "/some/path?x=1", "text/html"); resp.StatusCode != http.StatusOK {
				t.Fatalf("visit while the app is silent: %d, want 200 wait page (no redirect)", resp.StatusCode)
			}

			// The app answers: the visitor goes to it, path and query kept.
			answerAsTheApp(t, testworld.Listen(t, task.IP, appPort), tc.healthPath)
			want := "http://" + task.IP + ":" + strconv.Itoa(appPort) + "/some/path?x=1"
			st = waitForStatus(t, base, "/some/path?x=1", 5*time.Second, func(s status) bool { return s.State == "ready" })
			if st.Location != want {
				t.Fatalf("status location %q, want %q", st.Location, want)
			}
			resp, _ = visit(t, base, "/some/path?x=1", "text/html")
			if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != want {
				t.Fatalf("ready visit: %d to %q, want 307 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
			}
			checkWakeMetrics(t, p, service)
		})
	}
}

// answerAsTheApp answers on l as the app: its health path with 204 (other paths 404), or, without one, accepts connections.
func answerAsTheApp(t *testing.T, l net.Listener, healthPath string) {
	if healthPath != "" {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == healthPath {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.WriteHeader(http.StatusNotFound)
		})}
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { _ = srv.Close() })
		return
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

func TestFiftyConcurrentFirstVisitsMakeOneScaleUp(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "crowd", 0)
	base := startWake(t, w, "crowd", "WAKE_COUNT=2")
	w.Gate.ResetCounts()

	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range 50 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
			req.Header.Set("Accept", "text/html")
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("visitor %d got %d, want the 200 wait page", i, c)
		}
	}
	if n := w.Gate.Count("UpdateService"); n != 1 {
		t.Fatalf("UpdateService called %d times for 50 visitors, want 1", n)
	}
	if d := w.Desired(t, "crowd"); d != 2 {
		t.Fatalf("desired %d, want the wake count 2", d)
	}
	t.Logf("API calls for 50 concurrent first visits: %v", w.Gate.Calls())
}

func TestATaskThatStopsFailsTheWakeInPlainWords(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "broken", 0)
	base := startWake(t, w, "broken")
	visit(t, base, "/", "text/html")
	task := w.RunTask(t, "broken")
	w.StopTask(t, task, "Essential container in task exited")

	st := waitForStatus(t, base, "/", 5*time.Second, func(s status) bool { return s.State == "failed" })
	if st.Message == "" || strings.Contains(st.Message, "arn:") {
		t.Fatalf("failure message %q: want plain words without ARNs", st.Message)
	}
	resp, body := visit(t, base, "/", "text/html")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "arn:") || strings.Contains(body, task.ARN) {
		t.Fatalf("failed page: %d, ARN shown: %v", resp.StatusCode, strings.Contains(body, "arn:"))
	}
	if !strings.Contains(body, st.Message) || !strings.Contains(body, "Try again") {
		t.Fatalf("failed page lacks the reason or the retry:\n%s", body)
	}
	if strings.Contains(body, `id="retry" method="post" action="/_wake/retry" hidden`) {
		t.Fatal("retry form hidden on the failed page")
	}
}

func TestAWSErrorsNeverReachTheVisitorAsA500(t *testing.T) {
	faults := []testworld.Fault{
		{Status: 400, Code: "ThrottlingException"},
		{Status: 500, Code: "ServerException"},
		{Status: 503, Code: "ServiceUnavailableException"},
	}
	w := testworld.Start(t)
	w.CreateService(t, "flaky", 0)
	base := startWake(t, w, "flaky")
	for _, f := range faults {
		t.Run(f.Code, func(t *testing.T) {
			before := w.Gate.Faulted()
			w.Gate.SetFault("*", f)
			defer w.Gate.ClearFaults()
			// Visit until the function has really met the error (its shared view expires first).
			testworld.Eventually(t, 10*time.Second, "the function meets the injected error", func() bool {
				resp, body := visit(t, base, "/x", "text/html")
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
					t.Fatalf("browser got %d, want the 200 wait page", resp.StatusCode)
				}
				resp, _ = visit(t, base, "/x", "application/json")
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
					t.Fatalf("API client got %d, want 503 with Retry-After", resp.StatusCode)
				}
				return w.Gate.Faulted() > before
			})
		})
	}
	// Once AWS answers again, the next visit wakes the service.
	testworld.Eventually(t, 5*time.Second, "wake after the errors stop", func() bool {
		visit(t, base, "/x", "text/html")
		return w.Desired(t, "flaky") == 1
	})
}

// TestWakeDurationsAreKeptInATagECSAccepts: ECS takes tag values of
// [\p{L}\p{Z}\p{N}_.:/=+\-@]* only (the gate refuses others as ECS does), so
// the wake durations are kept space-separated, and the history grows.
func TestWakeDurationsAreKeptInATagECSAccepts(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "durations", 0)
	w.Tag(t, "durations", "scale-to-zero:wake-seconds", "41")
	base := startWake(t, w, "durations")
	if resp, _ := visit(t, base, "/", "text/html"); resp.StatusCode != http.StatusOK {
		t.Fatalf("first visit: %d", resp.StatusCode)
	}
	task := w.RunTask(t, "durations")
	l := testworld.Listen(t, task.IP, appPort)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	waitForStatus(t, base, "/", 10*time.Second, func(s status) bool { return s.State == "ready" })
	var got string
	testworld.Eventually(t, 10*time.Second, "the wake's duration is added to the tag", func() bool {
		getStatus(t, base, "/") // the environment that woke it writes its tags with its next request
		got = w.Tags(t, "durations")["scale-to-zero:wake-seconds"]
		return strings.HasPrefix(got, "41 ")
	})
	if fields := strings.Fields(got); len(fields) != 2 || !testworld.TagValueOK(got) {
		t.Fatalf("wake-seconds %q, want two durations in a value ECS accepts", got)
	}
}

// TestAFailedWakeSaysWhyInPlainWords: for the common failures, ECS's own
// stoppedReason, stop code and container reasons (as the stopped-task error
// list documents them) become words a visitor can read, without ARNs.
func TestAFailedWakeSaysWhyInPlainWords(t *testing.T) {
	exit := func(n int32) *int32 { return &n }
	app := func(reason string, code *int32) []testworld.StoppedContainer {
		return []testworld.StoppedContainer{{Name: "app", Reason: reason, ExitCode: code}}
	}
	tests := []struct {
		name, reason string
		stop         testworld.Stop
		want         string
	}{
		{"out of memory", "Essential container in task exited",
			testworld.Stop{StopCode: "EssentialContainerExited", Containers: app("OutOfMemoryError: Container killed due to memory usage", exit(137))}, "ran out of memory"},
		{"the app exits", "Essential container in task exited",
			testworld.Stop{StopCode: "EssentialContainerExited", Containers: app("", exit(1))}, "exited with code 1"},
		{"the image cannot be pulled", "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2: not found",
			testworld.Stop{StopCode: "TaskFailedToStart"}, "image could not be downloaded"},
		{"secrets cannot be read", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException",
			testworld.Stop{StopCode: "TaskFailedToStart"}, "secrets could not be read"},
		{"the network is not set up in time", "Timeout waiting for network interface provisioning to complete.",
			testworld.Stop{StopCode: "TaskFailedToStart"}, "network could not be set up"},
		{"load balancer health checks", "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067)",
			testworld.Stop{StopCode: "ServiceSchedulerInitiated"}, "load balancer's health checks"},
		{"container health checks", "Task failed container health checks",
			testworld.Stop{StopCode: "ServiceSchedulerInitiated"}, "its own health check"},
		{"Spot interruption", "Your Spot Task was interrupted.",
			testworld.Stop{StopCode: "SpotInterruption"}, "Fargate Spot took the task back"},
		{"no Fargate capacity", "Capacity is unavailable at this time. Please try again later or in a different availability zone",
			testworld.Stop{StopCode: "TaskFailedToStart"}, "no Fargate capacity"},
	}
	w := testworld.Start(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			service := fmt.Sprintf("failing-%d", i)
			w.CreateService(t, service, 0)
			base := startWake(t, w, service)
			visit(t, base, "/", "text/html")
			task := w.RunTask(t, service)
			w.FailTask(t, task, tc.reason, tc.stop)
			st := waitForStatus(t, base, "/", 5*time.Second, func(s status) bool { return s.State == "failed" })
			if !strings.Contains(st.Message, tc.want) || strings.Contains(st.Message, "arn:") || strings.Contains(st.Message, "123456789012") {
				t.Fatalf("message %q, want %q in plain words", st.Message, tc.want)
			}
		})
	}
}

// TestAShortARNServiceStillReportsAFailedWake: ECS refuses to tag a service
// with an old short ARN, so no wake time can be written; the wake is judged
// from the tasks ECS reports, and a task that stops fails it in plain words.
func TestAShortARNServiceStillReportsAFailedWake(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "old", 0)
	w.Gate.SetService("old", testworld.ServiceOverride{ShortARN: true})
	base := startWake(t, w, "old")
	visit(t, base, "/", "text/html")
	if w.Desired(t, "old") != 1 {
		t.Fatal("the visit did not wake the service")
	}
	task := w.RunTask(t, "old")
	w.FailTask(t, task, "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref app:v2: not found", testworld.Stop{StopCode: "TaskFailedToStart"})
	st := waitForStatus(t, base, "/", 5*time.Second, func(s status) bool { return s.State == "failed" })
	if !strings.Contains(st.Message, "image could not be downloaded") {
		t.Fatalf("message %q", st.Message)
	}
	if _, tagged := w.Tags(t, "old")["scale-to-zero:woken-at"]; tagged {
		t.Fatal("a short-ARN service was tagged: ECS would refuse it")
	}
}

// checkWakeMetrics reads the process's metric lines after one whole wake:
// each an EMF document, one wake started, its duration once, and the
// answers served while it woke, written when it became ready.
func checkWakeMetrics(t *testing.T, p *testworld.Process, service string) {
	t.Helper()
	var docs []emftest.Doc
	// The log reaches the test through a pipe: wait for the last line the wake writes.
	testworld.Eventually(t, 5*time.Second, "the wake's metric lines", func() bool {
		docs = emftest.Parse(t, p.Output())
		return len(emftest.With(docs, metrics.VisitorsWhileWaking, service)) > 0 && len(emftest.With(docs, metrics.WakeSeconds, service)) > 0
	})
	started := emftest.With(docs, metrics.WakesStarted, service)
	took := emftest.With(docs, metrics.WakeSeconds, service)
	switch {
	case len(started) != 1 || started[0].Metrics[metrics.WakesStarted] != 1:
		t.Fatalf("WakesStarted lines %+v, want one of 1", started)
	case len(took) != 1 || took[0].Metrics[metrics.WakeSeconds] <= 0 || took[0].Metrics[metrics.WakeSeconds] > 60:
		t.Fatalf("WakeSeconds lines %+v, want one, of the wake's few seconds", took)
	case emftest.Sum(emftest.With(docs, metrics.VisitorsWhileWaking, service), metrics.VisitorsWhileWaking) < 3:
		// The first visit, the status polls while the app was silent, the visit then.
		t.Fatalf("VisitorsWhileWaking %v, want at least the 3 answers served while waking", emftest.Sum(docs, metrics.VisitorsWhileWaking))
	case len(emftest.With(docs, metrics.WakesFailed, "")) != 0:
		t.Fatal("a wake that succeeded was counted as failed")
	}
	for _, d := range docs {
		if d.Namespaces[0] != "ScaleToZero" || d.Line["service"] != service || d.Line["function"] != "wake" {
			t.Fatalf("line %v: want the default namespace, naming the function and the service", d.Line)
		}
	}
}
