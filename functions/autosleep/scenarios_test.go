package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// The traffic of the patterns, per task and minute, as a Fargate task's
// interface carries it (Container Insights counts the task's interface).
var (
	// quietTask: a task nobody uses moves nothing on its interface.
	quietTask = testworld.Traffic{}
	// healthChecks: an ALB target health check every 30 s from the nodes of two
	// Availability Zones (4 a minute, each a TCP handshake, a GET of about 150
	// bytes, a response of about 200, and the close) plus a log line every 10 s
	// through the task's interface: about 1,900 bytes in and 2,600 out a minute.
	healthChecks = testworld.Traffic{Rx: 1900, Tx: 2600}
	// lightUser: one small request a minute, about 300 bytes each way (781 on
	// the wire with a new connection's handshake: make bench-traffic).
	lightUser = testworld.Traffic{Rx: 300, Tx: 300}
	// pageView: a page and its assets, read for 4 minutes before the next click.
	pageView = testworld.Traffic{Rx: 900, Tx: 12000}
	// heartbeat: a WebSocket ping and pong every 30 s: 112 bytes on the wire
	// each (make bench-traffic), 224 a minute.
	heartbeat = testworld.Traffic{Rx: 112, Tx: 112}
	// slowHeartbeat: one ping and pong a minute.
	slowHeartbeat = testworld.Traffic{Rx: 56, Tx: 56}
	// burst: a busy minute.
	burst = testworld.Traffic{Rx: 400_000, Tx: 2_000_000}
)

// span is how many minutes of history each scenario writes: the window (10
// minutes) and then some.
const span = 16

// A scenario is a way a service is used, as each signal's source publishes it.
type scenario struct {
	name  string
	truth string // in use, idle, or unknown (too early, or no evidence)
	// woken is how long ago the service was woken.
	woken time.Duration
	// deploying: the owner's deployment is rolling out; failedWake: no task
	// ever ran; unreadable: CloudWatch fails (checked in a tick of its own).
	deploying, failedWake, unreadable bool
	network                           []testworld.Traffic
	requests, connections             []float64 // per minute, through the load balancer
	cpu                               []float64 // percent
	sessions                          []float64 // the app's own metric of active sessions
	// want is the decision per signal.
	want map[string]string
}

func each(v float64) []float64 {
	out := make([]float64, span)
	for i := range out {
		out[i] = v
	}
	return out
}

func pattern(f func(i int) float64) []float64 {
	out := make([]float64, span)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func traffic(f func(i int) testworld.Traffic) []testworld.Traffic {
	out := make([]testworld.Traffic, span)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func holes(vs []float64, at ...int) []float64 {
	out := slices.Clone(vs)
	for _, i := range at {
		out[i] = math.NaN()
	}
	return out
}

var signals = []string{"network", "requests", "cpu", "custom"}

func all(action string) map[string]string {
	return map[string]string{"network": action, "requests": action, "cpu": action, "custom": action}
}

func scenarios() []scenario {
	const slept, kept = "slept", "kept"
	quiet := testworld.Each(span, quietTask)
	missing := func() []testworld.Traffic {
		out := slices.Clone(quiet)
		for _, i := range []int{8, 9, 12} {
			out[i] = testworld.NoTraffic
		}
		return out
	}
	return []scenario{
		{name: "idle", truth: "idle", network: quiet, cpu: each(0.3), sessions: each(0), want: all(slept)},
		{name: "idle with background noise (health checks, logs)", truth: "idle", network: testworld.Each(span, healthChecks), cpu: each(1.2), sessions: each(0),
			want: map[string]string{"network": kept, "requests": slept, "cpu": kept, "custom": slept}},
		{name: "one light user (a small request a minute)", truth: "in use", network: testworld.Each(span, lightUser), requests: each(1), connections: each(1), cpu: each(0.4), sessions: each(1), want: all(kept)},
		{name: "a user who reads for 4 minutes between clicks", truth: "in use",
			network: traffic(func(i int) testworld.Traffic {
				if i%4 == 0 {
					return pageView
				}
				return quietTask
			}),
			requests:    pattern(func(i int) float64 { return float64(1 - min(i%4, 1)) }),
			connections: pattern(func(i int) float64 { return float64(1 - min(i%4, 1)) }),
			cpu:         each(0.4), sessions: each(1), want: all(kept)},
		{name: "a long-lived connection with a small heartbeat", truth: "in use", network: testworld.Each(span, heartbeat), connections: each(1), cpu: each(0.3), sessions: each(1), want: all(kept)},
		{name: "a long-lived connection with a heartbeat a minute", truth: "in use", network: testworld.Each(span, slowHeartbeat), connections: each(1), cpu: each(0.3), sessions: each(1), want: all(kept)},
		{name: "a burst, then silence", truth: "idle",
			network:  traffic(func(i int) testworld.Traffic { return map[bool]testworld.Traffic{true: burst, false: quietTask}[i < 4] }),
			requests: pattern(func(i int) float64 { return map[bool]float64{true: 300, false: 0}[i < 4] }),
			cpu:      pattern(func(i int) float64 { return map[bool]float64{true: 60, false: 0.3}[i < 4] }),
			sessions: pattern(func(i int) float64 { return map[bool]float64{true: 5, false: 0}[i < 4] }),
			want:     all(slept)},
		{name: "missing minutes", truth: "idle", network: missing(), cpu: holes(each(0.3), 8, 9, 12), sessions: holes(each(0), 8, 9, 12),
			want: map[string]string{"network": kept, "requests": slept, "cpu": kept, "custom": kept}},
		{name: "deployment in progress", truth: "in use", deploying: true, network: quiet, cpu: each(0.3), sessions: each(0), want: all(kept)},
		{name: "just woken (in grace)", truth: "in use", woken: 2 * time.Minute, network: quiet[span-2:], cpu: each(0.3)[span-2:], sessions: each(0)[span-2:], want: all(kept)},
		{name: "after grace, window not yet covered", truth: "unknown", woken: 7 * time.Minute, network: quiet[span-7:], cpu: each(0.3)[span-7:], sessions: each(0)[span-7:], want: all(kept)},
		{name: "failed wake (no task ever ran)", truth: "idle", failedWake: true, want: all(slept)},
		{name: "metric unreadable", truth: "idle", unreadable: true, network: quiet, cpu: each(0.3), sessions: each(0), want: all(kept)},
	}
}

// TestScenarioMatrix writes each scenario's history into the emulator as
// Container Insights, ALB, ECS and the app would publish it, runs one tick
// of the built function over all of them, and checks each decision. A
// metric that cannot be read is checked in a second tick. The table it logs
// is the one in the README.
func TestScenarioMatrix(t *testing.T) {
	w := testworld.Start(t)
	var services []map[string]any
	type cell struct{ scenario, signal, service string }
	var cells []cell
	for si, sc := range scenarios() {
		for _, sig := range signals {
			name := fmt.Sprintf("s%02d-%s", si, sig)
			cells = append(cells, cell{sc.name, sig, name})
			w.CreateService(t, name, 0)
			woken := sc.woken
			if woken == 0 {
				woken = time.Hour
			}
			w.Awake(t, name, 1, woken)
			if sc.deploying {
				w.Deploy(t, name)
			}
			if sc.failedWake {
				w.Gate.SetService(name, testworld.ServiceOverride{RunningCount: aws.Int32(0)})
			}
			lb, tg := "app/"+name+"/50dc6c495c0c9188", "targetgroup/"+name+"/73e2d6bc24d8a067"
			svc := service(name, 10)
			switch sig {
			case "network":
				w.ContainerInsights(t, name, 1, sc.network)
			case "requests":
				svc["idleSignal"], svc["loadBalancer"], svc["targetGroup"] = "requests", lb, tg
				w.LoadBalancerTraffic(t, lb, tg, sc.requests, sc.connections)
			case "cpu":
				svc["idleSignal"] = "cpu"
				w.ServiceCPU(t, name, sc.cpu)
				w.ContainerInsights(t, name, 1, sc.network)
			case "custom":
				svc["idleSignal"], svc["idleThreshold"] = "custom", 0
				svc["metric"] = map[string]any{"namespace": "App", "name": "ActiveSessions", "statistic": "Maximum", "dimensions": map[string]string{"Service": name}}
				w.Series(t, "App", "ActiveSessions", []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String(name)}}, cwtypes.StandardUnitCount, sc.sessions)
			}
			services = append(services, svc)
		}
	}
	var readable, unreadable []map[string]any
	for i, c := range cells {
		if c.scenario == "metric unreadable" {
			unreadable = append(unreadable, services[i])
		} else {
			readable = append(readable, services[i])
		}
	}
	got := actions(tick(t, w, readable))
	// The metric cannot be read: never slept, whatever the data says.
	w.Gate.SetFault("GetMetricData", testworld.Fault{Status: 500, Code: "InternalFailure"})
	maps.Copy(got, actions(tick(t, w, unreadable)))
	w.Gate.ClearFaults()

	wrong, missed := map[string]int{}, map[string]int{}
	rows := []string{"| scenario | in use? | network | requests | cpu | custom |", "|---|---|---|---|---|---|"}
	byName := map[string]scenario{}
	for _, sc := range scenarios() {
		byName[sc.name] = sc
	}
	row := map[string][]string{}
	for i, c := range cells {
		sc := byName[c.scenario]
		action, _, _ := strings.Cut(got[c.service], ":")
		if action != sc.want[c.signal] {
			t.Errorf("%s / %s: %q, want %s", c.scenario, c.signal, got[c.service], sc.want[c.signal])
		}
		if action == "slept" && sc.truth != "idle" {
			wrong[c.signal]++
		}
		if action == "kept" && sc.truth == "idle" {
			missed[c.signal]++
		}
		row[c.scenario] = append(row[c.scenario], action)
		if i%len(signals) == len(signals)-1 {
			rows = append(rows, fmt.Sprintf("| %s | %s | %s |", c.scenario, sc.truth, strings.Join(row[c.scenario], " | ")))
		}
	}
	var w1, m1 []string
	for _, sig := range signals {
		w1 = append(w1, fmt.Sprint(wrong[sig]))
		m1 = append(m1, fmt.Sprint(missed[sig]))
	}
	rows = append(rows, fmt.Sprintf("| **wrong sleeps** | | %s |", strings.Join(w1, " | ")), fmt.Sprintf("| **missed sleeps** | | %s |", strings.Join(m1, " | ")))
	t.Log("\n" + strings.Join(rows, "\n"))
	for _, sig := range signals {
		if wrong[sig] > 0 {
			t.Errorf("%s: %d services in use put to sleep", sig, wrong[sig])
		}
	}
	if t.Failed() {
		for _, c := range cells {
			t.Logf("%s / %s: %s", c.scenario, c.signal, got[c.service])
		}
	}
}
