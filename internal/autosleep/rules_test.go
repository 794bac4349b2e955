package autosleep

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

func TestTasksAreListedOnlyWhenARuleTheServiceReachesNeedsThem(t *testing.T) {
	always := config.Window{Days: [7]bool{true, true, true, true, true, true, true}, From: 0, To: 23*60 + 59}
	running := []ecsservice.Task{{LastStatus: "RUNNING", StartedAt: at(time.Hour)}}
	tests := []struct {
		name       string
		obs        ecsservice.Service
		tasks      []ecsservice.Task
		policy     config.SleepPolicy
		wantListed bool
		wantAction string
	}{
		{name: "a tagged service past its grace is judged without its tasks", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour)}, policy: policy(nil), wantAction: Slept},
		{name: "an untagged service's grace comes from its tasks", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 1}, tasks: running, policy: policy(nil), wantListed: true, wantAction: Slept},
		{name: "an asleep service's tasks are not listed", obs: ecsservice.Service{DesiredCount: 0}, policy: policy(nil), wantAction: Skipped},
		{name: "a keep-warm window decides before any rule that needs the tasks", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 1}, tasks: running, policy: policy(func(p *config.SleepPolicy) { p.KeepWarm = []config.Window{always} }), wantAction: Kept},
		{name: "a tagged wake that looks stuck is confirmed by its tasks", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 0, WokenAt: at(time.Hour)}, policy: policy(nil), wantListed: true, wantAction: Slept},
		{name: "a stuck-looking wake still in its grace is kept without its tasks", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 0, WokenAt: at(20 * time.Minute)}, policy: policy(func(p *config.SleepPolicy) { p.Grace = time.Hour }), wantAction: Kept},
		{name: "an untagged service without grace in a deployment is kept without its tasks", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 1, Deployments: 2}, tasks: running, policy: policy(func(p *config.SleepPolicy) { p.Grace = 0 }), wantAction: Kept},
		{name: "an untagged service without grace past its sleep time sleeps without its tasks", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 1}, tasks: running, policy: policy(func(p *config.SleepPolicy) { p.Grace, p.SleepAt = 0, 14*60 }), wantAction: Slept},
		{name: "an untagged service's idle window starts at its tasks' start", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 1}, tasks: running, policy: policy(func(p *config.SleepPolicy) { p.Grace = 0 }), wantListed: true, wantAction: Slept},
		{name: "a short-ARN service with failed tasks and none running goes back to 0", obs: ecsservice.Service{ARN: "arn:aws:ecs:us-east-1:123456789012:service/web", DesiredCount: 1, RunningCount: 0, FailedTasks: failedTasksToGiveUp}, policy: policy(func(p *config.SleepPolicy) { p.Grace = 0 }), wantListed: true, wantAction: Slept},
		{name: "the uptime signal of an untagged service starts at its tasks' start", obs: ecsservice.Service{DesiredCount: 1, RunningCount: 1}, tasks: running, policy: policy(func(p *config.SleepPolicy) { p.Signal, p.Grace = config.SignalUptime, 0 }), wantListed: true, wantAction: Slept},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obs := tc.obs
			obs.Name, obs.Cluster = "web", "c"
			ecs := &fakeECS{svcs: map[string]*ecsservice.Service{"web": &obs}, tasks: map[string][]ecsservice.Task{"web": tc.tasks}}
			act := &fakeActivity{verdicts: map[string]activity.Verdict{"web": {State: activity.Idle, Reason: "quiet"}}}
			e := New(ecs, act, slog.New(slog.NewTextHandler(io.Discard, nil)))
			e.now = func() time.Time { return now }
			svc := config.Service{Name: "web", Cluster: "c", WakeTimeout: 10 * time.Minute, Sleep: tc.policy}
			got := e.Evaluate(context.Background(), []config.Service{svc}, true).Services[0]
			if got.Action != tc.wantAction {
				t.Fatalf("action %q (%s), want %q", got.Action, got.Reason, tc.wantAction)
			}
			if listed := slices.Contains(ecs.listed, "web"); listed != tc.wantListed {
				t.Fatalf("tasks listed %v, want %v (%s)", listed, tc.wantListed, got.Reason)
			}
		})
	}
}

func TestTheIdleSignalIsReadInOnePassForServicesWithAndWithoutTheirTasks(t *testing.T) {
	started := at(time.Hour)
	ecs := &fakeECS{
		svcs: map[string]*ecsservice.Service{
			"tagged":   {Name: "tagged", Cluster: "c", DesiredCount: 1, RunningCount: 1, WokenAt: at(2 * time.Hour)},
			"untagged": {Name: "untagged", Cluster: "c", DesiredCount: 1, RunningCount: 1},
		},
		tasks: map[string][]ecsservice.Task{"untagged": {{LastStatus: "RUNNING", StartedAt: started}}},
	}
	act := &fakeActivity{verdicts: map[string]activity.Verdict{}}
	e := New(ecs, act, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.now = func() time.Time { return now }
	var services []config.Service
	for _, name := range []string{"tagged", "untagged"} {
		services = append(services, config.Service{Name: name, Cluster: "c", WakeTimeout: 10 * time.Minute, Sleep: policy(nil)})
	}
	e.Evaluate(context.Background(), services, true)
	if act.reads != 1 || len(act.reqs) != 2 {
		t.Fatalf("%d reads asking about %v, want 1 read about both", act.reads, act.asked)
	}
	if !slices.Equal(ecs.listed, []string{"untagged"}) {
		t.Fatalf("tasks listed for %v, want only the untagged service's", ecs.listed)
	}
	for _, r := range act.reqs {
		want := started
		if r.Service == "tagged" {
			want = ecs.svcs["tagged"].WokenAt
		}
		if !r.Since.Equal(*want) {
			t.Fatalf("%s read since %v, want %v", r.Service, r.Since, want)
		}
	}
}

func TestEveryRuleHasANameAndTheIdleSignalIsTheLast(t *testing.T) {
	for i, r := range rules {
		if r.name == "" || r.decide == nil {
			t.Fatalf("rule %d has no name or no decision", i)
		}
		if r.signal != (i == len(rules)-1) {
			t.Fatalf("rule %q reads the idle signal: only the last rule may", r.name)
		}
	}
}
