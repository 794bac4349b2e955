package autosleep

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// fakeECS holds services in memory.
type fakeECS struct {
	mu          sync.Mutex
	svcs        map[string]*ecsservice.Service
	tasks       map[string][]ecsservice.Task
	describeErr error
	describes   atomic.Int32
	taskLists   atomic.Int32
	listed      []string // services whose tasks were listed
	slept       []string
}

func (f *fakeECS) DescribeBatch(ctx context.Context, cluster string, names []string) (map[string]*ecsservice.Service, error) {
	f.describes.Add(1)
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]*ecsservice.Service{}
	for _, n := range names {
		if s, ok := f.svcs[n]; ok {
			c := *s
			out[n] = &c
		}
	}
	return out, nil
}

func (f *fakeECS) RunningTasks(ctx context.Context, cluster, service string) ([]ecsservice.Task, error) {
	f.taskLists.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listed = append(f.listed, service)
	return f.tasks[service], nil
}

func (f *fakeECS) Sleep(ctx context.Context, s *ecsservice.Service) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, s.Name)
	f.svcs[s.Name].DesiredCount = 0
	return nil
}

// fakeActivity answers a fixed verdict per service and records what was asked.
type fakeActivity struct {
	verdicts map[string]activity.Verdict
	asked    []string
	reqs     []activity.Request
	reads    int
}

func (f *fakeActivity) Read(ctx context.Context, now time.Time, reqs []activity.Request) map[string]activity.Verdict {
	f.reads++
	out := map[string]activity.Verdict{}
	for _, r := range reqs {
		f.asked = append(f.asked, r.Service)
		f.reqs = append(f.reqs, r)
		if v, ok := f.verdicts[r.Service]; ok {
			out[r.Key] = v
		}
	}
	return out
}

var now = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC) // a Tuesday

func at(d time.Duration) *time.Time { t := now.Add(-d); return &t }

func policy(mut func(*config.SleepPolicy)) config.SleepPolicy {
	p := config.SleepPolicy{Signal: config.SignalNetwork, Window: 15 * time.Minute, Threshold: 10240, Grace: 5 * time.Minute, SleepAt: -1, Location: time.UTC}
	if mut != nil {
		mut(&p)
	}
	return p
}

func TestDecisionTable(t *testing.T) {
	idle := activity.Verdict{State: activity.Idle, Reason: "quiet"}
	busy := activity.Verdict{State: activity.Active, Reason: "busy"}
	unknown := activity.Verdict{State: activity.Unknown, Reason: "no data"}
	weekdays := config.Window{Days: [7]bool{false, true, true, true, true, true, false}, From: 8 * 60, To: 18 * 60}
	tests := []struct {
		name       string
		obs        *ecsservice.Service // nil: not in ECS
		tasks      []ecsservice.Task
		policy     config.SleepPolicy
		verdict    *activity.Verdict
		dryRun     bool
		wantAction string
		wantSlept  bool
		wantAsked  bool // whether CloudWatch was asked about it
	}{
		{name: "asleep is skipped without a CloudWatch call", obs: &ecsservice.Service{DesiredCount: 0}, policy: policy(nil), verdict: &idle, wantAction: Skipped},
		{name: "missing service is skipped", obs: nil, policy: policy(nil), wantAction: Skipped},
		{name: "woken within the grace period is kept", obs: &ecsservice.Service{DesiredCount: 1, WokenAt: at(2 * time.Minute)}, policy: policy(nil), verdict: &idle, wantAction: Kept},
		{name: "grace from the youngest task's start when there is no wake tag", obs: &ecsservice.Service{DesiredCount: 1}, tasks: []ecsservice.Task{{LastStatus: "RUNNING", StartedAt: at(time.Minute)}}, policy: policy(nil), verdict: &idle, wantAction: Kept},
		{name: "deployment in progress is kept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour), RolloutInProgress: true}, policy: policy(nil), verdict: &idle, wantAction: Kept},
		{name: "two deployments are kept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour), Deployments: 2}, policy: policy(nil), verdict: &idle, wantAction: Kept},
		{name: "idle past the grace is slept", obs: &ecsservice.Service{DesiredCount: 2, RunningCount: 2, WokenAt: at(time.Hour)}, policy: policy(nil), verdict: &idle, wantAction: Slept, wantSlept: true, wantAsked: true},
		{name: "idle in dry-run is reported but not slept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour)}, policy: policy(nil), verdict: &idle, dryRun: true, wantAction: Slept, wantAsked: true},
		{name: "active is kept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour)}, policy: policy(nil), verdict: &busy, wantAction: Kept, wantAsked: true},
		{name: "missing data is kept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour)}, policy: policy(nil), verdict: &unknown, wantAction: Kept, wantAsked: true},
		{name: "no verdict at all is kept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour)}, policy: policy(nil), verdict: nil, wantAction: Kept, wantAsked: true},
		{name: "inside a keep-warm window is kept even when idle", obs: &ecsservice.Service{DesiredCount: 1, WokenAt: at(time.Hour)}, policy: policy(func(p *config.SleepPolicy) { p.KeepWarm = []config.Window{weekdays} }), verdict: &idle, wantAction: Kept},
		{name: "keep-warm window in another time zone that is closed there", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour)}, policy: policy(func(p *config.SleepPolicy) {
			p.KeepWarm = []config.Window{weekdays}
			p.Location, _ = time.LoadLocation("Asia/Tokyo") // 23:30 there
		}), verdict: &idle, wantAction: Slept, wantSlept: true, wantAsked: true},
		{name: "past the daily sleep time a busy service is slept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(8 * time.Hour)}, policy: policy(func(p *config.SleepPolicy) { p.SleepAt = 14 * 60 }), verdict: &busy, wantAction: Slept, wantSlept: true},
		{name: "woken after the daily sleep time is judged by its signal", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(20 * time.Minute)}, policy: policy(func(p *config.SleepPolicy) { p.SleepAt = 14 * 60 }), verdict: &busy, wantAction: Kept, wantAsked: true},
		{name: "a wake that never produced a running task goes back to 0", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 0, WokenAt: at(time.Hour)}, tasks: []ecsservice.Task{{LastStatus: "PENDING"}}, policy: policy(nil), verdict: &busy, wantAction: Slept, wantSlept: true},
		{name: "a slow wake with a running task is not a failed one", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 0, WokenAt: at(time.Hour)}, tasks: []ecsservice.Task{{LastStatus: "RUNNING"}}, policy: policy(nil), verdict: &busy, wantAction: Kept, wantAsked: true},
		{name: "uptime signal sleeps after its window whatever the traffic", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(20 * time.Minute)}, policy: policy(func(p *config.SleepPolicy) { p.Signal = config.SignalUptime }), verdict: &busy, wantAction: Slept, wantSlept: true},
		{name: "uptime signal keeps a service up less than its window", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(10 * time.Minute)}, policy: policy(func(p *config.SleepPolicy) { p.Signal = config.SignalUptime }), wantAction: Kept},
		{name: "uptime signal with no start time is kept", obs: &ecsservice.Service{DesiredCount: 1, RunningCount: 1}, policy: policy(func(p *config.SleepPolicy) { p.Signal = config.SignalUptime; p.Grace = 0 }), wantAction: Kept},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ecs := &fakeECS{svcs: map[string]*ecsservice.Service{}, tasks: map[string][]ecsservice.Task{"web": tc.tasks}}
			if tc.obs != nil {
				o := *tc.obs
				o.Name, o.Cluster = "web", "c"
				ecs.svcs["web"] = &o
			}
			act := &fakeActivity{verdicts: map[string]activity.Verdict{}}
			if tc.verdict != nil {
				act.verdicts["web"] = *tc.verdict
			}
			e := New(ecs, act, slog.New(slog.NewTextHandler(io.Discard, nil)))
			e.now = func() time.Time { return now }
			svc := config.Service{Name: "web", Cluster: "c", WakeTimeout: 10 * time.Minute, Sleep: tc.policy}
			rep := e.Evaluate(context.Background(), []config.Service{svc}, tc.dryRun)
			if len(rep.Services) != 1 {
				t.Fatalf("report %+v", rep)
			}
			got := rep.Services[0]
			if got.Action != tc.wantAction || got.Reason == "" {
				t.Fatalf("action %q (%s), want %q", got.Action, got.Reason, tc.wantAction)
			}
			if slept := len(ecs.slept) == 1; slept != tc.wantSlept {
				t.Fatalf("slept %v, want %v (%s)", slept, tc.wantSlept, got.Reason)
			}
			if asked := len(act.asked) > 0; asked != tc.wantAsked {
				t.Fatalf("CloudWatch asked %v, want %v", asked, tc.wantAsked)
			}
			if rep.DryRun != tc.dryRun || rep.Summary[got.Action] != 1 {
				t.Fatalf("report summary %+v dryRun %v", rep.Summary, rep.DryRun)
			}
		})
	}
}

func TestAnECSReadErrorChangesNothing(t *testing.T) {
	ecs := &fakeECS{svcs: map[string]*ecsservice.Service{}, describeErr: &smithy.GenericAPIError{Code: "ThrottlingException"}}
	act := &fakeActivity{}
	e := New(ecs, act, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rep := e.Evaluate(context.Background(), []config.Service{{Name: "web", Cluster: "c", Sleep: policy(nil)}}, false)
	if rep.Services[0].Action != Skipped || len(ecs.slept) != 0 || act.reads != 0 {
		t.Fatalf("got %+v, slept %v", rep.Services[0], ecs.slept)
	}
}

func TestManyServicesAreDescribedTenAtATimeAndReadInOnePass(t *testing.T) {
	ecs := &fakeECS{svcs: map[string]*ecsservice.Service{}, tasks: map[string][]ecsservice.Task{}}
	act := &fakeActivity{verdicts: map[string]activity.Verdict{}}
	var services []config.Service
	for i := range 95 {
		name := "svc" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		desired := int32(0)
		if i%5 == 0 {
			desired = 1
		}
		ecs.svcs[name] = &ecsservice.Service{Name: name, Cluster: "c", DesiredCount: desired, RunningCount: desired, WokenAt: at(time.Hour)}
		services = append(services, config.Service{Name: name, Cluster: "c", WakeTimeout: 10 * time.Minute, Sleep: policy(nil)})
	}
	e := New(ecs, act, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.now = func() time.Time { return now }
	e.Evaluate(context.Background(), services, true)
	if n := ecs.describes.Load(); n != 10 {
		t.Fatalf("%d DescribeServices calls for 95 services, want 10", n)
	}
	if act.reads != 1 || len(act.asked) != 19 {
		t.Fatalf("%d reads asking about %d services, want 1 read about the 19 awake", act.reads, len(act.asked))
	}
	if ecs.taskLists.Load() != 0 {
		t.Fatalf("%d ListTasks calls, want none", ecs.taskLists.Load())
	}
}

func TestSleepNowRefusesAMissingService(t *testing.T) {
	ecs := &fakeECS{svcs: map[string]*ecsservice.Service{}}
	e := New(ecs, &fakeActivity{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	_, err := e.SleepNow(context.Background(), config.Service{Name: "gone", Cluster: "c"})
	if !errors.Is(err, ecsservice.ErrServiceNotFound) {
		t.Fatalf("error %v, want ErrServiceNotFound", err)
	}
}
