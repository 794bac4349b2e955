package ecsservice

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Batch sizes of the task calls.
const (
	// describeTasksBatch: DescribeTasks takes at most 100 tasks.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
	describeTasksBatch = 100
	// listTasksPage: ListTasks returns at most 100 tasks a page.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html
	listTasksPage = 100
)

// A task's lastStatus, in the order a Fargate task goes through them;
// StatusRunning is a task whose containers all run.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
const (
	StatusProvisioning   = "PROVISIONING"
	StatusPending        = "PENDING"
	StatusActivating     = "ACTIVATING"
	StatusRunning        = "RUNNING"
	StatusDeactivating   = "DEACTIVATING"
	StatusStopping       = "STOPPING"
	StatusDeprovisioning = "DEPROVISIONING"
	StatusStopped        = "STOPPED"
)

// attachmentENI is the type of a task's attachment that is its elastic
// network interface (awsvpc mode, as on Fargate), with these details.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attachment.html
const (
	attachmentENI     = "ElasticNetworkInterface"
	detailInterfaceID = "networkInterfaceId"
	detailPrivateIPv4 = "privateIPv4Address"
)

// groupServicePrefix starts the group of a task a service started: service:NAME.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html
const groupServicePrefix = "service:"

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

// Container is one container of a task: why it stopped, and its exit code.
type Container struct {
	Name     string
	Reason   string
	ExitCode *int32
}

// Addressed reports whether a task in this status has its network interface,
// so its address is known: from PENDING on, a Fargate task's elastic network
// interface is attached (ECS task lifecycle,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
func Addressed(lastStatus string) bool {
	switch lastStatus {
	case StatusPending, StatusActivating, StatusRunning:
		return true
	}
	return false
}

// RunningTasks lists and describes the tasks ECS wants running for a service.
func (c *Client) RunningTasks(ctx context.Context, cluster, service string) ([]Task, error) {
	arns, err := c.listTasks(ctx, cluster, service, ecstypes.DesiredStatusRunning)
	if err != nil || len(arns) == 0 {
		return nil, err
	}
	byService, err := c.describeTasks(ctx, cluster, arns)
	if err != nil {
		return nil, err
	}
	var tasks []Task
	for _, t := range byService[service] {
		if t.DesiredStatus == string(ecstypes.DesiredStatusRunning) {
			tasks = append(tasks, t)
		}
	}
	return tasks, nil
}

// listTasks returns the ARNs of the service's tasks with the desired status.
func (c *Client) listTasks(ctx context.Context, cluster, service string, desired ecstypes.DesiredStatus) ([]string, error) {
	pages := ecs.NewListTasksPaginator(c.ECS, &ecs.ListTasksInput{
		Cluster:       aws.String(cluster),
		ServiceName:   aws.String(service),
		DesiredStatus: desired,
		MaxResults:    aws.Int32(listTasksPage),
	})
	var arns []string
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, wrapECS(fmt.Sprintf("list tasks of %s/%s", cluster, service), err)
		}
		arns = append(arns, page.TaskArns...)
		// Stopped tasks are only looked at for the latest reasons: one page is plenty.
		if desired == ecstypes.DesiredStatusStopped {
			break
		}
	}
	return arns, nil
}

// describeTasks describes tasks (by ID or ARN) in calls of describeTasksBatch
// and returns them by service name, from each task's own group. A task that
// vanished between two calls is a MISSING failure: it is simply not there;
// any other failure is returned.
func (c *Client) describeTasks(ctx context.Context, cluster string, tasks []string) (map[string][]Task, error) {
	out := map[string][]Task{}
	for batch := range slices.Chunk(tasks, describeTasksBatch) {
		res, err := c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: batch})
		if err != nil {
			return nil, wrapECS("describe tasks of "+cluster, err)
		}
		if failed := slices.DeleteFunc(slices.Clone(res.Failures), func(f ecstypes.Failure) bool {
			return aws.ToString(f.Reason) == failureMissing
		}); len(failed) > 0 {
			return nil, fmt.Errorf("describe tasks of %s: %w", cluster, &FailureError{Failures: failed})
		}
		for _, t := range res.Tasks {
			// ListTasks' service filter is not to be trusted everywhere: each task's own group says whose it is.
			service, ok := strings.CutPrefix(aws.ToString(t.Group), groupServicePrefix)
			if !ok {
				continue
			}
			out[service] = append(out[service], taskOf(t))
		}
	}
	return out, nil
}

func stoppedTask(t Task) bool { return t.DesiredStatus == string(ecstypes.DesiredStatusStopped) }

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
		if aws.ToString(a.Type) != attachmentENI {
			continue
		}
		for _, d := range a.Details {
			switch aws.ToString(d.Name) {
			case detailInterfaceID:
				out.NetworkInterfaceID = aws.ToString(d.Value)
			case detailPrivateIPv4:
				out.PrivateIP = aws.ToString(d.Value)
			}
		}
	}
	return out
}
