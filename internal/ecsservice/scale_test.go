package ecsservice

import (
	"context"
	"fmt"
	"testing"
)

func TestSleepRemembersTheCountAndClearsTheWakeTimeThenScalesToZero(t *testing.T) {
	f := &fakeECS{}
	c := New(f, &fakeEC2{})
	if err := c.Sleep(context.Background(), &Service{ARN: "arn", Cluster: "c", Name: "web", DesiredCount: 3}); err != nil {
		t.Fatal(err)
	}
	// One TagResource call: the count, and an empty wake time (the next wake writes its own).
	if fmt.Sprint(f.tags) != "["+TagSleptFrom+"=3 "+TagWokenAt+"=]" || fmt.Sprint(f.updates) != "[0]" || f.calls["TagResource"] != 1 {
		t.Fatalf("tags %v updates %v calls %v", f.tags, f.updates, f.calls)
	}
	f2 := &fakeECS{}
	if err := New(f2, &fakeEC2{}).Sleep(context.Background(), &Service{DesiredCount: 0}); err != nil || len(f2.calls) != 0 {
		t.Fatalf("sleeping a sleeping service made calls %v", f2.calls)
	}
}
