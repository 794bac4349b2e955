package ecsservice

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestDatabaseStartDurationsAreKeptAsATagECSAccepts(t *testing.T) {
	f := &fakeECS{calls: map[string]int{}}
	c := New(f, nil)
	s := &Service{ARN: "arn:aws:ecs:us-east-1:123456789012:service/prod/web"}
	for range WakeHistory + 2 {
		if err := c.RecordDatabaseStart(context.Background(), s, 86399*time.Second); err != nil {
			t.Fatal(err)
		}
		s.DatabaseSeconds = append(s.DatabaseSeconds, 86399)
	}
	last := f.tags[len(f.tags)-1]
	k, v, _ := strings.Cut(last, "=")
	if k != TagDatabaseSeconds || len(strings.Fields(v)) != WakeHistory {
		t.Fatalf("last tag %q, want %s with %d durations", last, TagDatabaseSeconds, WakeHistory)
	}
	if utf8.RuneCountInString(v) > 256 || !ecsTagValue.MatchString(v) {
		t.Fatalf("value %q is not one ECS accepts", v)
	}
}

func TestDatabaseStartDurationsAreReadFromTheTag(t *testing.T) {
	out := &ecs.DescribeServicesOutput{Services: []ecstypes.Service{{
		ServiceName: aws.String("web"),
		Tags:        []ecstypes.Tag{{Key: aws.String(TagDatabaseSeconds), Value: aws.String("300 x 280 -1 90000 312")}},
	}}}
	got := FromDescribe(out, "prod")["web"].DatabaseSeconds
	if want := []int{300, 280, 312}; !slices.Equal(got, want) {
		t.Fatalf("database seconds %v, want %v", got, want)
	}
}
