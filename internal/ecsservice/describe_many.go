package ecsservice

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// DescribeBatch reads up to DescribeServicesBatch services of one cluster in
// one call, tags included. Services ECS does not know are missing from the map.
func (c *Client) DescribeBatch(ctx context.Context, cluster string, names []string) (map[string]*Service, error) {
	if len(names) > DescribeServicesBatch {
		return nil, fmt.Errorf("describe services: %d names, at most %d a call", len(names), DescribeServicesBatch)
	}
	res, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster:  aws.String(cluster),
		Services: names,
		Include:  []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if err != nil {
		if isCode(err, "ClusterNotFoundException") {
			return nil, fmt.Errorf("describe services of %s: %w: %v", cluster, ErrServiceNotFound, err)
		}
		return nil, fmt.Errorf("describe services of %s: %w", cluster, err)
	}
	out := FromDescribe(res, cluster)
	for name, s := range out {
		if s.Status == "INACTIVE" {
			delete(out, name)
		}
	}
	return out, nil
}

// RunningTasks lists and describes the tasks ECS wants running for a service.
func (c *Client) RunningTasks(ctx context.Context, cluster, service string) ([]Task, error) {
	arns, err := c.list(ctx, cluster, service, ecstypes.DesiredStatusRunning)
	if err != nil || len(arns) == 0 {
		return nil, err
	}
	byService, err := c.describeAll(ctx, cluster, arns)
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
