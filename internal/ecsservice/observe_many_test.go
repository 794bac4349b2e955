package ecsservice

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// clusterECS serves several services of one cluster and their tasks.
type clusterECS struct {
	fakeECS
	services map[string]*ecstypes.Service
	tasks    map[string][]ecstypes.Task // by service, any status
}

func (f *clusterECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.count("DescribeServices")
	out := &ecs.DescribeServicesOutput{}
	for _, n := range in.Services {
		if s, ok := f.services[n]; ok {
			out.Services = append(out.Services, *s)
		} else {
			out.Failures = append(out.Failures, ecstypes.Failure{Arn: aws.String(n), Reason: aws.String("MISSING")})
		}
	}
	return out, nil
}

func (f *clusterECS) ListTasks(ctx context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	f.count("ListTasks")
	out := &ecs.ListTasksOutput{}
	for _, t := range f.tasks[aws.ToString(in.ServiceName)] {
		if aws.ToString(t.DesiredStatus) == string(in.DesiredStatus) {
			out.TaskArns = append(out.TaskArns, aws.ToString(t.TaskArn))
		}
	}
	return out, nil
}

func (f *clusterECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	f.count("DescribeTasks")
	want := map[string]bool{}
	for _, a := range in.Tasks {
		want[a] = true
	}
	out := &ecs.DescribeTasksOutput{}
	for _, list := range f.tasks {
		for _, t := range list {
			arn := aws.ToString(t.TaskArn)
			if want[arn] || want[arn[len(arn)-32:]] {
				out.Tasks = append(out.Tasks, t)
			}
		}
	}
	return out, nil
}

func named(name string, desired int32) *ecstypes.Service {
	s := svc(desired, TagWokenAt, "2026-11-24T12:00:00Z")
	s.ServiceName = aws.String(name)
	return s
}

func id(n int) string { return fmt.Sprintf("%032d", n) }

func TestObserveManyReadsServicesTogether(t *testing.T) {
	f := &clusterECS{
		services: map[string]*ecstypes.Service{"a": named("a", 1), "b": named("b", 1), "c": named("c", 1), "asleep": named("asleep", 0)},
		tasks: map[string][]ecstypes.Task{
			"a": {task(1, "service:a", "RUNNING", "RUNNING")},
			"b": {task(2, "service:b", "RUNNING", "PENDING")},
			"c": {task(3, "service:c", "RUNNING", "PROVISIONING")},
		},
	}
	ec2 := &fakeEC2{}
	need := func(known ...string) Need { return Need{Tasks: true, PublicIPs: true, Stopped: true, Known: known} }
	out, err := New(f, ec2).ObserveMany(context.Background(), "c", []Want{
		{"a", need(id(1))}, {"b", need(id(2))}, {"c", need()}, {"asleep", need()}, {"gone", need()},
	})
	if err != nil {
		t.Fatal(err)
	}
	// One DescribeServices; the known tasks of a and b in one DescribeTasks; c listed, then described.
	want := map[string]int{"DescribeServices": 1, "DescribeTasks": 2, "ListTasks": 1}
	if fmt.Sprint(f.calls) != fmt.Sprint(want) || ec2.calls != 1 {
		t.Fatalf("calls %v and %d EC2 calls, want %v and 1", f.calls, ec2.calls, want)
	}
	for name, wantTasks := range map[string]int{"a": 1, "b": 1, "c": 1, "asleep": 0} {
		r := out[name]
		if r.Err != nil || len(r.Service.Tasks) != wantTasks {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if out["a"].Service.Tasks[0].PublicIP == "" || out["b"].Service.Tasks[0].PublicIP == "" || out["c"].Service.Tasks[0].PublicIP != "" {
		t.Errorf("public IPs: a %q b %q c %q (c is still provisioning: no interface yet)", out["a"].Service.Tasks[0].PublicIP, out["b"].Service.Tasks[0].PublicIP, out["c"].Service.Tasks[0].PublicIP)
	}
	if !errors.Is(out["gone"].Err, ErrServiceNotFound) {
		t.Errorf("a service ECS does not know: %v", out["gone"].Err)
	}
}

func TestObserveManyTakesAtMostABatch(t *testing.T) {
	wants := make([]Want, DescribeServicesBatch+1)
	if _, err := New(&clusterECS{}, &fakeEC2{}).ObserveMany(context.Background(), "c", wants); err == nil {
		t.Fatal("more services than DescribeServices takes were accepted")
	}
}
