package ecsservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// fakeECS serves one service and its tasks, and counts calls.
type fakeECS struct {
	service     *ecstypes.Service
	describeErr error
	running     []ecstypes.Task
	stopped     []ecstypes.Task
	calls       map[string]int
	batches     []int
	updates     []int32
	tags        []string
}

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
	list := f.running
	if in.DesiredStatus == ecstypes.DesiredStatusStopped {
		list = f.stopped
	}
	out := &ecs.ListTasksOutput{}
	for _, t := range list {
		out.TaskArns = append(out.TaskArns, aws.ToString(t.TaskArn))
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
	out := &ecs.DescribeTasksOutput{}
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

type fakeEC2 struct {
	calls int
	err   error
}

func (f *fakeEC2) PublicIPs(ctx context.Context, ids []string) (map[string]string, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]string{}
	for i, id := range ids {
		out[id] = fmt.Sprintf("127.0.0.%d", 10+i)
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

func TestObserveCallsOnlyWhatTheQuestionNeeds(t *testing.T) {
	woken := "2026-11-24T12:00:00Z"
	tests := []struct {
		name      string
		ecs       *fakeECS
		need      Need
		wantCalls map[string]int
		wantEC2   int
		wantTasks int
	}{
		{"asleep: one DescribeServices", &fakeECS{service: svc(0), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}}, Need{Tasks: true, PublicIPs: true, Stopped: true}, map[string]int{"DescribeServices": 1}, 0, 0},
		{"no tasks needed: one DescribeServices", &fakeECS{service: svc(1)}, Need{}, map[string]int{"DescribeServices": 1}, 0, 0},
		{"running task: list, describe, one EC2 call", &fakeECS{service: svc(1, TagWokenAt, woken), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}}, Need{Tasks: true, PublicIPs: true}, map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1}, 1, 1},
		{"private addresses: no EC2 call", &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}}, Need{Tasks: true}, map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1}, 0, 1},
		{"pending task after a wake: no stopped tasks while one is on its way; its interface's address", &fakeECS{service: svc(1, TagWokenAt, woken), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "PENDING")}, stopped: []ecstypes.Task{task(2, "service:web", "STOPPED", "STOPPED")}}, Need{Tasks: true, PublicIPs: true, Stopped: true}, map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1}, 1, 1},
		{"no task wanted running after a wake: the stopped ones tell why", &fakeECS{service: svc(1, TagWokenAt, woken), stopped: []ecstypes.Task{task(2, "service:web", "STOPPED", "STOPPED")}}, Need{Tasks: true, PublicIPs: true, Stopped: true}, map[string]int{"DescribeServices": 1, "ListTasks": 2, "DescribeTasks": 1}, 0, 0},
		{"known tasks still wanted: described without listing", &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "PENDING")}}, Need{Tasks: true, Known: []string{fmt.Sprintf("%032d", 1)}}, map[string]int{"DescribeServices": 1, "DescribeTasks": 1}, 0, 1},
		{"a known task stopped: its reason kept, its replacement listed", &fakeECS{service: svc(1), running: []ecstypes.Task{task(3, "service:web", "RUNNING", "PENDING")}, stopped: []ecstypes.Task{task(2, "service:web", "STOPPED", "STOPPED")}}, Need{Tasks: true, Known: []string{fmt.Sprintf("%032d", 2)}}, map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 2}, 0, 1},
		{"more tasks wanted than known: listed", &fakeECS{service: svc(2), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING"), task(2, "service:web", "RUNNING", "PENDING")}}, Need{Tasks: true, Known: []string{fmt.Sprintf("%032d", 1)}}, map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1}, 0, 2},
		{"provisioning task: no interface yet, no EC2 call", &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "PROVISIONING")}}, Need{Tasks: true, PublicIPs: true}, map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1}, 0, 1},
		{"no wake tag: stopped tasks are not worth a call", &fakeECS{service: svc(1)}, Need{Tasks: true, PublicIPs: true, Stopped: true}, map[string]int{"DescribeServices": 1, "ListTasks": 1}, 0, 0},
		{"other services' tasks are left out", &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:other", "RUNNING", "RUNNING"), task(2, "family:web", "RUNNING", "RUNNING"), task(3, "service:web", "STOPPED", "STOPPED")}}, Need{Tasks: true}, map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ec2 := &fakeEC2{}
			obs, err := New(tc.ecs, ec2).Observe(context.Background(), "c", "web", tc.need)
			if err != nil {
				t.Fatal(err)
			}
			for op, n := range tc.wantCalls {
				if tc.ecs.calls[op] != n {
					t.Errorf("%s called %d times, want %d (all: %v)", op, tc.ecs.calls[op], n, tc.ecs.calls)
				}
			}
			if len(tc.ecs.calls) != len(tc.wantCalls) {
				t.Errorf("calls %v, want %v", tc.ecs.calls, tc.wantCalls)
			}
			if ec2.calls != tc.wantEC2 || len(obs.Tasks) != tc.wantTasks {
				t.Errorf("%d EC2 calls and %d tasks, want %d and %d", ec2.calls, len(obs.Tasks), tc.wantEC2, tc.wantTasks)
			}
		})
	}
}

func TestObserveReadsTagsAndAddresses(t *testing.T) {
	f := &fakeECS{service: svc(1, TagWokenAt, "2026-11-24T12:00:00Z", TagSleptFrom, "3"), running: []ecstypes.Task{task(7, "service:web", "RUNNING", "RUNNING")}}
	obs, err := New(f, &fakeEC2{}).Observe(context.Background(), "c", "web", Need{Tasks: true, PublicIPs: true})
	if err != nil {
		t.Fatal(err)
	}
	if obs.WokenAt == nil || !obs.WokenAt.Equal(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)) || obs.SleptFrom != 3 {
		t.Fatalf("woken %v slept-from %d", obs.WokenAt, obs.SleptFrom)
	}
	tk := obs.Tasks[0]
	if tk.PublicIP != "127.0.0.10" || tk.PrivateIP != "10.0.0.7" || tk.NetworkInterfaceID != "eni-7" || tk.ID != fmt.Sprintf("%032d", 7) {
		t.Fatalf("task %+v", tk)
	}
}

func TestAnInterfaceSeenBeforeCostsNoEC2Call(t *testing.T) {
	f := &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}}
	ec2 := &fakeEC2{}
	c := New(f, ec2)
	for range 3 {
		obs, err := c.Observe(context.Background(), "c", "web", Need{Tasks: true, PublicIPs: true})
		if err != nil || obs.Tasks[0].PublicIP != "127.0.0.10" {
			t.Fatalf("err %v, task %+v", err, obs.Tasks[0])
		}
	}
	if ec2.calls != 1 {
		t.Fatalf("%d EC2 calls for three observations of one task, want 1", ec2.calls)
	}
}

func TestAVanishedNetworkInterfaceIsNoAddressNotAnError(t *testing.T) {
	f := &fakeECS{service: svc(1), running: []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}}
	gone := &fakeEC2{err: &smithy.GenericAPIError{Code: "InvalidNetworkInterfaceID.NotFound"}}
	obs, err := New(f, gone).Observe(context.Background(), "c", "web", Need{Tasks: true, PublicIPs: true})
	if err != nil || obs.Tasks[0].PublicIP != "" {
		t.Fatalf("err %v, task %+v", err, obs.Tasks[0])
	}
}

func TestMissingServicesAreErrServiceNotFound(t *testing.T) {
	inactive := svc(0)
	inactive.Status = aws.String("INACTIVE")
	for name, f := range map[string]*fakeECS{
		"missing":           {},
		"inactive":          {service: inactive},
		"no cluster":        {service: svc(1), describeErr: &smithy.GenericAPIError{Code: "ClusterNotFoundException"}},
		"service not found": {service: svc(1), describeErr: &smithy.GenericAPIError{Code: "ServiceNotFoundException"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(f, &fakeEC2{}).Observe(context.Background(), "c", "web", Need{})
			if !errors.Is(err, ErrServiceNotFound) || IsTransient(err) {
				t.Fatalf("error %v, want ErrServiceNotFound, not transient", err)
			}
		})
	}
}

func TestTasksAreDescribedAHundredAtATime(t *testing.T) {
	f := &fakeECS{service: svc(250)}
	for i := range 250 {
		f.running = append(f.running, task(i, "service:web", "RUNNING", "PENDING"))
	}
	obs, err := New(f, &fakeEC2{}).Observe(context.Background(), "c", "web", Need{Tasks: true})
	if err != nil || len(obs.Tasks) != 250 {
		t.Fatalf("%d tasks, %v", len(obs.Tasks), err)
	}
	if fmt.Sprint(f.batches) != "[100 100 50]" {
		t.Fatalf("DescribeTasks batches %v, want [100 100 50]", f.batches)
	}
}

func TestIsTransient(t *testing.T) {
	respErr := func(code int) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("x")}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"throttling", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"server fault", &smithy.GenericAPIError{Code: "Whatever", Fault: smithy.FaultServer}, true},
		{"HTTP 503", respErr(503), true},
		{"network", errors.New("dial tcp: connection refused"), true},
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException", Fault: smithy.FaultClient}, false},
		{"invalid parameter", &smithy.GenericAPIError{Code: "InvalidParameterException", Fault: smithy.FaultClient}, false},
		{"missing service", fmt.Errorf("x: %w", ErrServiceNotFound), false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		if got := IsTransient(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSleepRemembersTheCountAndClearsTheWakeTimeThenScalesToZero(t *testing.T) {
	f := &fakeECS{}
	c := New(f, &fakeEC2{})
	if err := c.Sleep(context.Background(), &Service{ARN: "arn", Cluster: "c", Name: "web", DesiredCount: 3}); err != nil {
		t.Fatal(err)
	}
	// One TagResource call: the count, and an empty wake time (the next wake writes its own).
	if fmt.Sprint(f.tags) != "["+TagSleptFrom+"=3 "+TagWokenAt+"=]" || fmt.Sprint(f.updates) != "[0]" || f.calls["TagResource"] != 1 {
		t.Fatalf("tags %v updates %v calls %v", f.tags, f.updates, f.calls)
	}
	f2 := &fakeECS{}
	if err := New(f2, &fakeEC2{}).Sleep(context.Background(), &Service{DesiredCount: 0}); err != nil || len(f2.calls) != 0 {
		t.Fatalf("sleeping a sleeping service made calls %v", f2.calls)
	}
}
