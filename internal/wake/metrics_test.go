package wake

import (
	"log/slog"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
)

// metered returns a controller on the clock that writes its metrics to the log.
func metered(svcs Services, prober Prober, clk *clock) (*Controller, *emftest.Log) {
	out := &emftest.Log{}
	m := metrics.New(slog.New(slog.NewJSONHandler(out, nil)), "ScaleToZero", "wake")
	c := New(svcs, prober, Options{ObserveEvery: time.Second, Metrics: m}, quietLog())
	c.now = clk.Now
	return c, out
}

func TestAWakeWritesItsStartAndItsDurationOnce(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	prober := &fakeProber{}
	c, out := metered(svcs, prober, clk)
	c.Wake(ctx, testService())
	c.Wake(ctx, testService()) // a second visitor: no second scale-up
	clk.Advance(30 * time.Second)
	svcs.mu.Lock()
	svcs.svc.Tasks = []ecsservice.Task{{ID: "t1", LastStatus: "RUNNING", PublicIP: "127.0.0.10"}}
	svcs.mu.Unlock()
	c.Status(ctx, testService())
	prober.set("127.0.0.10", true)
	clk.Advance(1500 * time.Millisecond)
	for range 3 {
		if st := c.Status(ctx, testService()); st.State != Ready {
			t.Fatalf("state %q, want ready", st.State)
		}
	}
	docs := out.Docs(t)
	started := emftest.With(docs, metrics.WakesStarted, "web")
	took := emftest.With(docs, metrics.WakeSeconds, "web")
	if len(started) != 1 || started[0].Metrics[metrics.WakesStarted] != 1 || started[0].Units[metrics.WakesStarted] != "Count" {
		t.Fatalf("WakesStarted lines %+v, want one of 1", started)
	}
	if len(took) != 1 || took[0].Metrics[metrics.WakeSeconds] != 31.5 || took[0].Units[metrics.WakeSeconds] != "Seconds" {
		t.Fatalf("WakeSeconds lines %+v, want one of 31.5 s", took)
	}
	if d := took[0]; d.Dims[metrics.DimCluster] != "demo" || len(d.Sets) != 1 || len(d.Sets[0]) != 2 {
		t.Fatalf("dimensions %v sets %v, want [Service Cluster]", d.Dims, d.Sets)
	}
}

func TestAServiceNobodyWakesWritesNoMetric(t *testing.T) {
	tests := []struct {
		name string
		svc  ecsservice.Service
		ask  func(c *Controller)
	}{
		{"an asleep service's status", ecsservice.Service{ARN: "arn:svc"}, func(c *Controller) { c.Status(ctx, testService()) }},
		{"an asleep service's polls", ecsservice.Service{ARN: "arn:svc"}, func(c *Controller) { c.Poll(ctx, testService(), "") }},
		{"a visit to a service already awake", ecsservice.Service{ARN: "arn:svc", DesiredCount: 1}, func(c *Controller) { c.Wake(ctx, testService()) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			c, out := metered(&fakeServices{svc: tc.svc}, &fakeProber{}, clk)
			for range 3 {
				tc.ask(c)
				clk.Advance(2 * time.Second)
			}
			if docs := out.Docs(t); len(docs) != 0 {
				t.Fatalf("%d metric lines, want none: %+v", len(docs), docs)
			}
		})
	}
}

func TestAFailedWakeIsCountedOnceWithItsClass(t *testing.T) {
	stoppedBy := func(reason string, containers ...ecsservice.Container) func(now time.Time) ecsservice.Service {
		return func(now time.Time) ecsservice.Service {
			woken, stopped := now.Add(-40*time.Second), now.Add(-10*time.Second)
			return ecsservice.Service{ARN: "arn:svc", DesiredCount: 1, WokenAt: &woken,
				Stopped: []ecsservice.Task{{ID: "t1", LastStatus: "STOPPED", StoppedReason: reason, StoppedAt: &stopped, Containers: containers}}}
		}
	}
	exit := int32(1)
	tests := []struct {
		name  string
		svc   func(now time.Time) ecsservice.Service
		class string
	}{
		{"an image that cannot be pulled", stoppedBy("CannotPullContainerError: pull image manifest has been retried 5 time(s)"), "image-pull"},
		{"a container health check", stoppedBy("Task failed container health checks"), "health-check"},
		{"a load balancer's health check", stoppedBy("Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:…)"), "health-check"},
		{"no Fargate capacity", stoppedBy("Capacity is unavailable at this time. Please try again later or in a different availability zone"), "capacity"},
		{"a Spot interruption", stoppedBy("Your Spot Task was interrupted."), "capacity"},
		{"the app exiting", stoppedBy("Essential container in task exited", ecsservice.Container{Name: "app", ExitCode: &exit}), "other"},
		{"the wait budget running out", func(now time.Time) ecsservice.Service {
			woken := now.Add(-6 * time.Minute)
			return ecsservice.Service{ARN: "arn:svc", DesiredCount: 1, WokenAt: &woken}
		}, "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			svcs := &fakeServices{svc: tc.svc(clk.Now())}
			c, out := metered(svcs, &fakeProber{}, clk)
			for range 3 {
				if st := c.Status(ctx, testService()); st.State != Failed {
					t.Fatalf("state %q, want failed", st.State)
				}
				clk.Advance(failedFresh + time.Second)
			}
			docs := emftest.With(out.Docs(t), metrics.WakesFailed, "web")
			if len(docs) != 1 {
				t.Fatalf("%d WakesFailed lines for one failed wake, want 1", len(docs))
			}
			d := docs[0]
			if d.Line[metrics.PropFailureClass] != tc.class {
				t.Fatalf("class %v, want %s", d.Line[metrics.PropFailureClass], tc.class)
			}
			// By service, and by function: one alarm watches every service.
			if len(d.Sets) != 2 || d.Dims[metrics.DimFunction] != "wake" || d.Dims[metrics.DimService] != "web" {
				t.Fatalf("sets %v dims %v", d.Sets, d.Dims)
			}
		})
	}
}

func TestAWakeThatFailsAgainAfterARetryCountsAgain(t *testing.T) {
	clk := newClock()
	woken := clk.Now().Add(-6 * time.Minute)
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1, WokenAt: &woken}}
	c, out := metered(svcs, &fakeProber{}, clk)
	c.Status(ctx, testService())
	c.Retry(ctx, testService())
	clk.Advance(testService().WakeTimeout + time.Second)
	c.Status(ctx, other()) // any request: this environment writes the retry's start
	if st := c.Status(ctx, testService()); st.State != Failed {
		t.Fatalf("state %q, want failed again", st.State)
	}
	if n := len(emftest.With(out.Docs(t), metrics.WakesFailed, "web")); n != 2 {
		t.Fatalf("%d WakesFailed lines, want 2: one for each wake", n)
	}
}

func TestAnOperatorsSleepIsCountedWithItsRule(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 2}}
	c, out := metered(svcs, &fakeProber{}, clk)
	if _, err := c.Sleep(ctx, testService()); err != nil {
		t.Fatal(err)
	}
	docs := emftest.With(out.Docs(t), metrics.ServicesSlept, "web")
	if len(docs) != 1 || docs[0].Dims[metrics.DimRule] != metrics.RuleOperator || len(docs[0].Sets) != 2 {
		t.Fatalf("ServicesSlept lines %+v, want one by service and by rule", docs)
	}
}
