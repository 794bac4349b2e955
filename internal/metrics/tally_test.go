package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
)

func TestATallyWritesOneLinePerIntervalWithEveryCount(t *testing.T) {
	ctx := context.Background()
	type step struct {
		after time.Duration // the clock moves, then
		do    string        // "add web", "add api", "flush web", "due", "all"
	}
	tests := []struct {
		name  string
		steps []step
		lines int
		web   float64
	}{
		{"counts within the interval wait", []step{{0, "add web"}, {time.Second, "add web"}, {time.Second, "add web"}}, 0, 0},
		{"the add that finds the count due writes it, itself included", []step{{0, "add web"}, {time.Second, "add web"}, {10 * time.Second, "add web"}}, 1, 3},
		{"a wake's end writes its count at once", []step{{0, "add web"}, {time.Second, "add web"}, {0, "flush web"}}, 1, 2},
		{"ending one service's wake leaves the others", []step{{0, "add web"}, {0, "add api"}, {0, "flush web"}}, 1, 2 - 1},
		{"after a request, what is due is written", []step{{0, "add web"}, {11 * time.Second, "due"}}, 1, 1},
		{"after a request, what is not due waits", []step{{0, "add web"}, {time.Second, "due"}}, 0, 0},
		{"the end of a tick writes everything", []step{{0, "add web"}, {0, "add api"}, {0, "all"}}, 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, now := newEmitter(t)
			tally := e.Tally(VisitorsWhileWaking, 10*time.Second, ServiceSet)
			for _, s := range tc.steps {
				*now = now.Add(s.after)
				switch s.do {
				case "add web":
					tally.Add(ctx, 1, Service("prod", "web"))
				case "add api":
					tally.Add(ctx, 1, Service("prod", "api"))
				case "flush web":
					tally.Flush(ctx, Service("prod", "web"))
				case "due":
					e.FlushDue(ctx)
				case "all":
					e.Flush(ctx)
				}
			}
			docs := emftest.Parse(t, out.String())
			if len(docs) != tc.lines {
				t.Fatalf("%d lines, want %d:\n%s", len(docs), tc.lines, out)
			}
			if got := emftest.Sum(emftest.With(docs, VisitorsWhileWaking, "web"), VisitorsWhileWaking); got != tc.web {
				t.Fatalf("web counted %v, want %v", got, tc.web)
			}
		})
	}
}
