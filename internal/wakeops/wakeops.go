// Package wakeops carries out operators' direct invocations of the Wake
// function: wake, status and sleep.
package wakeops

import (
	"context"
	"fmt"
	"slices"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
)

// Controller is what the operations need.
type Controller interface {
	Status(ctx context.Context, svc config.Service) wake.Status
	Wake(ctx context.Context, svc config.Service) wake.Status
	Sleep(ctx context.Context, svc config.Service) (wake.Status, error)
	// Databases reads the service's databases (none when it depends on none).
	Databases(ctx context.Context, svc config.Service) []database.Database
}

// Result is the JSON answer of a direct invocation.
type Result struct {
	Action string `json:"action"`
	wake.Status
}

// result drops what only a polling client needs.
func result(action string, st wake.Status) Result {
	st.Next = nil
	return Result{Action: action, Status: st}
}

// Operator returns the invoke.Operator for the Wake function over the
// configured services. Its errors are *invoke.Error: UnknownAction,
// InvalidRequest, UnknownService, or the AWS failure of a sleep.
func Operator(ctrl Controller, services config.Services) invoke.Operator {
	return func(ctx context.Context, cmd invoke.Command) (any, error) {
		if !slices.Contains(actions, cmd.Action) {
			return nil, invoke.Errorf(invoke.UnknownAction, "action", "unknown action %q: use wake, status or sleep", cmd.Action)
		}
		if cmd.DryRun != nil {
			return nil, invoke.Errorf(invoke.InvalidRequest, "dryRun", "dryRun is an Auto-Sleep option; the Wake function takes wake, status or sleep")
		}
		svc, err := services.ByName(cmd.Service)
		if err != nil {
			return nil, &invoke.Error{Kind: invoke.UnknownService, Field: "service", Err: err}
		}
		var st wake.Status
		switch cmd.Action {
		case "wake":
			st = ctrl.Wake(ctx, svc)
		case "status":
			st = ctrl.Status(ctx, svc)
		default:
			if st, err = ctrl.Sleep(ctx, svc); err != nil {
				return nil, invoke.AWSFailure(fmt.Errorf("sleep %s: %w", svc.Name, err), ecsservice.ErrServiceNotFound)
			}
		}
		if len(svc.DependsOn) > 0 && len(st.Databases) == 0 {
			// An operator sees each database's state, whatever the service's.
			st.Databases = ctrl.Databases(ctx, svc)
		}
		return result(cmd.Action, st), nil
	}
}

// actions are the direct invocations Wake takes.
var actions = []string{"wake", "status", "sleep"}
