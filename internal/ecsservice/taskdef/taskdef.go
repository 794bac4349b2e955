// Package taskdef reads a task's size from its task definition: vCPU, memory,
// CPU architecture and operating system, for the savings report.
//
// It is its own package, not a file of ecsservice, because only Auto-Sleep
// reports savings: Wake links ecsservice, and the IAM test derives each
// function's actions from the packages it links; Wake's role stays without
// ecs:DescribeTaskDefinition.
package taskdef

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ECS is the part of the ECS API this package calls.
type ECS interface {
	DescribeTaskDefinition(ctx context.Context, params *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

var _ ECS = (*ecs.Client)(nil)

// Size is one task's size.
type Size struct {
	VCPU     float64
	MemoryGB float64
	// Architecture is X86_64 or ARM64 (X86_64 when the task definition names none).
	Architecture string
	// OS is LINUX, or a WINDOWS_SERVER_… family (LINUX when it names none).
	OS string
}

// Reader reads sizes, one DescribeTaskDefinition call per task definition.
// A service names its task definition by ARN with its revision, and a
// revision never changes (a new one is registered instead), so a size read
// once holds for the life of the process; failures are not kept.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
// The call draws on ECS's per-account token buckets, shared with the owner's
// deploys; one call per distinct task definition keeps it to a handful a report.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
type Reader struct {
	ECS ECS

	mu    sync.Mutex
	sizes map[string]Size
}

// New returns a Reader over e.
func New(e ECS) *Reader { return &Reader{ECS: e} }

// Size is the size of the tasks of the task definition arn.
func (r *Reader) Size(ctx context.Context, arn string) (Size, error) {
	r.mu.Lock()
	s, ok := r.sizes[arn]
	r.mu.Unlock()
	if ok {
		return s, nil
	}
	out, err := r.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil {
		return Size{}, fmt.Errorf("describe task definition %s: %w", arn, err)
	}
	s, err = sizeOf(out.TaskDefinition)
	if err != nil {
		return Size{}, fmt.Errorf("task definition %s: %w", arn, err)
	}
	r.mu.Lock()
	if r.sizes == nil {
		r.sizes = map[string]Size{}
	}
	r.sizes[arn] = s
	r.mu.Unlock()
	return s, nil
}

// sizeOf reads the task-level cpu and memory, which Fargate requires, and the runtime platform.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size
func sizeOf(td *ecstypes.TaskDefinition) (Size, error) {
	if td == nil {
		return Size{}, fmt.Errorf("no task definition in the answer")
	}
	cpu, err := units(aws.ToString(td.Cpu), "vcpu")
	if err != nil {
		return Size{}, fmt.Errorf("cpu: %w", err)
	}
	mem, err := units(aws.ToString(td.Memory), "gb")
	if err != nil {
		return Size{}, fmt.Errorf("memory: %w", err)
	}
	s := Size{VCPU: cpu / 1024, MemoryGB: mem / 1024, Architecture: "X86_64", OS: "LINUX"}
	if p := td.RuntimePlatform; p != nil {
		if p.CpuArchitecture != "" {
			s.Architecture = string(p.CpuArchitecture)
		}
		if p.OperatingSystemFamily != "" {
			s.OS = string(p.OperatingSystemFamily)
		}
	}
	return s, nil
}

// units reads a task-level size: CPU units (1024 a vCPU) or MiB, as ECS
// returns them; "1 vCPU" and "2 GB", as a task definition may be written,
// are read too.
func units(v, unit string) (float64, error) {
	v = strings.TrimSpace(strings.ToLower(v))
	if v == "" {
		return 0, fmt.Errorf("not set at task level (Fargate requires it)")
	}
	scale := 1.0
	if n, ok := strings.CutSuffix(v, unit); ok {
		v, scale = strings.TrimSpace(n), 1024
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) {
		return 0, fmt.Errorf("%q is not a size", v)
	}
	return f * scale, nil
}
