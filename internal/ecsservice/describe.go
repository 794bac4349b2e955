package ecsservice

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// DescribeServicesBatch: DescribeServices takes at most 10 services.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
const DescribeServicesBatch = 10

// serviceInactive is the status of a deleted service, which DescribeServices
// still reports for a while; deploymentPrimary marks the deployment of the
// service's current task definition.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
const (
	serviceInactive   = "INACTIVE"
	deploymentPrimary = "PRIMARY"
)

// Service is one observation of an ECS service.
type Service struct {
	ARN          string
	Name         string
	Cluster      string
	Status       string // ACTIVE, DRAINING or INACTIVE
	DesiredCount int32
	// RunningCount is ECS's count of RUNNING tasks (an emulator may report the desired count instead).
	RunningCount int32
	// Deployments is how many deployments the service has; more than one, or a
	// primary whose rollout is IN_PROGRESS, means a deployment is under way.
	Deployments       int
	RolloutInProgress bool
	// FailedTasks is the primary deployment's count of consecutively failed tasks.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
	FailedTasks int32
	// Changed is when the primary deployment was last updated (its updatedAt,
	// which a change of the desired count moves): the history's evidence of
	// a sleep or wake whose tag write was lost.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
	Changed *time.Time
	Tags    map[string]string
	// WokenAt is the TagWokenAt tag, when present and valid.
	WokenAt *time.Time
	// SleptFrom is the TagSleptFrom tag: the desired count before the last sleep.
	SleptFrom int32
	// WakeSeconds are the durations of the last wakes (TagWakeSeconds), newest last.
	WakeSeconds []int
	// DatabaseSeconds are how long the last wakes waited for the databases (TagDatabaseSeconds), newest last.
	DatabaseSeconds []int
	// Tasks are the service's tasks that ECS wants running (any lastStatus).
	Tasks []Task
	// Stopped are tasks of the service that stopped; filled only when asked for.
	Stopped []Task
	// What the savings report prices, from the same answer: the task
	// definition (ARN with revision), the launch type or the capacity
	// provider strategy, and whether tasks get a public IP.
	TaskDefinition    string
	LaunchType        string
	CapacityProviders []ecstypes.CapacityProviderStrategyItem
	AssignPublicIP    bool
}

// DescribeBatch reads up to DescribeServicesBatch services of one cluster in
// one call, tags included. Services ECS does not know are missing from the map
// (ObserveMany says why, in each one's Reading).
func (c *Client) DescribeBatch(ctx context.Context, cluster string, names []string) (map[string]*Service, error) {
	readings, err := c.describeServices(ctx, cluster, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Service, len(readings))
	for name, r := range readings {
		if r.Service != nil {
			out[name] = r.Service
		}
	}
	return out, nil
}

// describeServices reads services of one cluster in one DescribeServices
// call, with their tags (ECS leaves them out unless asked). Each name gets a
// Reading: its service, or ErrServiceNotFound with what ECS said of it.
func (c *Client) describeServices(ctx context.Context, cluster string, names []string) (map[string]Reading, error) {
	if len(names) > DescribeServicesBatch {
		return nil, fmt.Errorf("describe services: %d names, at most %d a call", len(names), DescribeServicesBatch)
	}
	out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster:  aws.String(cluster),
		Services: names,
		Include:  []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if err != nil {
		return nil, wrapECS(fmt.Sprintf("describe services %s/%s", cluster, strings.Join(names, ",")), err)
	}
	found := FromDescribe(out, cluster)
	res := make(map[string]Reading, len(names))
	for _, name := range names {
		s, ok := found[name]
		switch {
		case ok && s.Status != serviceInactive:
			res[name] = Reading{Service: s}
		case ok:
			res[name] = Reading{Err: fmt.Errorf("describe service %s/%s: %w (status %s)", cluster, name, ErrServiceNotFound, s.Status)}
		default:
			res[name] = Reading{Err: missing(cluster, name, out.Failures)}
		}
	}
	return res, nil
}

// missing is the error for a service DescribeServices did not return: not
// found, with the failures ECS gave for it (reason MISSING, on its ARN).
func missing(cluster, name string, failures []ecstypes.Failure) error {
	var mine []ecstypes.Failure
	for _, f := range failures {
		if arn := aws.ToString(f.Arn); arn == name || strings.HasSuffix(arn, "/"+name) {
			mine = append(mine, f)
		}
	}
	if len(mine) == 0 {
		return fmt.Errorf("describe service %s/%s: %w", cluster, name, ErrServiceNotFound)
	}
	return fmt.Errorf("describe service %s/%s: %w: %w", cluster, name, ErrServiceNotFound, &FailureError{Failures: mine})
}

// FromDescribe turns a DescribeServices answer into observations by service name.
func FromDescribe(out *ecs.DescribeServicesOutput, cluster string) map[string]*Service {
	res := make(map[string]*Service, len(out.Services))
	for _, d := range out.Services {
		s := &Service{
			ARN:          aws.ToString(d.ServiceArn),
			Name:         aws.ToString(d.ServiceName),
			Cluster:      cluster,
			Status:       aws.ToString(d.Status),
			DesiredCount: d.DesiredCount,
			RunningCount: d.RunningCount,
			Deployments:  len(d.Deployments),
			Tags:         map[string]string{},

			TaskDefinition:    aws.ToString(d.TaskDefinition),
			LaunchType:        string(d.LaunchType),
			CapacityProviders: d.CapacityProviderStrategy,
		}
		if n := d.NetworkConfiguration; n != nil && n.AwsvpcConfiguration != nil {
			s.AssignPublicIP = n.AwsvpcConfiguration.AssignPublicIp == ecstypes.AssignPublicIpEnabled
		}
		for _, dep := range d.Deployments {
			if aws.ToString(dep.Status) == deploymentPrimary {
				s.RolloutInProgress = s.RolloutInProgress || dep.RolloutState == ecstypes.DeploymentRolloutStateInProgress
				s.FailedTasks = dep.FailedTasks
				s.Changed = dep.UpdatedAt
			}
		}
		for _, t := range d.Tags {
			s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		s.readTags()
		res[s.Name] = s
	}
	return res
}

// readTags reads the controller's own tags (see tags.go); a value that does
// not parse, or is out of range, is ignored, as anyone can edit a tag.
func (s *Service) readTags() {
	if v, ok := s.Tags[TagWokenAt]; ok {
		if at, err := time.Parse(time.RFC3339, v); err == nil {
			s.WokenAt = &at
		}
	}
	if v, ok := s.Tags[TagSleptFrom]; ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= 10000 {
			s.SleptFrom = int32(n)
		}
	}
	// Space-separated; commas are read too (an emulator took them, ECS never does).
	for _, f := range strings.FieldsFunc(s.Tags[TagWakeSeconds], func(r rune) bool { return r == ',' || r == ' ' }) {
		if n, err := strconv.Atoi(f); err == nil && n >= 0 && n < 86400 {
			s.WakeSeconds = append(s.WakeSeconds, n)
		}
	}
	s.DatabaseSeconds = readDurations(s.Tags[TagDatabaseSeconds])
}
