package autosleep

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
)

// meteredTick runs one tick over the services with metrics written to a
// buffer; the tick takes 1.25 s by the evaluator's clock.
func meteredTick(t *testing.T, svcs map[string]*ecsservice.Service, verdicts map[string]activity.Verdict, dryRun bool) []emftest.Doc {
	t.Helper()
	ecs := &fakeECS{svcs: map[string]*ecsservice.Service{}, tasks: map[string][]ecsservice.Task{}}
	var services []config.Service
	for name, s := range svcs {
		o := *s
		o.Name, o.Cluster = name, "c"
		ecs.svcs[name] = &o
		services = append(services, config.Service{Name: name, Cluster: "c", WakeTimeout: 10 * time.Minute, Sleep: policy(nil)})
	}
	var out bytes.Buffer
	e := New(ecs, &fakeActivity{verdicts: verdicts}, slog.New(slog.NewTextHandler(io.Discard, nil))).
		WithMetrics(metrics.New(slog.New(slog.NewJSONHandler(&out, nil)), "ScaleToZero", "autosleep"))
	calls := 0
	e.now = func() time.Time {
		calls++
		if calls == 1 {
			return now
		}
		return now.Add(1250 * time.Millisecond)
	}
	e.Evaluate(context.Background(), services, dryRun)
	return emftest.Parse(t, out.String())
}

func TestATickOverSleepingServicesWritesNoMetric(t *testing.T) {
	docs := meteredTick(t, map[string]*ecsservice.Service{
		"a": {DesiredCount: 0}, "b": {DesiredCount: 0, WokenAt: at(time.Hour)},
	}, nil, false)
	if len(docs) != 0 {
		t.Fatalf("%d metric lines, want none: %+v", len(docs), docs)
	}
}

func TestATickWritesTasksAwakeSleepsByRuleAndItsDuration(t *testing.T) {
	idle := activity.Verdict{State: activity.Idle, Reason: "quiet"}
	busy := activity.Verdict{State: activity.Active, Reason: "busy"}
	docs := meteredTick(t, map[string]*ecsservice.Service{
		"shop":   {DesiredCount: 2, RunningCount: 2, WokenAt: at(time.Hour)},
		"api":    {DesiredCount: 3, RunningCount: 3, WokenAt: at(time.Hour)},
		"asleep": {DesiredCount: 0},
	}, map[string]activity.Verdict{"shop": idle, "api": busy}, false)

	if n := len(emftest.With(docs, metrics.TasksAwake, "asleep")); n != 0 {
		t.Fatalf("%d lines about the sleeping service, want none", n)
	}
	tests := []struct {
		service string
		tasks   float64
		slept   bool
	}{
		{"shop", 2, true},
		{"api", 3, false},
	}
	for _, tc := range tests {
		lines := emftest.With(docs, metrics.TasksAwake, tc.service)
		if len(lines) != 1 || lines[0].Metrics[metrics.TasksAwake] != tc.tasks {
			t.Fatalf("%s: TasksAwake lines %+v, want one of %v", tc.service, lines, tc.tasks)
		}
		d := lines[0]
		_, slept := d.Metrics[metrics.ServicesSlept]
		if slept != tc.slept {
			t.Fatalf("%s: ServicesSlept written %v, want %v", tc.service, slept, tc.slept)
		}
		if slept && (d.Dims[metrics.DimRule] != "idle signal" || len(d.Sets) != 2) {
			t.Fatalf("%s: rule %q, sets %v: want by service and by rule", tc.service, d.Dims[metrics.DimRule], d.Sets)
		}
	}
	eval := emftest.With(docs, metrics.EvaluationSeconds, "")
	if len(eval) != 1 || eval[0].Metrics[metrics.EvaluationSeconds] != 1.25 || eval[0].Dims[metrics.DimFunction] != "autosleep" {
		t.Fatalf("EvaluationSeconds lines %+v, want one of 1.25 s by function", eval)
	}
	if _, ok := eval[0].Dims[metrics.DimService]; ok {
		t.Fatal("the evaluation's time is by function, not by service")
	}
}

func TestADryRunWritesNoMetric(t *testing.T) {
	idle := activity.Verdict{State: activity.Idle, Reason: "quiet"}
	docs := meteredTick(t, map[string]*ecsservice.Service{"shop": {DesiredCount: 2, RunningCount: 2, WokenAt: at(time.Hour)}},
		map[string]activity.Verdict{"shop": idle}, true)
	if len(docs) != 0 {
		t.Fatalf("%d metric lines from a dry run, want none", len(docs))
	}
}

func TestAnOperatorsSleepNowIsCountedWithItsRule(t *testing.T) {
	ecs := &fakeECS{svcs: map[string]*ecsservice.Service{"web": {Name: "web", Cluster: "c", DesiredCount: 1}}}
	var out bytes.Buffer
	e := New(ecs, &fakeActivity{}, slog.New(slog.NewTextHandler(io.Discard, nil))).
		WithMetrics(metrics.New(slog.New(slog.NewJSONHandler(&out, nil)), "ScaleToZero", "autosleep"))
	if _, err := e.SleepNow(context.Background(), config.Service{Name: "web", Cluster: "c"}); err != nil {
		t.Fatal(err)
	}
	docs := emftest.With(emftest.Parse(t, out.String()), metrics.ServicesSlept, "web")
	if len(docs) != 1 || docs[0].Dims[metrics.DimRule] != metrics.RuleOperator {
		t.Fatalf("ServicesSlept lines %+v, want one with the operator's rule", docs)
	}
}
