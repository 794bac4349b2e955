package sleepops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/autosleep"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
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

// failingEval fails every sleep with err.
type failingEval struct {
	fakeEval
	err error
}

func (f *failingEval) SleepNow(context.Context, config.Service) (autosleep.Result, error) {
	return autosleep.Result{}, f.err
}

// failingSignals fails every calibration with err.
type failingSignals struct{ err error }

func (f failingSignals) Calibrate(context.Context, time.Time, activity.Request) (activity.Calibration, error) {
	return activity.Calibration{}, f.err
}

func TestErrorsSayTheirKindAndTheFieldAtFault(t *testing.T) {
	throttled := fmt.Errorf("update service: %w", &smithy.GenericAPIError{Code: "ThrottlingException"})
	tests := []struct {
		name      string
		cmd       invoke.Command
		sleepErr  error
		signalErr error
		kind      invoke.Kind
		field     string
		code      string
	}{
		{"an unknown action", invoke.Command{Action: "reboot"}, nil, nil, invoke.UnknownAction, "action", ""},
		{"status with dryRun false", invoke.Command{Action: "status", DryRun: no()}, nil, nil, invoke.InvalidRequest, "dryRun", ""},
		{"sleep with dryRun", invoke.Command{Action: "sleep", Service: "web", DryRun: yes()}, nil, nil, invoke.InvalidRequest, "dryRun", ""},
		{"calibrate with dryRun", invoke.Command{Action: "calibrate", Service: "web", DryRun: no()}, nil, nil, invoke.InvalidRequest, "dryRun", ""},
		{"evaluate of a service not configured", invoke.Command{Action: "evaluate", Service: "nope"}, nil, nil, invoke.UnknownService, "service", ""},
		{"sleep without a service among several", invoke.Command{Action: "sleep"}, nil, nil, invoke.UnknownService, "service", ""},
		{"a throttled sleep", invoke.Command{Action: "sleep", Service: "web"}, throttled, nil, invoke.AWSError, "", "ThrottlingException"},
		{"a sleep of a service ECS does not know", invoke.Command{Action: "sleep", Service: "web"}, fmt.Errorf("service c/web: %w", ecsservice.ErrServiceNotFound), nil, invoke.ServiceNotFound, "service", ""},
		{"a calibration CloudWatch did not answer", invoke.Command{Action: "calibrate", Service: "web"}, nil, errors.New("read network: CloudWatch answered InternalError"), invoke.AWSError, "", ""},
		{"a calibration of a signal with no metric", invoke.Command{Action: "calibrate", Service: "web"}, nil, activity.ErrNoMetric, invoke.InvalidRequest, "service", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ops(&fakeEval{}, false)
			o.Evaluator = &failingEval{err: tc.sleepErr}
			o.Signals = failingSignals{err: tc.signalErr}
			_, err := o.Operator(context.Background(), tc.cmd)
			var e *invoke.Error
			if !errors.As(err, &e) || e.Kind != tc.kind || e.Field != tc.field || e.Code != tc.code {
				t.Fatalf("error %#v (%v); want kind %s, field %q, code %q", err, err, tc.kind, tc.field, tc.code)
			}
		})
	}
}

func TestAStrayEventIsABadEvent(t *testing.T) {
	_, err := ops(&fakeEval{}, false).Scheduled(context.Background(), json.RawMessage(`{"hello":"world"}`))
	var e *invoke.Error
	if !errors.As(err, &e) || e.Kind != invoke.BadEvent || !strings.HasPrefix(err.Error(), "unrecognised event: expected an EventBridge scheduled event") {
		t.Fatalf("error %#v (%v)", err, err)
	}
}
