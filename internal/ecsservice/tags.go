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

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
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
const ShortARNAdvice = "the service has an old short ARN, which ECS cannot tag: the wake time, the count to restore, the wake durations and the savings history are not kept (the wake is judged from its tasks, and the next wake starts the configured wake count). To migrate: opt in to the long ARN format (aws ecs put-account-setting-default --name serviceLongArnFormat --value enabled) and re-create the service"

// MarkWoken records on the service when a wake began, and the wake in its
// history (ledger.Tag), in one call.
func (c *Client) MarkWoken(ctx context.Context, s *Service, at time.Time) error {
	kv := []string{TagWokenAt, at.UTC().Format(WokenAtLayout)}
	v, err := ledger.Woke(s.Tags[ledger.Tag], at)
	return c.tag(ctx, s.ARN, c.withHistory(s, kv, v, err)...)
}

// MarkSlept records the desired count a service had before it was put to
// sleep, and clears the wake time in the same call: a wake time left from an
// earlier wake must not pass for the next one's while that one's is not yet
// written. (An empty value is a valid tag value: ECS API reference, Tag.)
// The sleep goes in the service's history in the same call, mended with what
// the observation says (a wake whose write was lost).
func (c *Client) MarkSlept(ctx context.Context, s *Service, at time.Time) error {
	kv := []string{TagSleptFrom, strconv.Itoa(int(s.DesiredCount)), TagWokenAt, ""}
	v, err := ledger.Slept(s.Tags[ledger.Tag], at, s.LedgerNow())
	return c.tag(ctx, s.ARN, c.withHistory(s, kv, v, err)...)
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
