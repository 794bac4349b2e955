package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
)

// answering is an HTTP client that gives every request the same ECS answer.
type answering struct {
	status int
	body   string
	calls  atomic.Int32
}

func (a *answering) Do(*http.Request) (*http.Response, error) {
	a.calls.Add(1)
	return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body: io.NopCloser(strings.NewReader(a.body))}, nil
}

func TestThrottledAnswersAreCountedPerAttempt(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   float64
	}{
		// ECS's throttling error, tried three times (the functions' retryer): three answers.
		{"ECS throttling, retried", 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`, 3},
		{"another error is no throttle", 400, `{"__type":"AccessDeniedException","message":"no"}`, 0},
		{"an answer is no throttle", 200, `{"services":[],"failures":[]}`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, _ := newEmitter(t)
			http := &answering{status: tc.status, body: tc.body}
			cfg := aws.Config{Region: "us-east-1", HTTPClient: http, Credentials: aws.AnonymousCredentials{},
				Retryer: func() aws.Retryer {
					return retry.NewStandard(func(o *retry.StandardOptions) {
						o.MaxAttempts = 3
						o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
					})
				}}
			e.CountThrottles(&cfg)
			_, _ = ecs.NewFromConfig(cfg).DescribeServices(context.Background(), &ecs.DescribeServicesInput{Services: []string{"web"}})
			e.Flush(context.Background())
			docs := emftest.With(emftest.Parse(t, out.String()), ThrottledCalls, "")
			if got := emftest.Sum(docs, ThrottledCalls); got != tc.want {
				t.Fatalf("counted %v throttled calls, want %v (%d requests):\n%s", got, tc.want, http.calls.Load(), out)
			}
			for _, d := range docs {
				if d.Dims[DimFunction] != "wake" || d.Line[PropOperation] != "ECS.DescribeServices" {
					t.Fatalf("dimensions %v, operation %v", d.Dims, d.Line[PropOperation])
				}
			}
		})
	}
}
