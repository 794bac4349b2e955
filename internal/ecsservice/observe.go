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

// Task is what the controller needs to know of one task.
type Task struct {
	ID            string
	LastStatus    string
	DesiredStatus string
	StoppedReason string
	// StopCode is ECS's class of the stop (TaskFailedToStart, EssentialContainerExited, SpotInterruption, …).
	StopCode string
	// Containers are the task's containers as ECS reports them: a stopped
	// task's detail (out of memory, an exit code) is in its containers.
	Containers []Container
	CreatedAt  *time.Time
	StartedAt  *time.Time
	StoppedAt  *time.Time
	// NetworkInterfaceID is the task's ENI (awsvpc mode, as on Fargate).
	NetworkInterfaceID string
	PrivateIP          string
	// PublicIP is filled only for tasks with an attached interface, when asked for (it costs an EC2 call).
	PublicIP string
}

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
	Tags        map[string]string
	// WokenAt is the TagWokenAt tag, when present and valid.
	WokenAt *time.Time
	// SleptFrom is the TagSleptFrom tag: the desired count before the last sleep.
	SleptFrom int32
	// WakeSeconds are the durations of the last wakes (TagWakeSeconds), newest last.
	WakeSeconds []int
	// Tasks are the service's tasks that ECS wants running (any lastStatus).
	Tasks []Task
	// Stopped are tasks of the service that stopped; filled only when asked for.
	Stopped []Task
}

// Container is one container of a task: why it stopped, and its exit code.
type Container struct {
	Name     string
	Reason   string
	ExitCode *int32
}

// Need says which optional parts of an observation to fetch.
type Need struct {
	// Tasks: list and describe the tasks ECS wants running (skipped when desiredCount is 0).
	Tasks bool
	// PublicIPs: look up the public IP of the tasks whose interface is attached.
	PublicIPs bool
	// Stopped: when the service carries a wake time and no task is wanted
	// running, also fetch its stopped tasks, to tell why a wake fails.
	Stopped bool
	// Known are the IDs of the tasks the caller saw wanted running at its last
	// read. While ECS wants as many tasks as that, they are described directly,
	// without listing (a stopped one then tells its reason itself).
	Known []string
}

// Observe reads one service: one DescribeServices call with its tags; with
// need.Tasks and desiredCount > 0 its tasks (see ObserveMany).
func (c *Client) Observe(ctx context.Context, cluster, service string, need Need) (*Service, error) {
	out, err := c.ObserveMany(ctx, cluster, []Want{{Name: service, Need: need}})
	if err != nil {
		return nil, err
	}
	r := out[service]
	return r.Service, r.Err
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
		}
		for _, dep := range d.Deployments {
			if aws.ToString(dep.Status) == "PRIMARY" {
				s.RolloutInProgress = s.RolloutInProgress || dep.RolloutState == ecstypes.DeploymentRolloutStateInProgress
				s.FailedTasks = dep.FailedTasks
			}
		}
		for _, t := range d.Tags {
			s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
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
		res[s.Name] = s
	}
	return res
}

// list returns the ARNs of the service's tasks with the desired status.
func (c *Client) list(ctx context.Context, cluster, service string, desired ecstypes.DesiredStatus) ([]string, error) {
	var arns []string
	var next *string
	for {
		out, err := c.ECS.ListTasks(ctx, &ecs.ListTasksInput{
			Cluster:       aws.String(cluster),
			ServiceName:   aws.String(service),
			DesiredStatus: desired,
			MaxResults:    aws.Int32(listTasksPage),
			NextToken:     next,
		})
		if err != nil {
			if isCode(err, "ClusterNotFoundException", "ServiceNotFoundException") {
				return nil, fmt.Errorf("list tasks of %s/%s: %w: %v", cluster, service, ErrServiceNotFound, err)
			}
			return nil, fmt.Errorf("list tasks of %s/%s: %w", cluster, service, err)
		}
		arns = append(arns, out.TaskArns...)
		next = out.NextToken
		// Stopped tasks are only looked at for the latest reasons: one page is plenty.
		if next == nil || desired == ecstypes.DesiredStatusStopped {
			return arns, nil
		}
	}
}

func taskOf(t ecstypes.Task) Task {
	arn := aws.ToString(t.TaskArn)
	out := Task{
		ID:            arn[strings.LastIndex(arn, "/")+1:],
		LastStatus:    aws.ToString(t.LastStatus),
		DesiredStatus: aws.ToString(t.DesiredStatus),
		StoppedReason: aws.ToString(t.StoppedReason),
		StopCode:      string(t.StopCode),
		CreatedAt:     t.CreatedAt,
		StartedAt:     t.StartedAt,
		StoppedAt:     t.StoppedAt,
	}
	for _, c := range t.Containers {
		out.Containers = append(out.Containers, Container{Name: aws.ToString(c.Name), Reason: aws.ToString(c.Reason), ExitCode: c.ExitCode})
	}
	for _, a := range t.Attachments {
		if aws.ToString(a.Type) != "ElasticNetworkInterface" {
			continue
		}
		for _, d := range a.Details {
			switch aws.ToString(d.Name) {
			case "networkInterfaceId":
				out.NetworkInterfaceID = aws.ToString(d.Value)
			case "privateIPv4Address":
				out.PrivateIP = aws.ToString(d.Value)
			}
		}
	}
	return out
}

// StatusRunning is the lastStatus of a task whose containers all run.
const StatusRunning = "RUNNING"

// Addressed reports whether a task in this status has its network interface,
// so its address is known: from PENDING on, a Fargate task's elastic network
// interface is attached (ECS task lifecycle,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
func Addressed(lastStatus string) bool {
	switch lastStatus {
	case "PENDING", "ACTIVATING", "RUNNING":
		return true
	}
	return false
}

// fillPublicIPs looks up the public IPs of the tasks that have their network
// interface, in one call for those this client has not seen before: an
// interface keeps its public IP for the task's life.
func (c *Client) fillPublicIPs(ctx context.Context, tasks []Task) error {
	var ids []string
	c.mu.Lock()
	for _, t := range tasks {
		if Addressed(t.LastStatus) && t.NetworkInterfaceID != "" && c.publicIPs[t.NetworkInterfaceID] == "" {
			ids = append(ids, t.NetworkInterfaceID)
		}
	}
	c.mu.Unlock()
	if len(ids) > 0 {
		if c.EC2 == nil {
			return fmt.Errorf("describe network interfaces: this client has no EC2 API")
		}
		public, err := c.EC2.PublicIPs(ctx, ids)
		if err != nil && !isCode(err, "InvalidNetworkInterfaceID.NotFound") {
			return fmt.Errorf("describe network interfaces: %w", err)
		}
		// A NotFound means an interface went away with its task between two calls:
		// that task simply has no address this time.
		c.mu.Lock()
		if c.publicIPs == nil || len(c.publicIPs) > maxRemembered {
			c.publicIPs = map[string]string{}
		}
		for id, ip := range public {
			if ip != "" {
				c.publicIPs[id] = ip
			}
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range tasks {
		tasks[i].PublicIP = c.publicIPs[tasks[i].NetworkInterfaceID]
	}
	return nil
}
