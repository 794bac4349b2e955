package standin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
)

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
	if err := s.attachAddress(ctx, t, networkInterface(out.Tasks[0])); err != nil {
		abandon("Task failed to start: no public address")
		return err
	}
	t.stats = filepath.Join(s.dir, "task-"+strconv.Itoa(n)+".stats")
	_ = os.Remove(t.stats)
	t.cmd = svc.Launch(ip, svc.Port, t.stats)
	// Its own process group, dying with this process however it ends.
	if err := procgroup.Start(t.cmd); err != nil {
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

// attachAddress gives the task's network interface the Elastic IP t.ip, so EC2
// reports it as the task's public IP.
func (s *Scheduler) attachAddress(ctx context.Context, t *task, eni string) error {
	alloc, err := s.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, Address: aws.String(t.ip)})
	if err != nil {
		return fmt.Errorf("allocate %s: %w", t.ip, err)
	}
	t.allocation = aws.ToString(alloc.AllocationId)
	assoc, err := s.ec2.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: alloc.AllocationId, NetworkInterfaceId: aws.String(eni)})
	if err != nil {
		return fmt.Errorf("associate %s with %s: %w", t.ip, eni, err)
	}
	t.association = aws.ToString(assoc.AssociationId)
	return nil
}

// networkInterface is the id of the task's network interface, from its
// attachment's details, as ECS reports an awsvpc task's.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attachment.html
func networkInterface(t ecstypes.Task) string {
	eni := ""
	for _, a := range t.Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "networkInterfaceId" {
				eni = aws.ToString(d.Value)
			}
		}
	}
	return eni
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
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
	out, err := s.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(svc.Cluster), Tasks: arns[:min(len(arns), 100)]})
	if err != nil {
		return fmt.Errorf("describe tasks: %w", err)
	}
	for _, t := range out.Tasks {
		if aws.ToString(t.LastStatus) == statusStopped || aws.ToString(t.DesiredStatus) == statusStopped {
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

// statusStopped is a task's last status once it has stopped.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
const statusStopped = "STOPPED"
