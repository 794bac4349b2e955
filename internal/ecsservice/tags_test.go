package ecsservice

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
)

// ecsTagValue is the ECS tag value constraint: at most 256 characters of this pattern.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
var ecsTagValue = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)

// TestEveryTagWrittenIsOneECSAccepts: the keys and values of every tag the
// controller writes, at their longest, match ECS's pattern and limits (the
// emulator accepts anything; ECS refuses the call).
func TestEveryTagWrittenIsOneECSAccepts(t *testing.T) {
	f := &fakeECS{calls: map[string]int{}}
	c := New(f, nil)
	ctx := context.Background()
	arn := "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
	// A history at its longest: 31 days, each awake and woken many times.
	full := &Service{ARN: arn, DesiredCount: 10000, Tags: map[string]string{ledger.Tag: "v1 awake 2026-12-31T23:59Z " + strings.Repeat("Wg/", ledger.Days-1) + "Wf/"}}
	if err := c.MarkWoken(ctx, full, time.Date(2026, 12, 31, 23, 59, 59, 999e6, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkSlept(ctx, full, time.Date(2027, 1, 1, 0, 0, 0, 1, time.UTC)); err != nil {
		t.Fatal(err)
	}
	s := &Service{ARN: arn}
	for range WakeHistory + 2 {
		if err := c.RecordWake(ctx, s, 86399*time.Second); err != nil {
			t.Fatal(err)
		}
		s.WakeSeconds = append(s.WakeSeconds, 86399)
	}
	if len(f.tags) == 0 {
		t.Fatal("no tag written")
	}
	for _, kv := range f.tags {
		k, v, _ := strings.Cut(kv, "=")
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 || !ecsTagValue.MatchString(k) {
			t.Errorf("key %q is not one ECS accepts", k)
		}
		if utf8.RuneCountInString(v) > 256 || !ecsTagValue.MatchString(v) {
			t.Errorf("%s: value %q is not one ECS accepts", k, v)
		}
	}
}
