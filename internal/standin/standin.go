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
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/procgroup"
)

// ECS is the part of the ECS API the stand-in calls; *ecs.Client satisfies it.
type ECS interface {
	DescribeServices(ctx context.Context, params *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	RunTask(ctx context.Context, params *ecs.RunTaskInput, optFns ...func(*ecs.Options)) (*ecs.RunTaskOutput, error)
	DescribeTasks(ctx context.Context, params *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	StopTask(ctx context.Context, params *ecs.StopTaskInput, optFns ...func(*ecs.Options)) (*ecs.StopTaskOutput, error)
}

// EC2 is the part of the EC2 API the stand-in calls; *ec2.Client satisfies it.
type EC2 interface {
	AllocateAddress(ctx context.Context, params *ec2.AllocateAddressInput, optFns ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error)
	AssociateAddress(ctx context.Context, params *ec2.AssociateAddressInput, optFns ...func(*ec2.Options)) (*ec2.AssociateAddressOutput, error)
	DisassociateAddress(ctx context.Context, params *ec2.DisassociateAddressInput, optFns ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error)
	ReleaseAddress(ctx context.Context, params *ec2.ReleaseAddressInput, optFns ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error)
}

// CloudWatch is the one CloudWatch call the stand-in makes; *cloudwatch.Client satisfies it.
type CloudWatch interface {
	PutMetricData(ctx context.Context, params *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

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

// start runs one task: RunTask, an Elastic IP on its interface, then the app.
func (s *Scheduler) start(ctx context.Context, svc Service) error {
	ip, n, err := s.takeIP(svc.Port)
	if err != nil {
		return err
	}
	out, err := s.ecs.RunTask(ctx, &ecs.RunTaskInput{
		Cluster: aws.String(svc.Cluster), TaskDefinition: aws.String(svc.TaskDefinition), Group: aws.String("service:" + svc.Name),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: svc.Network, StartedBy: aws.String("ecs-svc/local"),
	})
	if err != nil {
		s.freeIP(n)
		return fmt.Errorf("run task: %w", err)
	}
	if len(out.Tasks) != 1 {
		s.freeIP(n)
		return fmt.Errorf("run task: %d tasks and failures %v, want one task", len(out.Tasks), out.Failures)
	}
	t := &task{arn: aws.ToString(out.Tasks[0].TaskArn), ip: ip, done: make(chan struct{})}
	// A task that got no address or app must not stay RUNNING in ECS: Wake would wait on it.
	abandon := func(reason string) {
		s.release(ctx, t)
		s.freeIP(n)
		if _, err := s.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(svc.Cluster), Task: aws.String(t.arn), Reason: aws.String(reason)}); err != nil {
			s.log.Warn("stop task failed", "service", svc.Name, "error", err)
		}
	}
	eni := ""
	for _, a := range out.Tasks[0].Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "networkInterfaceId" {
				eni = aws.ToString(d.Value)
			}
		}
	}
	alloc, err := s.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, Address: aws.String(ip)})
	if err != nil {
		abandon("Task failed to start: no public address")
		return fmt.Errorf("allocate %s: %w", ip, err)
	}
	t.allocation = aws.ToString(alloc.AllocationId)
	assoc, err := s.ec2.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: alloc.AllocationId, NetworkInterfaceId: aws.String(eni)})
	if err != nil {
		abandon("Task failed to start: no public address")
		return fmt.Errorf("associate %s with %s: %w", ip, eni, err)
	}
	t.association = aws.ToString(assoc.AssociationId)
	t.stats = filepath.Join(s.dir, "task-"+strconv.Itoa(n)+".stats")
	_ = os.Remove(t.stats)
	t.cmd = svc.Launch(ip, svc.Port, t.stats)
	t.cmd.SysProcAttr = procgroup.Attr()
	if err := t.cmd.Start(); err != nil {
		abandon("CannotStartContainerError: " + err.Error())
		return fmt.Errorf("start the app: %w", err)
	}
	go func() { _ = t.cmd.Wait(); close(t.done) }()
	s.mu.Lock()
	s.tasks[svc.Name] = append(s.tasks[svc.Name], t)
	s.mu.Unlock()
	s.log.Info("task started", "service", svc.Name, "address", ip+":"+strconv.Itoa(svc.Port), "pid", t.cmd.Process.Pid)
	return nil
}

// reap notices apps that exited by themselves and stops their tasks, as ECS does.
func (s *Scheduler) reap(ctx context.Context, svc Service) {
	s.mu.Lock()
	var alive, dead []*task
	for _, t := range s.tasks[svc.Name] {
		select {
		case <-t.done:
			dead = append(dead, t)
		default:
			alive = append(alive, t)
		}
	}
	s.tasks[svc.Name] = alive
	if len(dead) > 0 {
		s.crashed[svc.Name] = time.Now()
	}
	s.mu.Unlock()
	for _, t := range dead {
		reason := fmt.Sprintf("Essential container in task exited (exit code %d)", t.cmd.ProcessState.ExitCode())
		s.stop(ctx, svc, t, reason)
	}
}

// dropStopped ends the processes of tasks that were stopped through the API
// (an operator or a test calling StopTask), as ECS would end their containers.
func (s *Scheduler) dropStopped(ctx context.Context, svc Service) error {
	s.mu.Lock()
	list := append([]*task(nil), s.tasks[svc.Name]...)
	s.mu.Unlock()
	if len(list) == 0 {
		return nil
	}
	arns := make([]string, len(list))
	for i, t := range list {
		arns[i] = t.arn
	}
	stopped := map[string]bool{}
	// DescribeTasks takes at most 100 tasks; the stand-in never runs that many for one service.
	out, err := s.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(svc.Cluster), Tasks: arns[:min(len(arns), 100)]})
	if err != nil {
		return fmt.Errorf("describe tasks: %w", err)
	}
	for _, t := range out.Tasks {
		if aws.ToString(t.LastStatus) == "STOPPED" || aws.ToString(t.DesiredStatus) == "STOPPED" {
			stopped[aws.ToString(t.TaskArn)] = true
		}
	}
	if len(stopped) == 0 {
		return nil
	}
	s.mu.Lock()
	var keep, gone []*task
	for _, t := range s.tasks[svc.Name] {
		if stopped[t.arn] {
			gone = append(gone, t)
		} else {
			keep = append(keep, t)
		}
	}
	s.tasks[svc.Name] = keep
	s.mu.Unlock()
	for _, t := range gone {
		kill(t)
		s.release(ctx, t)
		n, _ := strconv.Atoi(t.ip[len("127.0.0."):])
		s.freeIP(n)
		s.log.Info("task stopped through the API", "service", svc.Name, "address", t.ip)
	}
	return nil
}

// stop stops the task in ECS, ends its process and gives its address back.
func (s *Scheduler) stop(ctx context.Context, svc Service, t *task, reason string) {
	if _, err := s.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(svc.Cluster), Task: aws.String(t.arn), Reason: aws.String(reason)}); err != nil {
		s.log.Warn("stop task failed", "service", svc.Name, "error", err)
	}
	kill(t)
	s.release(ctx, t)
	n, _ := strconv.Atoi(t.ip[len("127.0.0."):])
	s.freeIP(n)
	s.log.Info("task stopped", "service", svc.Name, "address", t.ip, "reason", reason)
}

func (s *Scheduler) release(ctx context.Context, t *task) {
	if t.association != "" {
		_, _ = s.ec2.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: aws.String(t.association)})
	}
	if t.allocation != "" {
		_, _ = s.ec2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(t.allocation)})
	}
}

// kill ends the app's process group by its id: SIGTERM, then SIGKILL after 3 s.
func kill(t *task) {
	if t.cmd == nil || t.cmd.Process == nil {
		return
	}
	procgroup.Stop(t.cmd.Process.Pid, t.done, 3*time.Second)
}

// takeIP picks an address of the pool whose port nobody listens on: another
// local stack or a test on this machine may run apps on the same pool.
func (s *Scheduler) takeIP(port int) (string, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := firstIP; n <= lastIP; n++ {
		if s.usedIPs[n] {
			continue
		}
		ip := "127.0.0." + strconv.Itoa(n)
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			continue
		}
		_ = l.Close()
		s.usedIPs[n] = true
		return ip, n, nil
	}
	return "", 0, fmt.Errorf("no free address in 127.0.0.%d-%d for port %d", firstIP, lastIP, port)
}

func (s *Scheduler) freeIP(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.usedIPs, n)
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

// Publish puts each task's network traffic since the last call into
// CloudWatch as the datapoint of the minute that started at minute, as
// Container Insights for ECS does: ECS/ContainerInsights NetworkRxBytes and
// NetworkTxBytes by ClusterName and ServiceName, one datapoint per task, in
// Bytes/Second (the task's rate over the minute), so the Sum of a minute is
// the service's rate. A service with no task publishes nothing.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
func (s *Scheduler) Publish(ctx context.Context, minute time.Time) {
	for _, svc := range s.services {
		s.mu.Lock()
		list := append([]*task(nil), s.tasks[svc.Name]...)
		s.mu.Unlock()
		dims := []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String(svc.Cluster)}, {Name: aws.String("ServiceName"), Value: aws.String(svc.Name)}}
		var data []cwtypes.MetricDatum
		for _, t := range list {
			r, w, ok := readStats(t.stats)
			if !ok {
				continue // the app has not written its counts yet: no datapoint, as for a task not reporting
			}
			rx, tx := r-t.rx, w-t.tx
			t.rx, t.tx = r, w
			data = append(data,
				cwtypes.MetricDatum{MetricName: aws.String("NetworkRxBytes"), Dimensions: dims, Timestamp: aws.Time(minute), Value: aws.Float64(rx / 60), Unit: cwtypes.StandardUnitBytesSecond},
				cwtypes.MetricDatum{MetricName: aws.String("NetworkTxBytes"), Dimensions: dims, Timestamp: aws.Time(minute), Value: aws.Float64(tx / 60), Unit: cwtypes.StandardUnitBytesSecond})
		}
		if len(data) == 0 {
			continue
		}
		// At most 20 datums a call: the emulator answered 500 to more.
		for batch := range slices.Chunk(data, 20) {
			if _, err := s.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("ECS/ContainerInsights"), MetricData: batch}); err != nil {
				s.log.Warn("publishing network traffic failed", "service", svc.Name, "error", err)
			}
		}
	}
}

func readStats(path string) (rx, tx float64, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscan(string(b), &rx, &tx); err != nil {
		return 0, 0, false
	}
	return rx, tx, true
}
