package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/demo"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/standin"
)

// startDemo creates the demo cluster and its sleeping service in the emulator
// at endpoint, and starts the stand-in scheduler that runs its tasks as demo
// app processes; stop stops the scheduler and its tasks.
func startDemo(ctx context.Context, endpoint string, o options, log *slog.Logger) (stop func(), err error) {
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	ecsClient := ecs.NewFromConfig(cfg, func(opt *ecs.Options) { opt.BaseEndpoint = aws.String(endpoint) })
	ec2Client := ec2.NewFromConfig(cfg, func(opt *ec2.Options) { opt.BaseEndpoint = aws.String(endpoint) })
	cwClient := cloudwatch.NewFromConfig(cfg, func(opt *cloudwatch.Options) {
		opt.BaseEndpoint = aws.String(endpoint)
		activity.SpeakJSON(opt)
	})
	c, err := demo.NewCluster(ctx, ecsClient, ec2Client, cluster, appPort)
	if err != nil {
		return nil, err
	}
	if err := c.NewService(ctx, ecsClient, service, 0); err != nil {
		return nil, err
	}
	log.Info("demo service created, asleep", "cluster", cluster, "service", service)

	dir, err := os.MkdirTemp("", "devstack-")
	if err != nil {
		return nil, err
	}
	sched := standin.New(ecsClient, ec2Client, cwClient, dir, log.With("part", "scheduler"), standin.Service{
		Cluster: cluster, Name: service, TaskDefinition: c.TaskDefinition, Network: c.Network, Port: appPort,
		Launch: func(ip string, port int, stats string) *exec.Cmd {
			cmd := exec.Command(o.appBin, "-addr", net.JoinHostPort(ip, strconv.Itoa(port)), "-startup-delay", o.startup.String(),
				"-health-path", "/healthz", "-name", service, "-stats-file", stats)
			cmd.Stdout, cmd.Stderr = console{}, console{}
			return cmd
		},
	})
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() { sched.Run(schedCtx); close(schedDone) }()
	return func() {
		stopSched()
		<-schedDone
		os.RemoveAll(dir)
	}, nil
}
