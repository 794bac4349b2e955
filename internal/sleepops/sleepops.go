// Package sleepops carries out the Auto-Sleep function's events: the
// EventBridge schedule, and operators' evaluate, sleep, status and calibrate.
package sleepops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/autosleep"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
)

// Evaluator is what the operations need.
type Evaluator interface {
	Evaluate(ctx context.Context, services []config.Service, dryRun bool) autosleep.Report
	SleepNow(ctx context.Context, svc config.Service) (autosleep.Result, error)
}

// Calibrator reads a service's signal over the last day.
type Calibrator interface {
	Calibrate(ctx context.Context, now time.Time, req activity.Request) (activity.Calibration, error)
}

var _ Calibrator = (*activity.Reader)(nil)

// Ops holds the configured services and the evaluator.
type Ops struct {
	Evaluator Evaluator
	Signals   Calibrator
	Services  config.Services
	// DryRun is the scheduled ticks' mode (DRY_RUN).
	DryRun bool
	// Savings makes the savings report (report.go).
	Savings Reporter
}

// Scheduled handles an EventBridge scheduled event: one tick. A schedule
// rule's event comes from source "aws.events" with detail-type "Scheduled Event".
// https://docs.aws.amazon.com/lambda/latest/dg/with-scheduled-events.html
func (o Ops) Scheduled(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(raw, &ev); err != nil || (ev.Source != "aws.events" && ev.DetailType != "Scheduled Event") {
		return nil, invoke.BadEventf("expected an EventBridge scheduled event or {\"action\": \"evaluate\" | \"sleep\" | \"status\" | \"calibrate\" | \"report\"}")
	}
	return o.Evaluator.Evaluate(ctx, o.Services, o.DryRun), nil
}

// Operator handles direct invocations. Its errors are *invoke.Error:
// UnknownAction, InvalidRequest, UnknownService, or an AWS failure.
func (o Ops) Operator(ctx context.Context, cmd invoke.Command) (any, error) {
	switch cmd.Action {
	case "evaluate":
		if cmd.Service != "" {
			svc, err := o.service(cmd)
			if err != nil {
				return nil, err
			}
			return o.Evaluator.Evaluate(ctx, []config.Service{svc}, dryRun(cmd, o.DryRun)), nil
		}
		return o.Evaluator.Evaluate(ctx, o.Services, dryRun(cmd, o.DryRun)), nil
	case "status":
		// What a tick would do now, changing nothing.
		if cmd.DryRun != nil && !*cmd.DryRun {
			return nil, invoke.Errorf(invoke.InvalidRequest, "dryRun", "status never changes anything; use evaluate with dryRun false")
		}
		return o.Evaluator.Evaluate(ctx, o.Services, true), nil
	case "sleep":
		if cmd.DryRun != nil {
			return nil, invoke.Errorf(invoke.InvalidRequest, "dryRun", "sleep takes no dryRun; use evaluate with dryRun true to see what would sleep")
		}
		return o.sleep(ctx, cmd)
	case "calibrate":
		if cmd.DryRun != nil {
			return nil, invoke.Errorf(invoke.InvalidRequest, "dryRun", "calibrate takes no dryRun: it never changes anything")
		}
		return o.calibrate(ctx, cmd)
	case "report":
		return o.report(ctx, cmd)
	}
	return nil, invoke.Errorf(invoke.UnknownAction, "action", "unknown action %q: use evaluate, sleep, status or calibrate; report for the savings", cmd.Action)
}

// service is the service the command names.
func (o Ops) service(cmd invoke.Command) (config.Service, error) {
	svc, err := o.Services.ByName(cmd.Service)
	if err != nil {
		return config.Service{}, &invoke.Error{Kind: invoke.UnknownService, Field: "service", Err: err}
	}
	return svc, nil
}

func (o Ops) sleep(ctx context.Context, cmd invoke.Command) (any, error) {
	svc, err := o.service(cmd)
	if err != nil {
		return nil, err
	}
	res, err := o.Evaluator.SleepNow(ctx, svc)
	if err != nil {
		return nil, invoke.AWSFailure(fmt.Errorf("sleep %s: %w", svc.Name, err), ecsservice.ErrServiceNotFound)
	}
	return res, nil
}

func (o Ops) calibrate(ctx context.Context, cmd invoke.Command) (any, error) {
	svc, err := o.service(cmd)
	if err != nil {
		return nil, err
	}
	c, err := o.Signals.Calibrate(ctx, time.Now(), activity.Request{Key: svc.ID(), Cluster: svc.Cluster, Service: svc.Name, Policy: svc.Sleep})
	switch {
	case errors.Is(err, activity.ErrNoMetric):
		return nil, &invoke.Error{Kind: invoke.InvalidRequest, Field: "service", Err: fmt.Errorf("calibrate %s: %w", svc.Name, err)}
	case err != nil:
		return nil, invoke.AWSFailure(fmt.Errorf("calibrate %s: %w", svc.Name, err), ecsservice.ErrServiceNotFound)
	}
	return c, nil
}

func dryRun(cmd invoke.Command, def bool) bool {
	if cmd.DryRun != nil {
		return *cmd.DryRun
	}
	return def
}
