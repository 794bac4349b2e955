// Package ecsservice reads the state of an ECS service and its tasks, and
// scales it, with as few ECS and EC2 calls as the question needs.
package ecsservice

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// ECS is the part of the ECS API this package calls; *ecs.Client satisfies it.
type ECS interface {
	DescribeServices(ctx context.Context, params *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	ListTasks(ctx context.Context, params *ecs.ListTasksInput, optFns ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(ctx context.Context, params *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	UpdateService(ctx context.Context, params *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	TagResource(ctx context.Context, params *ecs.TagResourceInput, optFns ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
}

// EC2 reads the public IPs of network interfaces, by interface ID, in one
// DescribeNetworkInterfaces call; *ec2query.Client satisfies it. (Not the
// SDK's EC2 client: see package ec2query for why.)
type EC2 interface {
	PublicIPs(ctx context.Context, networkInterfaceIDs []string) (map[string]string, error)
}

// Batch sizes of the ECS and EC2 APIs.
const (
	// describeTasksBatch: DescribeTasks takes at most 100 tasks.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
	describeTasksBatch = 100
	// listTasksPage: ListTasks returns at most 100 tasks a page.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html
	listTasksPage = 100
	// DescribeServicesBatch: DescribeServices takes at most 10 services.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
	DescribeServicesBatch = 10
)

// Tags the controller keeps on the ECS service.
const (
	// TagWokenAt is when the last wake began (RFC 3339, UTC, to the millisecond,
	// so environments that woke it in the same second tell their writes apart);
	// Auto-Sleep reads it for its grace period.
	TagWokenAt = "scale-to-zero:woken-at"
	// WokenAtLayout is TagWokenAt's format (time.RFC3339 parses it).
	WokenAtLayout = "2006-01-02T15:04:05.000Z07:00"
	// TagSleptFrom is the desired count before the last sleep; the next wake restores it.
	TagSleptFrom = "scale-to-zero:desired-before-sleep"
	// TagWakeSeconds is how long the last few wakes took, newest last ("41 38 44"),
	// so the wait page can estimate the next one. Space-separated: an ECS tag
	// value is at most 256 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@] (no comma).
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
	TagWakeSeconds = "scale-to-zero:wake-seconds"
	// WakeHistory is how many wake durations the tag keeps.
	WakeHistory = 5
)

// Client reads and scales services.
type Client struct {
	ECS ECS
	EC2 EC2

	mu sync.Mutex
	// publicIPs remembers each network interface's public IP (it does not
	// change while the interface lives).
	publicIPs map[string]string
}

// maxRemembered bounds the interfaces a Client remembers.
const maxRemembered = 10000

// New returns a Client over the given APIs.
func New(e ECS, n EC2) *Client { return &Client{ECS: e, EC2: n} }

// ShortARN reports a service ARN in the old format, without the cluster
// (arn:aws:ecs:REGION:ACCOUNT:service/NAME): ECS refuses to tag such a service
// (InvalidParameterException, "Long arn format must be used for tagging
// operations"), so nothing can be remembered on it. Services created after the
// account opted in to the long format have arn:…:service/CLUSTER/NAME.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TagResource.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids
func ShortARN(arn string) bool {
	_, resource, ok := strings.Cut(arn, ":service/")
	return ok && !strings.Contains(resource, "/")
}

// ShortARNAdvice says what a short-ARN service loses and how to migrate it.
const ShortARNAdvice = "the service has an old short ARN, which ECS cannot tag: the wake time, the count to restore and the wake durations are not kept (the wake is judged from its tasks, and the next wake starts the configured wake count). To migrate: opt in to the long ARN format (aws ecs put-account-setting-default --name serviceLongArnFormat --value enabled) and re-create the service"
