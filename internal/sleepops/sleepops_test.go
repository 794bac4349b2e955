package sleepops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/autosleep"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
)

type fakeEval struct {
	evaluated []string
	dryRun    []bool
	slept     []string
}

func (f *fakeEval) Evaluate(ctx context.Context, services []config.Service, dryRun bool) autosleep.Report {
	for _, s := range services {
		f.evaluated = append(f.evaluated, s.Name)
	}
	f.dryRun = append(f.dryRun, dryRun)
	return autosleep.Report{DryRun: dryRun}
}

func (f *fakeEval) SleepNow(ctx context.Context, svc config.Service) (autosleep.Result, error) {
	f.slept = append(f.slept, svc.Name)
	return autosleep.Result{Service: svc.Name, Action: autosleep.Slept}, nil
}

type fakeSignals struct{ calibrated []string }

func (f *fakeSignals) Calibrate(_ context.Context, _ time.Time, req activity.Request) (activity.Calibration, error) {
	f.calibrated = append(f.calibrated, req.Service)
	if req.Policy.Signal == config.SignalUptime {
		return activity.Calibration{}, activity.ErrNoMetric
	}
	return activity.Calibration{Service: req.Service}, nil
}

func ops(f *fakeEval, dryRun bool) Ops {
	return Ops{Evaluator: f, Signals: &fakeSignals{}, DryRun: dryRun, Services: []config.Service{{Name: "web", Cluster: "c"}, {Name: "api", Cluster: "c"}}}
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func TestOperatorCommands(t *testing.T) {
	tests := []struct {
		name      string
		defDry    bool
		cmd       invoke.Command
		wantEval  string
		wantDry   []bool
		wantSlept string
		wantErr   string
	}{
		{"evaluate follows the configured mode", true, invoke.Command{Action: "evaluate"}, "[web api]", []bool{true}, "", ""},
		{"evaluate with dryRun false changes things", true, invoke.Command{Action: "evaluate", DryRun: no()}, "[web api]", []bool{false}, "", ""},
		{"evaluate one service", false, invoke.Command{Action: "evaluate", Service: "api", DryRun: yes()}, "[api]", []bool{true}, "", ""},
		{"status never changes anything", false, invoke.Command{Action: "status"}, "[web api]", []bool{true}, "", ""},
		{"status refuses dryRun false", false, invoke.Command{Action: "status", DryRun: no()}, "", nil, "", "never changes"},
		{"sleep one service", false, invoke.Command{Action: "sleep", Service: "web"}, "", nil, "[web]", ""},
		{"sleep needs a service when there are several", false, invoke.Command{Action: "sleep"}, "", nil, "", "service is required"},
		{"sleep of an unknown service", false, invoke.Command{Action: "sleep", Service: "nope"}, "", nil, "", "unknown service"},
		{"calibrate one service", false, invoke.Command{Action: "calibrate", Service: "web"}, "", nil, "", ""},
		{"calibrate needs a service when there are several", false, invoke.Command{Action: "calibrate"}, "", nil, "", "service is required"},
		{"calibrate takes no dryRun", false, invoke.Command{Action: "calibrate", Service: "web", DryRun: yes()}, "", nil, "", "never changes"},
		{"calibrate of an unknown service", false, invoke.Command{Action: "calibrate", Service: "nope"}, "", nil, "", "unknown service"},
		{"unknown action", false, invoke.Command{Action: "reboot"}, "", nil, "", "unknown action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEval{}
			_, err := ops(f, tc.defDry).Operator(context.Background(), tc.cmd)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(f.evaluated, " "); "["+got+"]" != tc.wantEval && !(got == "" && tc.wantEval == "") {
				t.Fatalf("evaluated %v, want %s", f.evaluated, tc.wantEval)
			}
			if tc.wantSlept != "" && "["+strings.Join(f.slept, " ")+"]" != tc.wantSlept {
				t.Fatalf("slept %v", f.slept)
			}
			if len(tc.wantDry) > 0 && f.dryRun[0] != tc.wantDry[0] {
				t.Fatalf("dry run %v, want %v", f.dryRun, tc.wantDry)
			}
		})
	}
}

func TestScheduledEvents(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("..", "..", "testdata", "lambda", "eventbridge-scheduled.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		event string
		ticks bool
	}{
		{"the schedule's event as EventBridge sends it ticks", string(sample), true},
		{"its source and detail type are enough to tick", `{"source":"aws.events","detail-type":"Scheduled Event"}`, true},
		{"a stray event is refused", `{"hello":"world"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEval{}
			_, err := ops(f, false).Scheduled(context.Background(), json.RawMessage(tc.event))
			if tc.ticks && (err != nil || len(f.evaluated) != 2) {
				t.Fatalf("scheduled tick: %v %v", err, f.evaluated)
			}
			if !tc.ticks && !errors.Is(err, invoke.ErrBadEvent) {
				t.Fatalf("a stray event: %v, want ErrBadEvent", err)
			}
		})
	}
}
