// Package standin plays the ECS service scheduler on this machine, for the
// local stack: the emulator never starts a service's tasks, so the stand-in
// turns each service's desiredCount into real app processes on 127.0.0.N,
// registered with RunTask and an Elastic IP 127.0.0.N, so that ECS and EC2
// report them as they would report Fargate tasks. It also publishes each
// service's network traffic as Container Insights does (per task, per minute, in Bytes/Second).
package standin

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ECS is the part of the ECS API the stand-in calls.
type ECS interface {
	DescribeServices(ctx context.Context, params *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	RunTask(ctx context.Context, params *ecs.RunTaskInput, optFns ...func(*ecs.Options)) (*ecs.RunTaskOutput, error)
	DescribeTasks(ctx context.Context, params *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	StopTask(ctx context.Context, params *ecs.StopTaskInput, optFns ...func(*ecs.Options)) (*ecs.StopTaskOutput, error)
}

var _ ECS = (*ecs.Client)(nil)

// EC2 is the part of the EC2 API the stand-in calls; *ec2.Client satisfies it.
type EC2 interface {
	AllocateAddress(ctx context.Context, params *ec2.AllocateAddressInput, optFns ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error)
	AssociateAddress(ctx context.Context, params *ec2.AssociateAddressInput, optFns ...func(*ec2.Options)) (*ec2.AssociateAddressOutput, error)
	DisassociateAddress(ctx context.Context, params *ec2.DisassociateAddressInput, optFns ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error)
	ReleaseAddress(ctx context.Context, params *ec2.ReleaseAddressInput, optFns ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error)
}

var _ EC2 = (*ec2.Client)(nil)

// CloudWatch is the one CloudWatch call the stand-in makes.
type CloudWatch interface {
	PutMetricData(ctx context.Context, params *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

var _ CloudWatch = (*cloudwatch.Client)(nil)

// Launch returns the command that runs one task's app on ip:port, writing its
// byte counts ("received sent") to statsFile.
type Launch func(ip string, port int, statsFile string) *exec.Cmd

// Service is one service the stand-in schedules.
type Service struct {
	Cluster, Name, TaskDefinition string
	Network                       *ecstypes.NetworkConfiguration
	Port                          int
	Launch                        Launch
}

// Timing of the stand-in.
const (
	reconcileEvery = 300 * time.Millisecond
	// publishAfter: each minute's datapoints go out this long after the minute
	// ends, as Container Insights' once-a-minute performance events do.
	publishAfter = 2 * time.Second
	// crashBackoff is how long a crashed service waits before its next task, as ECS backs off.
	crashBackoff = 5 * time.Second
	firstIP      = 10
	lastIP       = 250
)

// task is one running app process.
type task struct {
	arn, ip, allocation, association string
	cmd                              *exec.Cmd
	done                             chan struct{}
	stats                            string
	rx, tx                           float64 // bytes already published
}

// Scheduler reconciles services with their desired counts.
type Scheduler struct {
	ecs ECS
	ec2 EC2
	cw  CloudWatch
	log *slog.Logger
	dir string

	mu       sync.Mutex
	services []Service
	tasks    map[string][]*task // by service name
	usedIPs  map[int]bool
	crashed  map[string]time.Time
}

// New returns a Scheduler that keeps its tasks' files in dir.
func New(e ECS, n EC2, cw CloudWatch, dir string, log *slog.Logger, services ...Service) *Scheduler {
	return &Scheduler{ecs: e, ec2: n, cw: cw, log: log, dir: dir, services: services,
		tasks: map[string][]*task{}, usedIPs: map[int]bool{}, crashed: map[string]time.Time{}}
}

// Run reconciles until ctx ends, then stops every task it started.
func (s *Scheduler) Run(ctx context.Context) {
	defer s.Close()
	tick := time.NewTicker(reconcileEvery)
	defer tick.Stop()
	minute := time.Now().Truncate(time.Minute)
	publish := time.NewTimer(time.Until(minute.Add(time.Minute + publishAfter)))
	defer publish.Stop()
	for {
		for _, svc := range s.services {
			if err := s.Reconcile(ctx, svc); err != nil && ctx.Err() == nil {
				s.log.Warn("reconcile failed; trying again", "service", svc.Name, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-publish.C:
			s.Publish(ctx, minute)
			minute = time.Now().Truncate(time.Minute)
			publish.Reset(time.Until(minute.Add(time.Minute + publishAfter)))
		case <-tick.C:
		}
	}
}

// Reconcile makes one service's running tasks match its desired count.
func (s *Scheduler) Reconcile(ctx context.Context, svc Service) error {
	s.reap(ctx, svc)
	if err := s.dropStopped(ctx, svc); err != nil {
		return err
	}
	out, err := s.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(svc.Cluster), Services: []string{svc.Name}})
	if err != nil {
		return fmt.Errorf("describe service: %w", err)
	}
	if len(out.Services) != 1 {
		return fmt.Errorf("service %s not found", svc.Name)
	}
	desired := int(out.Services[0].DesiredCount)
	s.mu.Lock()
	running := len(s.tasks[svc.Name])
	backoff := time.Until(s.crashed[svc.Name].Add(crashBackoff))
	s.mu.Unlock()
	switch {
	case running < desired && backoff <= 0:
		return s.start(ctx, svc)
	case running > desired:
		s.mu.Lock()
		list := s.tasks[svc.Name]
		t := list[len(list)-1]
		s.tasks[svc.Name] = list[:len(list)-1]
		s.mu.Unlock()
		s.stop(ctx, svc, t, "Scaling activity initiated by (deployment ecs-svc/local)")
	}
	return nil
}

// Close stops every task's process (not in ECS: the emulator goes with it).
func (s *Scheduler) Close() {
	s.mu.Lock()
	var all []*task
	for name, list := range s.tasks {
		all = append(all, list...)
		delete(s.tasks, name)
	}
	s.mu.Unlock()
	for _, t := range all {
		kill(t)
	}
}
