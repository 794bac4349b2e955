// Command wake is the Wake function: it wakes a sleeping ECS service when a
// visitor arrives and sends the visitor to the app once it answers.
//
// Under Lambda it handles API Gateway HTTP API events and direct invocations;
// elsewhere it serves HTTP on LISTEN_ADDR, or runs one invocation given as
// `wake invoke '{"action":"status"}'`.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/apigw"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awsclient"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ec2query"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/route"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/serve"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/startup"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waitpage"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wake"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wakehttp"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/wakeops"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "wake:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	cfg, log, awsCfg, err := startup.Load(ctx, "wake")
	if err != nil {
		return err
	}
	page, err := waitpage.New(waitpage.Options{Theme: cfg.WaitPageTheme, TemplatePath: cfg.WaitPageTemplate})
	if err != nil {
		return err
	}
	// A visitor is waiting: a throttled call is not retried (see awsclient).
	awsCfg = awsclient.WithoutThrottleRetries(awsCfg)
	services := ecsservice.New(ecs.NewFromConfig(awsCfg), ec2query.New(awsCfg))
	ctrl := wake.New(services, probe.New(cfg.ProbeTimeout, cfg.ProbeAllowed), wake.Options{
		ObserveEvery: cfg.ObserveTTL, ObservePerSecond: cfg.ObservePerSecond, TokenKey: cfg.TokenKey,
	}, log)
	if !ctrl.Tokens() {
		log.Warn("TOKEN_KEY is not set: polls cannot skip AWS once a task's address is known, so every environment reads ECS for its waiting visitors (within its read budget)")
	}
	router := route.New(cfg.Services)
	handler := wakehttp.New(ctrl, router, page, wakehttp.Options{Hold: cfg.RequestHold, Bots: cfg.Bots, HeadWakes: cfg.HeadWakes}, log)
	dispatch := invoke.Dispatcher{HTTP: apigw.Handler(handler), Operator: wakeops.Operator(ctrl, cfg.Services)}

	switch {
	case serve.InLambda():
		serve.Lambda(dispatch.Handle)
		return nil
	case len(os.Args) == 3 && os.Args[1] == "invoke":
		return serve.Invoke(ctx, dispatch.Handle, os.Args[2])
	case len(os.Args) > 1:
		return fmt.Errorf("usage: wake [invoke '{\"action\":\"wake|status|sleep\",\"service\":\"NAME\"}']")
	}
	return serve.HTTP(cfg.ListenAddr, handler, log)
}
