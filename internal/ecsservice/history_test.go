package ecsservice

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// written is the value the fake's calls set for the key, and whether one did.
func written(f *fakeECS, key string) (string, bool) {
	for _, kv := range f.tags {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v, true
		}
	}
	return "", false
}

func TestTheWakeStartCarriesTheWakeInTheHistoryInTheSameCall(t *testing.T) {
	f := &fakeECS{}
	s := &Service{ARN: "arn:aws:ecs:us-east-1:1:service/c/web", Tags: map[string]string{ledger.Tag: "v1 asleep 2026-12-04T17:31Z QbB"}}
	if err := New(f, nil).MarkWoken(context.Background(), s, at("2026-12-05T08:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if f.calls["TagResource"] != 1 || fmt.Sprint(f.tags) != "["+TagWokenAt+"=2026-12-05T08:00:00.000Z "+ledger.Tag+"=v1 awake 2026-12-05T08:00Z QbBAAB]" {
		t.Fatalf("%d calls, tags %v", f.calls["TagResource"], f.tags)
	}
}

// TestASleepMendsALostWakeFromWhatItObserved: the history says asleep since
// the evening before (the wake's write was lost); the sleep counts the
// service awake since the evidence it has: the tasks it read, else the
// deployment's change, else the last write.
func TestASleepMendsALostWakeFromWhatItObserved(t *testing.T) {
	const before = "v1 asleep 2026-12-04T18:00Z AAA"
	started := at("2026-12-05T09:05:00Z")
	tests := []struct {
		name  string
		tasks []Task
		dep   *time.Time
		want  string
	}{
		{"from the oldest task's start", []Task{{ID: "b", StartedAt: ptrTo(at("2026-12-05T09:30:00Z"))}, {ID: "a", StartedAt: &started}, {ID: "c"}}, nil, "v1 asleep 2026-12-05T10:00Z AAAA3B"},
		{"from the deployment's change, with no task read", nil, ptrTo(at("2026-12-05T09:00:00Z")), "v1 asleep 2026-12-05T10:00Z AAAA8B"},
		{"from the last write, without evidence", nil, nil, "v1 asleep 2026-12-05T10:00Z FoBJYA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeECS{}
			c := New(f, nil)
			c.now = func() time.Time { return at("2026-12-05T10:00:00Z") }
			s := &Service{ARN: "arn:aws:ecs:us-east-1:1:service/c/web", DesiredCount: 1, Tasks: tc.tasks, Changed: tc.dep, Tags: map[string]string{ledger.Tag: before}}
			if err := c.Sleep(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			if v, _ := written(f, ledger.Tag); v != tc.want {
				t.Fatalf("history %q, want %q", v, tc.want)
			}
		})
	}
}

func ptrTo(t time.Time) *time.Time { return &t }

func TestTheDeploymentsLastChangeIsReadFromTheSameDescribe(t *testing.T) {
	changed := at("2026-12-05T09:00:00Z")
	d := svc(1)
	d.Deployments = []ecstypes.Deployment{
		{Status: aws.String("ACTIVE"), UpdatedAt: ptrTo(at("2026-12-01T00:00:00Z"))},
		{Status: aws.String("PRIMARY"), UpdatedAt: &changed},
	}
	got := FromDescribe(&ecs.DescribeServicesOutput{Services: []ecstypes.Service{*d}}, "c")["web"]
	if got.Changed == nil || !got.Changed.Equal(changed) || got.LedgerNow().Changed != got.Changed || !got.LedgerNow().Awake {
		t.Fatalf("changed %v, ledger view %+v", got.Changed, got.LedgerNow())
	}
}

func TestAnUnreadableHistoryStartsAfreshAndTheLogSaysSo(t *testing.T) {
	f := &fakeECS{}
	var logs bytes.Buffer
	c := New(f, nil)
	c.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	c.now = func() time.Time { return at("2026-12-05T12:00:00Z") }
	s := &Service{ARN: "arn:aws:ecs:us-east-1:1:service/c/web", Name: "web", Cluster: "c", DesiredCount: 1, Tags: map[string]string{ledger.Tag: "edited by hand"}}
	if err := c.Sleep(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if v, _ := written(f, ledger.Tag); v != "v1 asleep 2026-12-05T12:00Z LQA" {
		t.Fatalf("history %q, want a fresh one", v)
	}
	if n, _ := written(f, TagSleptFrom); n != "1" || f.calls["UpdateService"] != 1 {
		t.Fatalf("the sleep did not go on: tags %v, calls %v", f.tags, f.calls)
	}
	if !strings.Contains(logs.String(), `"level":"WARN"`) || !strings.Contains(logs.String(), "malformed ledger") || !strings.Contains(logs.String(), `"service":"web"`) {
		t.Fatalf("log %s", logs.String())
	}
}

// TestTheHistoryIsLeftOutRatherThanGoOverTheTagLimit: ECS keeps 50 tags a
// resource, not counting AWS's own (aws:); the count to restore matters more.
func TestTheHistoryIsLeftOutRatherThanGoOverTheTagLimit(t *testing.T) {
	tests := []struct {
		name    string
		user    int  // the owner's tags
		aws     int  // tags AWS added
		carried bool // the service already has the history tag
		want    bool
	}{
		{"room for it", 47, 0, false, true},
		{"one too many", 48, 0, false, false},
		{"AWS's own tags do not count", 47, 5, false, true},
		{"already there, it takes no room", 47, 0, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tags := map[string]string{}
			for i := range tc.user {
				tags[fmt.Sprintf("team:%d", i)] = "x"
			}
			for i := range tc.aws {
				tags[fmt.Sprintf("aws:cloudformation:%d", i)] = "x"
			}
			if tc.carried {
				tags[ledger.Tag] = "v1 awake 2026-12-05T09:00Z AAAIcB"
			}
			f := &fakeECS{}
			if err := New(f, nil).Sleep(context.Background(), &Service{ARN: "arn:aws:ecs:us-east-1:1:service/c/web", DesiredCount: 2, Tags: tags}); err != nil {
				t.Fatal(err)
			}
			_, got := written(f, ledger.Tag)
			if n, _ := written(f, TagSleptFrom); got != tc.want || n != "2" {
				t.Fatalf("history written %v, want %v; tags %v", got, tc.want, f.tags)
			}
		})
	}
}

func TestAValueECSWouldRefuseIsNeverWritten(t *testing.T) {
	kv := New(&fakeECS{}, nil).withHistory(&Service{}, []string{TagWokenAt, ""}, "v1,awake", nil)
	if fmt.Sprint(kv) != "["+TagWokenAt+" ]" {
		t.Fatalf("tags %v", kv)
	}
}
