package ecsservice

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

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
