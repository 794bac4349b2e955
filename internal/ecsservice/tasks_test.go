package ecsservice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

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

func TestTasksAreListedPageByPage(t *testing.T) {
	woken := "2026-11-24T12:00:00Z"
	many := func(n int, desired, last string) []ecstypes.Task {
		var out []ecstypes.Task
		for i := range n {
			out = append(out, task(i, "service:web", desired, last))
		}
		return out
	}
	tests := []struct {
		name        string
		ecs         *fakeECS
		need        Need
		wantLists   int
		wantTasks   int
		wantStopped int
	}{
		{"every page of the running tasks", &fakeECS{service: svc(250), running: many(250, "RUNNING", "PENDING"), pageSize: listTasksPage}, Need{Tasks: true}, 3, 250, 0},
		{"the first page of the stopped ones: the latest reasons are enough", &fakeECS{service: svc(1, TagWokenAt, woken), stopped: many(150, "STOPPED", "STOPPED"), pageSize: listTasksPage}, Need{Tasks: true, Stopped: true}, 2, 0, listTasksPage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obs, err := New(tc.ecs, &fakeEC2{}).Observe(context.Background(), "c", "web", tc.need)
			if err != nil {
				t.Fatal(err)
			}
			if tc.ecs.calls["ListTasks"] != tc.wantLists || len(obs.Tasks) != tc.wantTasks || len(obs.Stopped) != tc.wantStopped {
				t.Fatalf("%d ListTasks, %d tasks, %d stopped; want %d, %d, %d", tc.ecs.calls["ListTasks"], len(obs.Tasks), len(obs.Stopped), tc.wantLists, tc.wantTasks, tc.wantStopped)
			}
			for _, n := range tc.ecs.listLimits {
				if n != listTasksPage {
					t.Fatalf("ListTasks asked for pages of %v, want %d", tc.ecs.listLimits, listTasksPage)
				}
			}
		})
	}
}

func TestTaskFailuresOtherThanMissingAreCarriedInTheError(t *testing.T) {
	running := []ecstypes.Task{task(1, "service:web", "RUNNING", "RUNNING")}
	tests := []struct {
		name     string
		failures []ecstypes.Failure
		wantErr  bool
	}{
		{"a vanished task is simply not there", []ecstypes.Failure{{Arn: aws.String("arn:aws:ecs:us-east-1:1:task/c/gone"), Reason: aws.String("MISSING")}}, false},
		{"any other failure is the error", []ecstypes.Failure{{Arn: aws.String("arn:aws:ecs:us-east-1:1:task/c/odd"), Reason: aws.String("ODD"), Detail: aws.String("some detail")}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeECS{service: svc(1), running: running, taskFailures: tc.failures}
			tasks, err := New(f, nil).RunningTasks(context.Background(), "c", "web")
			if !tc.wantErr {
				if err != nil || len(tasks) != 1 {
					t.Fatalf("%d tasks, %v; want the one there, no error", len(tasks), err)
				}
				return
			}
			var failure *FailureError
			if !errors.As(err, &failure) || !strings.Contains(err.Error(), "task/c/odd: ODD (some detail)") || IsTransient(err) {
				t.Fatalf("error %v, want the failure's ARN, reason and detail, not transient", err)
			}
		})
	}
}
