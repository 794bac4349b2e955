// Package sleepops carries out the Auto-Sleep function's events: the
// EventBridge schedule, and operators' evaluate, sleep, status and calibrate.
package sleepops

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/autosleep"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
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
}

// Scheduled handles an EventBridge scheduled event: one tick. A schedule
// rule's event comes from source "aws.events" with detail-type "Scheduled Event".
// https://docs.aws.amazon.com/lambda/latest/dg/with-scheduled-events.html
func (o Ops) Scheduled(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(raw, &ev); err != nil || (ev.Source != "aws.events" && ev.DetailType != "Scheduled Event") {
		return nil, fmt.Errorf("%w: expected an EventBridge scheduled event or {\"action\": \"evaluate\" | \"sleep\" | \"status\" | \"calibrate\"}", invoke.ErrBadEvent)
	}
	return o.Evaluator.Evaluate(ctx, o.Services, o.DryRun), nil
}

// Operator handles direct invocations.
func (o Ops) Operator(ctx context.Context, cmd invoke.Command) (any, error) {
	switch cmd.Action {
	case "evaluate":
		if cmd.Service != "" {
			svc, err := o.Services.ByName(cmd.Service)
			if err != nil {
				return nil, err
			}
			return o.Evaluator.Evaluate(ctx, []config.Service{svc}, dryRun(cmd, o.DryRun)), nil
		}
		return o.Evaluator.Evaluate(ctx, o.Services, dryRun(cmd, o.DryRun)), nil
	case "status":
		// What a tick would do now, changing nothing.
		if cmd.DryRun != nil && !*cmd.DryRun {
			return nil, fmt.Errorf("status never changes anything; use evaluate with dryRun false")
		}
		return o.Evaluator.Evaluate(ctx, o.Services, true), nil
	case "sleep":
		if cmd.DryRun != nil {
			return nil, fmt.Errorf("sleep takes no dryRun; use evaluate with dryRun true to see what would sleep")
		}
		svc, err := o.Services.ByName(cmd.Service)
		if err != nil {
			return nil, err
		}
		res, err := o.Evaluator.SleepNow(ctx, svc)
		if err != nil {
			return nil, fmt.Errorf("sleep %s: %w", svc.Name, err)
		}
		return res, nil
	case "calibrate":
		if cmd.DryRun != nil {
			return nil, fmt.Errorf("calibrate takes no dryRun: it never changes anything")
		}
		svc, err := o.Services.ByName(cmd.Service)
		if err != nil {
			return nil, err
		}
		c, err := o.Signals.Calibrate(ctx, time.Now(), activity.Request{Key: svc.ID(), Cluster: svc.Cluster, Service: svc.Name, Policy: svc.Sleep})
		if err != nil {
			return nil, fmt.Errorf("calibrate %s: %w", svc.Name, err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("unknown action %q: use evaluate, sleep, status or calibrate", cmd.Action)
}

func dryRun(cmd invoke.Command, def bool) bool {
	if cmd.DryRun != nil {
		return *cmd.DryRun
	}
	return def
}
