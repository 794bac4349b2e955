// Command wake is the Wake function: it wakes a sleeping ECS service when a
// visitor arrives and sends the visitor to the app once it answers.
//
// Under Lambda it handles API Gateway HTTP API events and direct invocations;
// elsewhere it serves HTTP on LISTEN_ADDR, or runs one invocation given as
// `wake invoke '{"action":"status"}'`.
package main

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/apigw"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database/starter"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/launch"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wakehttp"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wakeops"
)

const usage = `wake [invoke '{"action":"wake|status|sleep","service":"NAME"}']

Under the Lambda runtime it answers API Gateway HTTP API events and direct
invocations. Elsewhere it serves HTTP on LISTEN_ADDR (default 127.0.0.1:8080),
or runs the one direct invocation given and prints the answer. Its settings
are environment variables: see the README's "Configuration".`

func main() {
	launch.Main(launch.Function{Name: "wake", Usage: usage, Build: build})
}

// build makes Wake's clients and its handlers: API Gateway events and direct
// invocations under Lambda, HTTP outside it.
func build(_ context.Context, env launch.Env) (launch.Handlers, error) {
	cfg, log := env.Config, env.Log
	page, err := waitpage.New(waitpage.Options{Theme: cfg.WaitPageTheme, TemplatePath: cfg.WaitPageTemplate})
	if err != nil {
		return launch.Handlers{}, err
	}
	// A visitor is waiting: a throttled call is not retried (see launch).
	awsCfg := launch.WithoutThrottleRetries(env.AWS)
	services := ecsservice.New(ecs.NewFromConfig(awsCfg), ec2.NewFromConfig(awsCfg))
	services.Log = log
	opts := wake.Options{ObserveEvery: cfg.ObserveTTL, ObservePerSecond: cfg.ObservePerSecond, TokenKey: cfg.TokenKey, Metrics: env.Metrics}
	if len(cfg.Services.Databases()) > 0 {
		opts.Databases = starter.New(rds.NewFromConfig(awsCfg))
	}
	ctrl := wake.New(services, probe.New(cfg.ProbeTimeout, cfg.ProbeAllowed), opts, log)
	if !ctrl.Tokens() {
		log.Warn("TOKEN_KEY is not set: polls cannot skip AWS once a task's address is known, so every environment reads ECS for its waiting visitors (within its read budget)")
	}
	handler := wakehttp.New(ctrl, route.New(cfg.Services), page, wakehttp.Options{Hold: cfg.RequestHold, Bots: cfg.Bots, HeadWakes: cfg.HeadWakes, Metrics: env.Metrics}, log)
	dispatch := invoke.Dispatcher{HTTP: apigw.Handler(handler), Operator: wakeops.Operator(ctrl, cfg.Services)}
	return launch.Handlers{
		Event: dispatch.Handle,
		Local: func(ctx context.Context, _ io.Writer) error {
			return launch.ServeHTTP(ctx, cfg.ListenAddr, handler, log)
		},
	}, nil
}
