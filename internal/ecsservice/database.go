package ecsservice

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// TagDatabaseSeconds is how long the last few wakes waited for the service's
// databases to become available, newest last ("312 298"), so the wait page can
// estimate the database stage. Space-separated, as TagWakeSeconds: an ECS tag
// value is at most 256 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@] (no comma).
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
const TagDatabaseSeconds = "scale-to-zero:database-seconds"

// RecordDatabaseStart adds how long a wake waited for the databases to the
// service's recent database start durations.
func (c *Client) RecordDatabaseStart(ctx context.Context, s *Service, took time.Duration) error {
	return c.tag(ctx, s.ARN, TagDatabaseSeconds, durationsTag(s.DatabaseSeconds, took))
}

// durationsTag is the last WakeHistory durations, in whole seconds, with took last.
func durationsTag(history []int, took time.Duration) string {
	all := append(append([]int(nil), history...), int(took.Round(time.Second)/time.Second))
	if len(all) > WakeHistory {
		all = all[len(all)-WakeHistory:]
	}
	parts := make([]string, len(all))
	for i, n := range all {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " ")
}

// readDurations reads a durations tag; values that do not parse, or are out
// of range, are left out, as anyone can edit a tag. Commas are read too (an
// emulator took them, ECS never does).
func readDurations(v string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		if n, err := strconv.Atoi(f); err == nil && n >= 0 && n < 86400 {
			out = append(out, n)
		}
	}
	return out
}
