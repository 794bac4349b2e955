package ecsservice

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// fakeECS serves one service and its tasks, and counts calls.
type fakeECS struct {
	service     *ecstypes.Service
	describeErr error
	listErr     error
	updateErr   error
	running     []ecstypes.Task
	stopped     []ecstypes.Task
	// pageSize, when set, splits ListTasks answers into pages of that many.
	pageSize int
	// taskFailures are added to every DescribeTasks answer.
	taskFailures []ecstypes.Failure
	calls        map[string]int
	batches      []int
	listLimits   []int32
	updates      []int32
	tags         []string
}

var _ ECS = (*fakeECS)(nil)

func (f *fakeECS) count(op string) {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	f.count("DescribeServices")
	if len(in.Include) != 1 || in.Include[0] != ecstypes.ServiceFieldTags {
		return nil, errors.New("tags not asked for")
	}
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	out := &ecs.DescribeServicesOutput{}
	if f.service == nil {
		out.Failures = []ecstypes.Failure{{Arn: aws.String(in.Services[0]), Reason: aws.String("MISSING")}}
		return out, nil
	}
	out.Services = []ecstypes.Service{*f.service}
	return out, nil
}

func (f *fakeECS) ListTasks(ctx context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	f.count("ListTasks")
	f.listLimits = append(f.listLimits, aws.ToInt32(in.MaxResults))
	if f.listErr != nil {
		return nil, f.listErr
	}
	list := f.running
	if in.DesiredStatus == ecstypes.DesiredStatusStopped {
		list = f.stopped
	}
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := len(list)
	if f.pageSize > 0 {
		end = min(start+f.pageSize, len(list))
	}
	out := &ecs.ListTasksOutput{}
	for _, t := range list[start:end] {
		out.TaskArns = append(out.TaskArns, aws.ToString(t.TaskArn))
	}
	if end < len(list) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	f.count("DescribeTasks")
	f.batches = append(f.batches, len(in.Tasks))
	if len(in.Tasks) > describeTasksBatch {
		return nil, fmt.Errorf("%d tasks in one call", len(in.Tasks))
	}
	want := map[string]bool{}
	for _, a := range in.Tasks {
		want[a] = true
	}
	out := &ecs.DescribeTasksOutput{Failures: f.taskFailures}
	for _, t := range append(append([]ecstypes.Task{}, f.running...), f.stopped...) {
		// ECS takes a task's ARN or its ID.
		arn := aws.ToString(t.TaskArn)
		if want[arn] || want[arn[strings.LastIndex(arn, "/")+1:]] {
			out.Tasks = append(out.Tasks, t)
		}
	}
	return out, nil
}

func (f *fakeECS) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, _ ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	f.count("UpdateService")
	if f.updateErr != nil {
		return nil, f.updateErr
	}
	f.updates = append(f.updates, aws.ToInt32(in.DesiredCount))
	return &ecs.UpdateServiceOutput{}, nil
}

func (f *fakeECS) TagResource(ctx context.Context, in *ecs.TagResourceInput, _ ...func(*ecs.Options)) (*ecs.TagResourceOutput, error) {
	f.count("TagResource")
	for _, t := range in.Tags {
		f.tags = append(f.tags, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return &ecs.TagResourceOutput{}, nil
}

// clusterECS serves several services of one cluster and their tasks.
type clusterECS struct {
	fakeECS
	services map[string]*ecstypes.Service
	tasks    map[string][]ecstypes.Task // by service, any status
}

var _ ECS = (*clusterECS)(nil)

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

// fakeEC2 gives each interface asked for the public IP 127.0.0.(10+its place in the call).
type fakeEC2 struct {
	calls int
	err   error
}

var _ EC2 = (*fakeEC2)(nil)

func (f *fakeEC2) DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	out := &ec2.DescribeNetworkInterfacesOutput{}
	for i, id := range in.NetworkInterfaceIds {
		out.NetworkInterfaces = append(out.NetworkInterfaces, ec2types.NetworkInterface{
			NetworkInterfaceId: aws.String(id),
			Association:        &ec2types.NetworkInterfaceAssociation{PublicIp: aws.String(fmt.Sprintf("127.0.0.%d", 10+i))},
		})
	}
	return out, nil
}

func task(n int, group, desired, last string) ecstypes.Task {
	return ecstypes.Task{
		TaskArn: aws.String(fmt.Sprintf("arn:aws:ecs:us-east-1:1:task/c/%032d", n)), Group: aws.String(group),
		DesiredStatus: aws.String(desired), LastStatus: aws.String(last), StoppedReason: aws.String(""),
		Attachments: []ecstypes.Attachment{{Type: aws.String("ElasticNetworkInterface"), Details: []ecstypes.KeyValuePair{
			{Name: aws.String("networkInterfaceId"), Value: aws.String(fmt.Sprintf("eni-%d", n))},
			{Name: aws.String("privateIPv4Address"), Value: aws.String(fmt.Sprintf("10.0.0.%d", n))},
		}}},
	}
}

func svc(desired int32, tags ...string) *ecstypes.Service {
	s := &ecstypes.Service{ServiceArn: aws.String("arn:aws:ecs:us-east-1:1:service/c/web"), ServiceName: aws.String("web"), Status: aws.String("ACTIVE"), DesiredCount: desired}
	for i := 0; i+1 < len(tags); i += 2 {
		s.Tags = append(s.Tags, ecstypes.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	return s
}

func named(name string, desired int32) *ecstypes.Service {
	s := svc(desired, TagWokenAt, "2026-11-24T12:00:00Z")
	s.ServiceName = aws.String(name)
	return s
}

func id(n int) string { return fmt.Sprintf("%032d", n) }
