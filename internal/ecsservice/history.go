package ecsservice

import (
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
)

// maxTags is how many tags a resource carries at most; the ones AWS adds
// (aws: prefix) do not count.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html#tag-restrictions
const maxTags = 50

// LedgerNow is what the observation says of the service for its history:
// awake when ECS wants tasks, with the evidence of when that began — the
// wake time tag, the oldest start among the tasks read (if they were), and
// the primary deployment's last change.
func (s *Service) LedgerNow() ledger.Now {
	n := ledger.Now{Awake: s.DesiredCount > 0, WokenAt: s.WokenAt, Changed: s.Changed}
	for _, t := range s.Tasks {
		if t.StartedAt != nil && (n.OldestTaskStart == nil || t.StartedAt.Before(*n.OldestTaskStart)) {
			n.OldestTaskStart = t.StartedAt
		}
	}
	return n
}

// withHistory adds the history's new value to the tags a write sets, unless
// ECS would refuse it: a value out of its pattern (never made; checked, as
// the emulator takes anything and ECS does not), or one tag too many. The
// other tags matter more (the count to restore): they are written anyway.
func (c *Client) withHistory(s *Service, kv []string, value string, err error) []string {
	if err != nil {
		c.note(s, "the service's history tag could not be used as it was", err)
	}
	switch {
	case value == "":
		return kv
	case !ledger.Valid(value):
		c.note(s, "the service's history is left as it was: ECS would refuse the value "+value, nil)
		return kv
	case !roomFor(s.Tags, append(kv, ledger.Tag, value)):
		c.note(s, "the service's history is not kept: it has the most tags ECS allows", nil)
		return kv
	}
	return append(kv, ledger.Tag, value)
}

// roomFor reports whether setting the key/value pairs keeps the resource
// within maxTags.
func roomFor(tags map[string]string, kv []string) bool {
	n := 0
	for k := range tags {
		if !strings.HasPrefix(k, "aws:") {
			n++
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if _, ok := tags[kv[i]]; !ok {
			n++
		}
	}
	return n <= maxTags
}

// note logs what a write could not keep, when the client has a logger.
func (c *Client) note(s *Service, msg string, err error) {
	if c.Log == nil {
		return
	}
	log := logging.For(c.Log, s.Cluster, s.Name)
	if err != nil {
		log.Warn(msg, "error", err)
		return
	}
	log.Warn(msg)
}

func (c *Client) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}
