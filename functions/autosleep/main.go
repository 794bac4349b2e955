// Command autosleep is the Auto-Sleep function: every tick it puts the
// services nobody uses to sleep.
//
// Under Lambda it handles the EventBridge schedule and direct invocations;
// elsewhere it evaluates once and prints the JSON report, or repeats every
// EVALUATE_EVERY (a duration such as 30s), or runs one invocation given as
// `autosleep invoke '{"action":"status"}'`.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/autosleep"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/insights"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/serve"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/sleepops"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/startup"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "autosleep:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	cfg, log, awsCfg, err := startup.Load(ctx, "autosleep")
	if err != nil {
		return err
	}
	dryRun := false
	if v := os.Getenv("DRY_RUN"); v != "" {
		if dryRun, err = strconv.ParseBool(v); err != nil {
			return &config.FieldError{Field: "DRY_RUN", Reason: fmt.Sprintf("%q is not true or false", v)}
		}
	}
	var every time.Duration
	if v := os.Getenv("EVALUATE_EVERY"); v != "" {
		if every, err = time.ParseDuration(v); err != nil || every < time.Second {
			return &config.FieldError{Field: "EVALUATE_EVERY", Reason: fmt.Sprintf("%q is not a duration of at least 1s, such as 30s", v)}
		}
	}
	// Auto-Sleep never reads public IPs: no EC2 client, and no EC2 permission.
	ecsClient := ecs.NewFromConfig(awsCfg)
	services := ecsservice.New(ecsClient, nil)
	signals := &activity.Reader{CW: activity.NewCloudWatch(awsCfg), InsightsOff: insights.Check(ctx, ecsClient, cfg.Services, log)}
	eval := autosleep.New(services, signals, log)
	ops := sleepops.Ops{Evaluator: eval, Signals: signals, Services: cfg.Services, DryRun: dryRun}
	dispatch := invoke.Dispatcher{Operator: ops.Operator, Other: ops.Scheduled}

	switch {
	case serve.InLambda():
		serve.Lambda(dispatch.Handle)
		return nil
	case len(os.Args) == 3 && os.Args[1] == "invoke":
		return serve.Invoke(ctx, dispatch.Handle, os.Args[2])
	case len(os.Args) > 1:
		return fmt.Errorf("usage: autosleep [invoke '{\"action\":\"evaluate|sleep|status|calibrate\",\"service\":\"NAME\",\"dryRun\":true}']")
	}
	return serve.Every(ctx, every, func(ctx context.Context) error {
		return serve.Print(eval.Evaluate(ctx, cfg.Services, dryRun))
	})
}
