package activity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

var now = time.Date(2026, 11, 24, 12, 0, 30, 0, time.UTC)

// fakeCW answers every query with the series returned by data, paging after pageSize results.
type fakeCW struct {
	data     func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode)
	err      error
	calls    int
	pageSize int
	inputs   []*cloudwatch.GetMetricDataInput
}

func (f *fakeCW) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	f.calls++
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	if len(in.MetricDataQueries) > maxQueries {
		return nil, fmt.Errorf("%d queries in one call", len(in.MetricDataQueries))
	}
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	out := &cloudwatch.GetMetricDataOutput{}
	end := len(in.MetricDataQueries)
	if f.pageSize > 0 && start+f.pageSize < end {
		end = start + f.pageSize
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	for _, q := range in.MetricDataQueries[start:end] {
		ts, vs, code := f.data(q)
		if code == "" {
			code = cwtypes.StatusCodeComplete
		}
		out.MetricDataResults = append(out.MetricDataResults, cwtypes.MetricDataResult{Id: q.Id, Timestamps: ts, Values: vs, StatusCode: code})
	}
	return out, nil
}

// minutes returns n datapoints, one a minute before now, each v.
func minutes(n int, v float64) ([]time.Time, []float64) {
	var ts []time.Time
	var vs []float64
	for i := 1; i <= n; i++ {
		ts = append(ts, now.Truncate(time.Minute).Add(-time.Duration(i)*time.Minute))
		vs = append(vs, v)
	}
	return ts, vs
}

func pol(signal string, mut func(*config.SleepPolicy)) config.SleepPolicy {
	p := config.SleepPolicy{Signal: signal, Window: 10 * time.Minute}
	switch signal {
	case config.SignalNetwork:
		p.Threshold = config.DefaultNetworkThreshold
	case config.SignalCPU:
		p.Threshold = config.DefaultCPUThreshold
	case config.SignalRequests:
		p.TargetGroup = "targetgroup/web/abc"
	case config.SignalCustom:
		p.Metric = config.Metric{Namespace: "App", Name: "Sessions", Statistic: "Maximum", Dimensions: map[string]string{"Service": "web"}}
	}
	if mut != nil {
		mut(&p)
	}
	return p
}

func TestSignals(t *testing.T) {
	tests := []struct {
		name   string
		policy config.SleepPolicy
		points int
		value  float64
		code   cwtypes.StatusCode
		want   string
	}{
		{"network: quiet minutes are idle", pol(config.SignalNetwork, nil), 10, 1000, "", Idle},
		{"network: a busy minute is active", pol(config.SignalNetwork, nil), 10, 50_000, "", Active},
		{"network: no data is unknown, never idle", pol(config.SignalNetwork, nil), 0, 0, "", Unknown},
		{"network: data for under half the window is unknown", pol(config.SignalNetwork, nil), 4, 0, "", Unknown},
		{"network: a failed query is unknown", pol(config.SignalNetwork, nil), 10, 0, cwtypes.StatusCodeInternalError, Unknown},
		{"requests: no data means no requests, so idle", pol(config.SignalRequests, nil), 0, 0, "", Idle},
		{"requests: one request is active", pol(config.SignalRequests, nil), 1, 1, "", Active},
		{"requests: under a threshold is idle", pol(config.SignalRequests, func(p *config.SleepPolicy) { p.Threshold = 5 }), 2, 2, "", Idle},
		{"requests: forbidden is unknown", pol(config.SignalRequests, nil), 0, 0, cwtypes.StatusCodeForbidden, Unknown},
		{"cpu: low is idle", pol(config.SignalCPU, nil), 10, 1.5, "", Idle},
		{"cpu: high is active", pol(config.SignalCPU, nil), 10, 40, "", Active},
		{"cpu: no data is unknown", pol(config.SignalCPU, nil), 0, 0, "", Unknown},
		{"custom: at the threshold is idle", pol(config.SignalCustom, func(p *config.SleepPolicy) { p.Threshold = 0 }), 10, 0, "", Idle},
		{"custom: above it is active", pol(config.SignalCustom, func(p *config.SleepPolicy) { p.Threshold = 0 }), 10, 3, "", Active},
		{"custom: no data is unknown by default", pol(config.SignalCustom, nil), 0, 0, "", Unknown},
		{"custom: no data is idle when so configured", pol(config.SignalCustom, func(p *config.SleepPolicy) { p.Metric.MissingIsIdle = true }), 0, 0, "", Idle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cw := &fakeCW{data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
				ts, vs := minutes(tc.points, tc.value)
				return ts, vs, tc.code
			}}
			got := (&Reader{CW: cw}).Read(context.Background(), now, []Request{{Key: "k", Cluster: "c", Service: "web", Policy: tc.policy}})
			if got["k"].State != tc.want || got["k"].Reason == "" {
				t.Fatalf("verdict %+v, want %s", got["k"], tc.want)
			}
		})
	}
}

func TestNetworkAddsReceivedAndSentBytes(t *testing.T) {
	cw := &fakeCW{data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
		ts, vs := minutes(10, 6000) // 6,000 in and 6,000 out: 12,000 a minute, above 10 KiB
		return ts, vs, ""
	}}
	got := (&Reader{CW: cw}).Read(context.Background(), now, []Request{{Key: "k", Cluster: "c", Service: "web", Policy: pol(config.SignalNetwork, nil)}})
	if got["k"].State != Active {
		t.Fatalf("verdict %+v, want active", got["k"])
	}
	q := cw.inputs[0].MetricDataQueries
	if len(q) != 2 || aws.ToString(q[0].MetricStat.Metric.Namespace) != "ECS/ContainerInsights" || aws.ToString(q[0].MetricStat.Metric.MetricName) != "NetworkRxBytes" || aws.ToString(q[1].MetricStat.Metric.MetricName) != "NetworkTxBytes" {
		t.Fatalf("queries %+v", q)
	}
}

func TestAllServicesGoIntoAsFewCallsAsPossible(t *testing.T) {
	cw := &fakeCW{pageSize: 300, data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
		ts, vs := minutes(10, 10)
		return ts, vs, ""
	}}
	var reqs []Request
	for i := range 600 { // 1,200 queries
		reqs = append(reqs, Request{Key: fmt.Sprint(i), Cluster: "c", Service: fmt.Sprint("s", i), Policy: pol(config.SignalNetwork, nil)})
	}
	reqs = append(reqs, Request{Key: "up", Policy: pol(config.SignalUptime, nil)})
	got := (&Reader{CW: cw}).Read(context.Background(), now, reqs)
	distinct := map[*cloudwatch.GetMetricDataInput]bool{}
	for _, in := range cw.inputs {
		distinct[in] = true
	}
	if len(distinct) != 3 {
		t.Fatalf("%d GetMetricData requests for 1,200 queries, want 3 (500 + 500 + 200)", len(distinct))
	}
	for i := range 600 {
		if got[fmt.Sprint(i)].State != Idle {
			t.Fatalf("service %d: %+v (a page was lost?)", i, got[fmt.Sprint(i)])
		}
	}
	if _, asked := got["up"]; asked {
		t.Fatal("the uptime signal made a CloudWatch query")
	}
}

func TestAFailedCallMakesItsServicesUnknown(t *testing.T) {
	cw := &fakeCW{err: errors.New("throttled")}
	got := (&Reader{CW: cw}).Read(context.Background(), now, []Request{{Key: "k", Cluster: "c", Service: "web", Policy: pol(config.SignalRequests, nil)}})
	if got["k"].State != Unknown || !strings.Contains(got["k"].Reason, "throttled") {
		t.Fatalf("verdict %+v, want unknown naming the error", got["k"])
	}
}

func TestDatapointsOlderThanTheServicesWindowDoNotCount(t *testing.T) {
	cw := &fakeCW{data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
		// A busy minute 20 minutes ago, quiet since.
		ts, vs := minutes(20, 100)
		vs[19] = 1e9
		return ts, vs, ""
	}}
	reqs := []Request{
		{Key: "short", Cluster: "c", Service: "a", Policy: pol(config.SignalNetwork, nil)},
		{Key: "long", Cluster: "c", Service: "b", Policy: pol(config.SignalNetwork, func(p *config.SleepPolicy) { p.Window = 30 * time.Minute })},
	}
	got := (&Reader{CW: cw}).Read(context.Background(), now, reqs)
	if got["short"].State != Idle || got["long"].State != Active {
		t.Fatalf("short %+v, long %+v", got["short"], got["long"])
	}
}
