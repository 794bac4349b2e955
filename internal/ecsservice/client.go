// Package ecsservice reads the state of an ECS service and its tasks, and
// scales it, with as few ECS and EC2 calls as the question needs.
//
// One file per operation, each with its test beside it: describe (the
// services, tags included), tasks (list and describe), network (the tasks'
// public IPs, from EC2), tags and scale; observe puts the reads together.
package ecsservice

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// ECS is the part of the ECS API this package calls.
type ECS interface {
	DescribeServices(ctx context.Context, params *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	ListTasks(ctx context.Context, params *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(ctx context.Context, params *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	UpdateService(ctx context.Context, params *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	TagResource(ctx context.Context, params *ecs.TagResourceInput, optFns ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
}

var _ ECS = (*ecs.Client)(nil)

// EC2 is the part of the EC2 API this package calls: a Fargate task's public
// IP is on its network interface, which ECS does not report.
type EC2 interface {
	DescribeNetworkInterfaces(ctx context.Context, params *ec2.DescribeNetworkInterfacesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
}

var _ EC2 = (*ec2.Client)(nil)

// Client reads and scales services.
type Client struct {
	ECS ECS
	// EC2 may be nil for a client never asked for public IPs (Auto-Sleep's).
	EC2 EC2
	// Log, when set, gets what a write could not keep (a history that
	// started afresh, a history tag left out); nil says nothing.
	Log *slog.Logger
	// now is the clock of the history's sleeps (time.Now when nil).
	now func() time.Time

	mu sync.Mutex
	// publicIPs remembers each network interface's public IP (it does not
	// change while the interface lives).
	publicIPs map[string]string
}

// New returns a Client over the given APIs.
func New(e ECS, n EC2) *Client { return &Client{ECS: e, EC2: n} }
