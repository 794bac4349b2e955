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

// SetDesired sets the service's desired count.
func (c *Client) SetDesired(ctx context.Context, cluster, service string, count int32) error {
	_, err := c.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster:      aws.String(cluster),
		Service:      aws.String(service),
		DesiredCount: aws.Int32(count),
	})
	if err != nil {
		if isCode(err, "ClusterNotFoundException", "ServiceNotFoundException", "ServiceNotActiveException") {
			return fmt.Errorf("update service %s/%s: %w: %v", cluster, service, ErrServiceNotFound, err)
		}
		return fmt.Errorf("update service %s/%s to %d: %w", cluster, service, count, err)
	}
	return nil
}

// MarkWoken records on the service when a wake began.
func (c *Client) MarkWoken(ctx context.Context, serviceARN string, at time.Time) error {
	return c.tag(ctx, serviceARN, TagWokenAt, at.UTC().Format(WokenAtLayout))
}

// MarkSlept records the desired count a service had before it was put to
// sleep, and clears the wake time in the same call: a wake time left from an
// earlier wake must not pass for the next one's while that one's is not yet
// written. (An empty value is a valid tag value: ECS API reference, Tag.)
func (c *Client) MarkSlept(ctx context.Context, serviceARN string, from int32) error {
	return c.tag(ctx, serviceARN, TagSleptFrom, strconv.Itoa(int(from)), TagWokenAt, "")
}

// RecordWake adds how long a wake took to the service's recent wake durations.
func (c *Client) RecordWake(ctx context.Context, s *Service, took time.Duration) error {
	history := append(append([]int(nil), s.WakeSeconds...), int(took.Round(time.Second)/time.Second))
	if len(history) > WakeHistory {
		history = history[len(history)-WakeHistory:]
	}
	parts := make([]string, len(history))
	for i, n := range history {
		parts[i] = strconv.Itoa(n)
	}
	return c.tag(ctx, s.ARN, TagWakeSeconds, strings.Join(parts, " "))
}

// tag sets the key/value pairs on the resource in one TagResource call.
func (c *Client) tag(ctx context.Context, arn string, kv ...string) error {
	var tags []ecstypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, ecstypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	_, err := c.ECS.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags})
	if err != nil {
		return fmt.Errorf("tag %s with %s: %w", arn, kv[0], err)
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
		if err := c.MarkSlept(ctx, s.ARN, s.DesiredCount); err != nil && !isCode(err, "InvalidParameterException") {
			return err
		}
	}
	return c.SetDesired(ctx, s.Cluster, s.Name, 0)
}
