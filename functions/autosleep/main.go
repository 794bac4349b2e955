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
	"io"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/autosleep"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database/stopper"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/insights"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/launch"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/sleepops"
)

const usage = `autosleep [invoke '{"action":"evaluate|sleep|status|calibrate","service":"NAME","dryRun":true}']
       autosleep invoke '{"action":"report","service":"NAME"}'
       autosleep report [--service NAME] [--json | --html FILE]

Under the Lambda runtime it answers the EventBridge schedule and direct
invocations. Elsewhere it evaluates every service once and prints the report,
or again every EVALUATE_EVERY (such as 30s), or runs the one direct invocation
given and prints the answer. "report" prints the savings report: a table for
a terminal, --json the JSON a direct invocation answers, --html FILE one
self-contained page. Its settings are environment variables: see the
README's "Configuration".`

func main() {
	launch.Main(launch.Function{Name: "autosleep", Usage: usage, Build: build, Commands: map[string]func([]string) error{"report": checkReportArgs}})
}

// build makes Auto-Sleep's clients and its handlers: the schedule and direct
// invocations under Lambda, evaluations outside it.
func build(ctx context.Context, env launch.Env) (launch.Handlers, error) {
	cfg, log := env.Config, env.Log
	// Auto-Sleep never reads public IPs: no EC2 client, and no EC2 permission.
	ecsClient := ecs.NewFromConfig(env.AWS)
	services := ecsservice.New(ecsClient, nil)
	services.Log = log
	signals := &activity.Reader{CW: activity.NewCloudWatch(env.AWS, cfg.Emulator), InsightsOff: insights.Check(ctx, ecsClient, cfg.Services, log)}
	eval := autosleep.New(services, signals, log).WithMetrics(env.Metrics)
	report := newSavings(ecsClient, services, env)
	if dbs := cfg.Services.Databases(); len(dbs) > 0 {
		// Databases RDS cannot stop are told at start-up, not found out from the bill.
		rdsClient := stopper.New(rds.NewFromConfig(env.AWS))
		database.Warn(ctx, rdsClient.Client, dbs, log)
		eval.Databases = rdsClient
		report.Databases = rdsClient.Client
	}
	ops := sleepops.Ops{Evaluator: eval, Signals: signals, Services: cfg.Services, DryRun: cfg.DryRun, Savings: report}
	dispatch := invoke.Dispatcher{Operator: ops.Operator, Other: ops.Scheduled}
	return launch.Handlers{
		Event: dispatch.Handle,
		Local: func(ctx context.Context, out io.Writer) error {
			return launch.Repeat(ctx, cfg.EvaluateEvery, func(ctx context.Context) error {
				return launch.PrintJSON(out, eval.Evaluate(ctx, cfg.Services, cfg.DryRun))
			})
		},
		Command: func(ctx context.Context, c launch.Command, out io.Writer) error {
			return runReport(ctx, report, cfg.Services, c.Args, out)
		},
	}, nil
}
