package ecsservice

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
)

func TestSleepRemembersTheCountAndClearsTheWakeTimeAndKeepsTheHistoryThenScalesToZero(t *testing.T) {
	f := &fakeECS{}
	c := New(f, &fakeEC2{})
	c.now = func() time.Time { return time.Date(2026, 12, 5, 12, 20, 0, 0, time.UTC) }
	woken := "v1 awake 2026-12-05T08:00Z QbBAAB"
	if err := c.Sleep(context.Background(), &Service{ARN: "arn", Cluster: "c", Name: "web", DesiredCount: 3, Tags: map[string]string{ledger.Tag: woken}}); err != nil {
		t.Fatal(err)
	}
	// One TagResource call: the count, an empty wake time (the next wake
	// writes its own), and the sleep in the history.
	if fmt.Sprint(f.tags) != "["+TagSleptFrom+"=3 "+TagWokenAt+"= "+ledger.Tag+"=v1 asleep 2026-12-05T12:20Z QbBEEB]" || fmt.Sprint(f.updates) != "[0]" || f.calls["TagResource"] != 1 {
		t.Fatalf("tags %v updates %v calls %v", f.tags, f.updates, f.calls)
	}
	f2 := &fakeECS{}
	if err := New(f2, &fakeEC2{}).Sleep(context.Background(), &Service{DesiredCount: 0}); err != nil || len(f2.calls) != 0 {
		t.Fatalf("sleeping a sleeping service made calls %v", f2.calls)
	}
}
