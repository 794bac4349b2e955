package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

type report struct {
	DryRun   bool           `json:"dryRun"`
	Summary  map[string]int `json:"summary"`
	Services []struct {
		Service, Action, Reason, Notice string
	} `json:"services"`
	Databases []struct {
		ID, Status, Action, Reason string
	} `json:"databases"`
}

// tick runs the built binary once (outside Lambda it evaluates and prints JSON).
func tick(t *testing.T, w *testworld.World, services []map[string]any, extra ...string) report {
	t.Helper()
	rep, _ := tickWithLog(t, w, services, extra...)
	return rep
}

// tickWithLog is tick that also returns the process's output, its log lines included.
func tickWithLog(t *testing.T, w *testworld.World, services []map[string]any, extra ...string) (report, string) {
	t.Helper()
	p := testworld.StartProcess(t, autosleepBin, servicesEnv(t, w, services, extra...))
	if !p.Wait(60 * time.Second) {
		t.Fatal("the tick did not finish within 60 s")
	}
	out := p.Output()
	var rep report
	if err := json.Unmarshal([]byte(printed(out)), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	return rep, out
}

// printed is the indented JSON the binary prints, after any one-line JSON log lines.
func printed(out string) string {
	if i := strings.Index(out, "{\n"); i >= 0 {
		return out[i:]
	}
	return out
}

// servicesEnv writes services as the list Auto-Sleep reads (SERVICES_FILE)
// and returns the world's environment with it, logging warnings only.
func servicesEnv(t *testing.T, w *testworld.World, services any, extra ...string) []string {
	t.Helper()
	list, err := json.Marshal(services)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "services.json")
	if err := os.WriteFile(file, list, 0o600); err != nil {
		t.Fatal(err)
	}
	return w.Env(append([]string{"SERVICES_FILE=" + file, "LOG_LEVEL=warn"}, extra...)...)
}

func service(name string, window int) map[string]any {
	return map[string]any{"name": name, "cluster": testworld.Cluster, "host": name + ".example", "port": 18080, "sleepAfterMinutes": window, "graceMinutes": 5}
}

func actions(rep report) map[string]string {
	out := map[string]string{}
	for _, s := range rep.Services {
		out[s.Service] = s.Action + ": " + s.Reason
	}
	return out
}

func TestActiveKeptIdleSleptAndRestoredOnTheNextWake(t *testing.T) {
	w := testworld.Start(t)
	for _, s := range []string{"busy", "quiet", "silent", "fresh", "asleep"} {
		w.CreateService(t, s, 0)
	}
	w.Awake(t, "busy", 1, time.Hour)
	w.Awake(t, "quiet", 2, time.Hour)
	w.Awake(t, "silent", 1, time.Hour)
	w.Awake(t, "fresh", 1, time.Minute)
	w.NetworkBytes(t, "busy", 10, 5_000_000)
	w.NetworkBytes(t, "quiet", 10, 60)
	w.NetworkBytes(t, "fresh", 10, 600)
	// "silent" has no datapoint at all: unknown, never idle.
	services := []map[string]any{service("busy", 5), service("quiet", 5), service("silent", 5), service("fresh", 5), service("asleep", 5)}

	// A tick over services that all sleep writes no metric: a sleeping service costs nothing.
	if _, out := tickWithLog(t, w, []map[string]any{service("asleep", 5)}); len(emftest.Parse(t, out)) != 0 {
		t.Fatalf("a tick over a sleeping service wrote metric lines:\n%s", out)
	}
	dry, dryLog := tickWithLog(t, w, services, "DRY_RUN=true")
	if !dry.DryRun || !strings.HasPrefix(actions(dry)["quiet"], "slept") || w.Desired(t, "quiet") != 2 {
		t.Fatalf("dry run: %v; desired %d", actions(dry), w.Desired(t, "quiet"))
	}
	if docs := emftest.Parse(t, dryLog); len(docs) != 0 {
		t.Fatalf("a dry run wrote %d metric lines", len(docs))
	}

	w.Gate.ResetCounts()
	rep, tickLog := tickWithLog(t, w, services)
	checkTickMetrics(t, tickLog)
	got := actions(rep)
	want := map[string]string{"busy": "kept", "quiet": "slept", "silent": "kept", "fresh": "kept", "asleep": "skipped"}
	for s, a := range want {
		if !strings.HasPrefix(got[s], a) {
			t.Errorf("%s: %q, want %s", s, got[s], a)
		}
	}
	if w.Desired(t, "quiet") != 0 || w.Desired(t, "busy") != 1 || w.Desired(t, "silent") != 1 {
		t.Fatalf("desired counts quiet %d busy %d silent %d", w.Desired(t, "quiet"), w.Desired(t, "busy"), w.Desired(t, "silent"))
	}
	if n := w.Gate.Count("GetMetricData"); n != 1 {
		t.Fatalf("%d GetMetricData calls, want 1", n)
	}

	// The next visit wakes "quiet" back to the 2 tasks it had.
	woke := time.Now()
	addr := testworld.FreeAddr(t)
	p := testworld.StartProcess(t, wakeBin, w.Env("CLUSTER_NAME="+testworld.Cluster, "SERVICE_NAME=quiet", "APP_PORT=18080", "LISTEN_ADDR="+addr))
	testworld.WaitListening(t, p, addr)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := w.Desired(t, "quiet"); d != 2 {
		t.Fatalf("desired %d after the wake, want the 2 it had before sleeping", d)
	}
	checkHistoryCycles(t, w, services, "quiet", addr, woke)
}

func TestAMetricReadErrorNeverSleeps(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "quiet", 0)
	w.Awake(t, "quiet", 1, time.Hour)
	w.NetworkBytes(t, "quiet", 10, 100)
	for _, f := range []testworld.Fault{{Status: 500, Code: "InternalFailure"}, {Status: 400, Code: "Throttling"}, {Status: 403, Code: "AccessDenied"}} {
		t.Run(f.Code, func(t *testing.T) {
			w.Gate.SetFault("GetMetricData", f)
			defer w.Gate.ClearFaults()
			rep := tick(t, w, []map[string]any{service("quiet", 5)})
			if a := actions(rep)["quiet"]; !strings.HasPrefix(a, "kept") || !strings.Contains(a, "could not be read") {
				t.Fatalf("quiet: %q, want kept because the signal could not be read", a)
			}
			if w.Desired(t, "quiet") != 1 {
				t.Fatal("slept on a read error")
			}
		})
	}
}

// TestOneTickOverAThousandServices: 1,000 services, 100 of them awake (half of
// those idle). One tick makes 100 DescribeServices calls, 1 GetMetricData
// call, no call about the 900 asleep, and sleeps exactly the idle ones.
func TestOneTickOverAThousandServices(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 1,000 services in the emulator")
	}
	w := testworld.Start(t)
	var services []map[string]any
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("s%04d", i)
		services = append(services, service(names[i], 5))
	}
	w.CreateServices(t, names)
	idle := map[string]bool{}
	for i := 0; i < 1000; i += 10 {
		w.Awake(t, names[i], 1, time.Hour)
		bytes := 5_000_000.0
		if i%20 == 0 {
			idle[names[i]], bytes = true, 60
		}
		w.NetworkBytes(t, names[i], 6, bytes)
	}
	w.Gate.ResetCounts()
	start := time.Now()
	rep := tick(t, w, services)
	took := time.Since(start)
	calls := w.Gate.Calls()
	if calls["DescribeServices"] != 100 || calls["GetMetricData"] != 1 || calls["ListTasks"] != 0 || calls["DescribeTasks"] != 0 {
		t.Fatalf("calls %v, want 100 DescribeServices, 1 GetMetricData, no task calls", calls)
	}
	if calls["UpdateService"] != len(idle) {
		t.Fatalf("%d UpdateService calls, want %d", calls["UpdateService"], len(idle))
	}
	for _, s := range rep.Services {
		wantSlept := idle[s.Service]
		if (s.Action == "slept") != wantSlept {
			t.Fatalf("%s: %s (%s), idle %v", s.Service, s.Action, s.Reason, wantSlept)
		}
	}
	if rep.Summary["slept"] != 50 || rep.Summary["kept"] != 50 || rep.Summary["skipped"] != 900 {
		t.Fatalf("summary %v", rep.Summary)
	}
	t.Logf("1,000 services (100 awake): tick took %s (process start to exit) with calls %v", took.Round(time.Millisecond), calls)
}

// TestOneLightUserKeepsTheServiceAwake: one visitor making one small request
// (300 bytes each way) a minute is, as Container Insights reports it, 5
// bytes/second each way in every minute's datapoint. That is a service in use.
func TestOneLightUserKeepsTheServiceAwake(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "light", 0)
	w.Awake(t, "light", 1, time.Hour)
	w.ContainerInsights(t, "light", 1, testworld.Each(20, testworld.Traffic{Rx: 300, Tx: 300}))
	rep := tick(t, w, []map[string]any{service("light", 15)})
	if a := actions(rep)["light"]; !strings.HasPrefix(a, "kept: in use") || w.Desired(t, "light") != 1 {
		t.Fatalf("light: %q (desired %d), want kept because it is in use", a, w.Desired(t, "light"))
	}
}

// TestCalibrateReadsTheServicesDayFromCloudWatch: the operator's calibrate,
// through the built binary, on three hours of health checks and a visitor
// every five minutes, as Container Insights publishes them.
func TestCalibrateReadsTheServicesDayFromCloudWatch(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "cal", 0)
	w.Awake(t, "cal", 1, 4*time.Hour)
	minutes := make([]testworld.Traffic, 180)
	for i := range minutes {
		minutes[i] = testworld.Traffic{Rx: 1900, Tx: 2600} // health checks and logs
		if i%5 == 0 {
			minutes[i] = testworld.Traffic{Rx: 2800, Tx: 14600} // and a page view
		}
	}
	w.ContainerInsights(t, "cal", 1, minutes)
	env := servicesEnv(t, w, []map[string]any{service("cal", 15)})
	p := testworld.StartProcess(t, autosleepBin, env, "invoke", `{"action":"calibrate","service":"cal"}`)
	if !p.Wait(60 * time.Second) {
		t.Fatal("calibrate did not finish within 60 s")
	}
	out := p.Output()
	var c struct {
		MinutesWithData int `json:"minutesWithData"`
		Distribution    struct {
			Min, P10, Median, P90, Max float64
		} `json:"distribution"`
		Suggested float64 `json:"suggestedThreshold"`
		Unit      string  `json:"unit"`
	}
	if err := json.Unmarshal([]byte(printed(out)), &c); err != nil {
		t.Fatalf("calibrate answered no JSON: %v\n%s", err, out)
	}
	d := c.Distribution
	if c.MinutesWithData != 180 || d.Min != 75 || d.P10 != 75 || d.Median != 75 || d.P90 != 290 || d.Max != 290 || !strings.Contains(c.Unit, "bytes/second") {
		t.Fatalf("calibration %+v:\n%s", c, out)
	}
	if c.Suggested <= d.P10 || c.Suggested >= d.P90 {
		t.Fatalf("suggested threshold %v: want it above the quiet minutes (%v) and below the visits (%v)", c.Suggested, d.P10, d.P90)
	}
}

// TestContainerInsightsOffIsSaidAtStartAndInTheReport: with the cluster's
// containerInsights setting disabled, the network signal has no data; the
// function says so when it starts and in the service's reason.
func TestContainerInsightsOffIsSaidAtStartAndInTheReport(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "dark", 0)
	w.Awake(t, "dark", 1, time.Hour)
	w.ContainerInsightsSetting(t, "disabled")
	env := servicesEnv(t, w, []map[string]any{service("dark", 15)})
	p := testworld.StartProcess(t, autosleepBin, env)
	if !p.Wait(60 * time.Second) {
		t.Fatal("the tick did not finish within 60 s")
	}
	out := p.Output()
	if !strings.Contains(out, "Container Insights is off for the cluster") || !strings.Contains(out, "update-cluster-settings --cluster "+testworld.Cluster) {
		t.Fatalf("no start-up warning:\n%s", out)
	}
	var rep report
	if err := json.Unmarshal([]byte(printed(out)), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	if a := actions(rep)["dark"]; !strings.HasPrefix(a, "kept") || !strings.Contains(a, "Container Insights is off for cluster "+testworld.Cluster) {
		t.Fatalf("dark: %q", a)
	}
	w.ContainerInsightsSetting(t, "enabled")
	rep = tick(t, w, []map[string]any{service("dark", 15)})
	if a := actions(rep)["dark"]; strings.Contains(a, "is off") {
		t.Fatalf("with Container Insights on: %q", a)
	}
}

// TestAServiceWithAShortARNStillSleeps: ECS refuses to tag a service with an
// old short ARN (the gate does too). An idle one is put to sleep all the same,
// one whose tasks keep failing is scaled back to 0 from ECS's own count, and
// the report says what the short ARN costs and how to migrate.
func TestAServiceWithAShortARNStillSleeps(t *testing.T) {
	w := testworld.Start(t)
	for _, s := range []string{"old-idle", "old-failing"} {
		w.CreateService(t, s, 0)
		w.SetDesired(t, s, 1)
	}
	w.Gate.SetService("old-idle", testworld.ServiceOverride{ShortARN: true})
	w.Gate.SetService("old-failing", testworld.ServiceOverride{ShortARN: true, RunningCount: aws.Int32(0), FailedTasks: 3})
	w.NetworkBytes(t, "old-idle", 20, 0)
	rep := tick(t, w, []map[string]any{service("old-idle", 10), service("old-failing", 10)})
	got := actions(rep)
	if !strings.HasPrefix(got["old-idle"], "slept: idle") || w.Desired(t, "old-idle") != 0 {
		t.Errorf("old-idle: %q (desired %d), want slept though it cannot be tagged", got["old-idle"], w.Desired(t, "old-idle"))
	}
	if !strings.HasPrefix(got["old-failing"], "slept: no task runs and ECS counts 3 failed tasks") || w.Desired(t, "old-failing") != 0 {
		t.Errorf("old-failing: %q (desired %d), want slept as a failed wake", got["old-failing"], w.Desired(t, "old-failing"))
	}
	for _, s := range rep.Services {
		if !strings.Contains(s.Notice, "short ARN") || !strings.Contains(s.Notice, "serviceLongArnFormat") {
			t.Errorf("%s: notice %q, want the short ARN and how to migrate", s.Service, s.Notice)
		}
	}
}

// checkTickMetrics reads the metric lines of a tick over busy (1 task), quiet
// (2, put to sleep), silent and fresh (1 each) and a service asleep, written
// at LOG_LEVEL=warn: metrics are not log chatter.
func checkTickMetrics(t *testing.T, out string) {
	t.Helper()
	docs := emftest.Parse(t, out)
	for service, tasks := range map[string]float64{"busy": 1, "quiet": 2, "silent": 1, "fresh": 1} {
		lines := emftest.With(docs, metrics.TasksAwake, service)
		if len(lines) != 1 || lines[0].Metrics[metrics.TasksAwake] != tasks {
			t.Fatalf("%s: TasksAwake lines %+v, want one of %v", service, lines, tasks)
		}
	}
	if n := len(emftest.With(docs, metrics.TasksAwake, "asleep")); n != 0 {
		t.Fatalf("the service asleep has %d lines, want none", n)
	}
	slept := emftest.With(docs, metrics.ServicesSlept, "")
	if len(slept) != 1 || slept[0].Dims[metrics.DimService] != "quiet" || slept[0].Dims[metrics.DimRule] != "idle signal" {
		t.Fatalf("ServicesSlept lines %+v, want quiet's, by the idle signal", slept)
	}
	if eval := emftest.With(docs, metrics.EvaluationSeconds, ""); len(eval) != 1 || eval[0].Dims[metrics.DimFunction] != "autosleep" {
		t.Fatalf("EvaluationSeconds lines %+v, want one for the tick", eval)
	}
}
