package taskdef

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

type fakeECS struct {
	defs  map[string]*ecstypes.TaskDefinition
	err   error
	calls int
}

func (f *fakeECS) DescribeTaskDefinition(_ context.Context, in *ecs.DescribeTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &ecs.DescribeTaskDefinitionOutput{TaskDefinition: f.defs[aws.ToString(in.TaskDefinition)]}, nil
}

func TestTheSizeComesFromTheTaskDefinition(t *testing.T) {
	tests := []struct {
		name string
		td   *ecstypes.TaskDefinition
		want Size
		err  string
	}{
		{"units, no platform: x86_64 Linux", &ecstypes.TaskDefinition{Cpu: aws.String("256"), Memory: aws.String("512")}, Size{0.25, 0.5, "X86_64", "LINUX"}, ""},
		{"graviton", &ecstypes.TaskDefinition{Cpu: aws.String("1024"), Memory: aws.String("2048"),
			RuntimePlatform: &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitectureArm64}}, Size{1, 2, "ARM64", "LINUX"}, ""},
		{"as people write it", &ecstypes.TaskDefinition{Cpu: aws.String("1 vCPU"), Memory: aws.String("3 GB")}, Size{1, 3, "X86_64", "LINUX"}, ""},
		{"windows", &ecstypes.TaskDefinition{Cpu: aws.String("1024"), Memory: aws.String("2048"),
			RuntimePlatform: &ecstypes.RuntimePlatform{OperatingSystemFamily: ecstypes.OSFamilyWindowsServer2022Core}}, Size{1, 2, "X86_64", "WINDOWS_SERVER_2022_CORE"}, ""},
		{"no task-level cpu (EC2)", &ecstypes.TaskDefinition{Memory: aws.String("512")}, Size{}, "cpu: not set at task level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(&fakeECS{defs: map[string]*ecstypes.TaskDefinition{"td:1": tt.td}})
			got, err := r.Size(context.Background(), "td:1")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error saying %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestATaskDefinitionIsReadOnceAndAFailureIsNotKept(t *testing.T) {
	f := &fakeECS{defs: map[string]*ecstypes.TaskDefinition{"td:1": {Cpu: aws.String("256"), Memory: aws.String("512")}}, err: errors.New("throttled")}
	r := New(f)
	ctx := context.Background()
	if _, err := r.Size(ctx, "td:1"); err == nil || !strings.Contains(err.Error(), "describe task definition td:1: throttled") {
		t.Fatalf("got %v, want the call's error", err)
	}
	f.err = nil
	for range 3 {
		if _, err := r.Size(ctx, "td:1"); err != nil {
			t.Fatal(err)
		}
	}
	if f.calls != 2 {
		t.Errorf("%d calls, want 2 (the failure, then one read kept)", f.calls)
	}
}
