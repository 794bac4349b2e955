package testworld

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Task is a task the test started for a service, at a loopback "public IP".
type Task struct {
	ARN, IP string
	// Created is when RunTask made it (the emulator reports no createdAt).
	Created time.Time
}

// RunTask starts a task for the service as the ECS scheduler would, and gives
// its network interface an Elastic IP 127.0.0.N, so ECS and EC2 report it
// as a Fargate task with a public IP that the test controls.
func (w *World) RunTask(t testing.TB, service string) Task {
	t.Helper()
	task, err := w.runTask(context.Background(), service)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (w *World) runTask(ctx context.Context, service string) (Task, error) {
	created := time.Now()
	out, err := w.ECS.RunTask(ctx, &ecs.RunTaskInput{
		Cluster: aws.String(Cluster), TaskDefinition: aws.String(w.cluster.TaskDefinition), Group: aws.String("service:" + service),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: w.cluster.Network,
	})
	if err != nil || len(out.Tasks) != 1 {
		return Task{}, fmt.Errorf("run task for %s: %v", service, err)
	}
	task := out.Tasks[0]
	var eni string
	for _, a := range task.Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "networkInterfaceId" {
				eni = aws.ToString(d.Value)
			}
		}
	}
	if eni == "" {
		return Task{}, fmt.Errorf("task for %s has no network interface", service)
	}
	w.mu.Lock()
	ip := "127.0.0." + strconv.Itoa(w.nextIP)
	w.nextIP++
	w.mu.Unlock()
	alloc, err := w.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, Address: aws.String(ip)})
	if err != nil {
		return Task{}, fmt.Errorf("allocate %s: %w", ip, err)
	}
	if _, err := w.EC2.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: alloc.AllocationId, NetworkInterfaceId: aws.String(eni)}); err != nil {
		return Task{}, fmt.Errorf("associate %s: %w", ip, err)
	}
	return Task{ARN: aws.ToString(task.TaskArn), IP: ip, Created: created}, nil
}

// StopTask stops a task with the reason ECS would give.
func (w *World) StopTask(t testing.TB, task Task, reason string) {
	t.Helper()
	if _, err := w.ECS.StopTask(context.Background(), &ecs.StopTaskInput{Cluster: aws.String(Cluster), Task: aws.String(task.ARN), Reason: aws.String(reason)}); err != nil {
		t.Fatalf("stop task: %v", err)
	}
}

// FailTask stops a task as ECS does when it fails: its stoppedReason, and
// the stop code and containers' reasons and exit codes the gate reports.
func (w *World) FailTask(t testing.TB, task Task, reason string, s Stop) {
	t.Helper()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = task.Created
	}
	if s.StoppedAt.IsZero() {
		s.StoppedAt = time.Now()
	}
	w.Gate.SetStop(task.ARN, s)
	w.StopTask(t, task, reason)
}
