package ecsservice

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awserror"
)

// SetDesired sets the service's desired count.
func (c *Client) SetDesired(ctx context.Context, cluster, service string, count int32) error {
	_, err := c.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster:      aws.String(cluster),
		Service:      aws.String(service),
		DesiredCount: aws.Int32(count),
	})
	if err != nil {
		return wrapECS(fmt.Sprintf("update service %s/%s to %d", cluster, service, count), err)
	}
	return nil
}

// Sleep scales the service to 0 and remembers the count it had, so the next
// wake restores it. It does nothing to a service already at 0.
func (c *Client) Sleep(ctx context.Context, s *Service) error {
	if s.DesiredCount == 0 {
		return nil
	}
	// Remember first: a service at 0 that forgot its count would wake too small.
	// A tag ECS refuses (a short ARN, a value it will not take) never keeps an
	// idle service up: it sleeps, and the next wake starts the wake count.
	if !ShortARN(s.ARN) {
		if err := c.MarkSlept(ctx, s, c.clock()); err != nil && !awserror.HasCode(err, codeInvalidParameter) {
			return err
		}
	}
	return c.SetDesired(ctx, s.Cluster, s.Name, 0)
}
