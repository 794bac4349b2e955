package activity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// now is 30 s into 12:00; the last complete minute is 11:59.
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

// series is per-minute values oldest first, the last one for the last complete
// minute before now (11:59); NaN is a minute with no datapoint.
func series(vs ...float64) ([]time.Time, []float64) {
	var ts []time.Time
	var out []float64
	last := now.Truncate(time.Minute).Add(-time.Minute)
	for i, v := range vs {
		if math.IsNaN(v) {
			continue
		}
		ts = append(ts, last.Add(-time.Duration(len(vs)-1-i)*time.Minute))
		out = append(out, v)
	}
	return ts, out
}

// flat is n minutes of v.
func flat(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func with(vs []float64, i int, v float64) []float64 {
	out := append([]float64(nil), vs...)
	out[len(out)+i] = v // i counts from the end: -1 is the last minute
	return out
}

var gap = math.NaN()

func pol(signal string, mut func(*config.SleepPolicy)) config.SleepPolicy {
	p := config.SleepPolicy{Signal: signal, Window: 10 * time.Minute}
	switch signal {
	case config.SignalNetwork:
		p.Threshold = config.DefaultNetworkThreshold
	case config.SignalCPU:
		p.Threshold = config.DefaultCPUThreshold
	case config.SignalRequests:
		p.TargetGroup, p.LoadBalancer, p.CountConnections = "targetgroup/web/abc", "app/web/def", true
	case config.SignalCustom:
		p.Metric = config.Metric{Namespace: "App", Name: "Sessions", Statistic: "Maximum", Dimensions: map[string]string{"Service": "web"}}
	}
	if mut != nil {
		mut(&p)
	}
	return p
}

func TestSignals(t *testing.T) {
	longAgo := now.Add(-2 * time.Hour)
	quiet := flat(14, 0.25) // each direction: 0.5 bytes/second together
	light := flat(14, 5)    // one small request a minute: 5 bytes/second each way
	tests := []struct {
		name    string
		policy  config.SleepPolicy
		since   time.Time
		metrics map[string][]float64 // by metric name
		code    cwtypes.StatusCode
		want    string
		reason  string // a part of the reason
	}{
		{"network: quiet minutes are idle", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": quiet, "NetworkTxBytes": quiet}, "", Idle, "each of the 10 minutes to 12:00 UTC"},
		{"network: one small request a minute is in use", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": light, "NetworkTxBytes": light}, "", Active, "10 bytes/second (600 bytes a minute)"},
		{"network: one busy minute in the window is in use", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": with(quiet, -9, 50), "NetworkTxBytes": quiet}, "", Active, "11:51 UTC"},
		{"network: a busy minute just before the window does not count", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": with(quiet, -11, 50), "NetworkTxBytes": quiet}, "", Idle, ""},
		{"network: no data is unknown, and says Container Insights may be off", pol(config.SignalNetwork, nil), longAgo, nil, "", Unknown, "containerInsights,value=enabled"},
		{"network: the two newest minutes not published yet: the window ends before them", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": with(with(quiet, -1, gap), -2, gap), "NetworkTxBytes": with(with(quiet, -1, gap), -2, gap)}, "", Idle, "minutes to 11:58 UTC"},
		{"network: nothing published for three minutes is unknown", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": append(flat(11, 0.25), gap, gap, gap), "NetworkTxBytes": append(flat(11, 0.25), gap, gap, gap)}, "", Unknown, "not published"},
		{"network: a missing minute inside the window is unknown", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": with(quiet, -5, gap), "NetworkTxBytes": quiet}, "", Unknown, "a missing minute is never idle"},
		{"network: woken 6 minutes ago is not enough for a 10-minute window", pol(config.SignalNetwork, nil), now.Add(-6 * time.Minute), map[string][]float64{"NetworkRxBytes": flat(6, 0), "NetworkTxBytes": flat(6, 0)}, "", Unknown, "woken 6m00s ago"},
		{"network: a failed query is unknown", pol(config.SignalNetwork, nil), longAgo, map[string][]float64{"NetworkRxBytes": quiet, "NetworkTxBytes": quiet}, cwtypes.StatusCodeInternalError, Unknown, "could not be read"},
		{"network: a higher threshold makes light use idle", pol(config.SignalNetwork, func(p *config.SleepPolicy) { p.Threshold = 20 }), longAgo, map[string][]float64{"NetworkRxBytes": light, "NetworkTxBytes": light}, "", Idle, ""},
		{"requests: no data means no requests, so idle", pol(config.SignalRequests, nil), longAgo, nil, "", Idle, "0 requests"},
		{"requests: one request in the window is in use", pol(config.SignalRequests, nil), longAgo, map[string][]float64{"RequestCount": append(flat(1, 1), flat(11, gap)...)}, "", Active, "1 requests"},
		{"requests: a request already published in the last minute is in use", pol(config.SignalRequests, nil), longAgo, map[string][]float64{"RequestCount": {1}}, "", Active, ""},
		{"requests: under a threshold is idle", pol(config.SignalRequests, func(p *config.SleepPolicy) { p.Threshold = 5 }), longAgo, map[string][]float64{"RequestCount": {2, gap, 2, gap, gap, gap}}, "", Idle, ""},
		{"requests: an open connection is in use", pol(config.SignalRequests, nil), longAgo, map[string][]float64{"ActiveConnectionCount": flat(12, 1)}, "", Active, "client connections"},
		{"requests: connections are not counted when so configured", pol(config.SignalRequests, func(p *config.SleepPolicy) { p.CountConnections = false }), longAgo, map[string][]float64{"ActiveConnectionCount": flat(12, 1)}, "", Idle, ""},
		{"requests: just woken is not enough evidence", pol(config.SignalRequests, nil), now.Add(-4 * time.Minute), nil, "", Unknown, "not enough data yet"},
		{"requests: forbidden is unknown", pol(config.SignalRequests, nil), longAgo, nil, cwtypes.StatusCodeForbidden, Unknown, ""},
		{"cpu: low is idle", pol(config.SignalCPU, nil), longAgo, map[string][]float64{"CPUUtilization": flat(12, 1.5)}, "", Idle, "1.5% CPU"},
		{"cpu: high is active", pol(config.SignalCPU, nil), longAgo, map[string][]float64{"CPUUtilization": with(flat(12, 1.5), -3, 40)}, "", Active, "40% CPU"},
		{"cpu: low CPU with a light user's traffic is in use", pol(config.SignalCPU, nil), longAgo, map[string][]float64{"CPUUtilization": flat(12, 0.4), "NetworkRxBytes": light, "NetworkTxBytes": light}, "", Active, "CPU alone cannot see"},
		{"cpu: low CPU with a quiet network is idle", pol(config.SignalCPU, nil), longAgo, map[string][]float64{"CPUUtilization": flat(12, 0.4), "NetworkRxBytes": quiet, "NetworkTxBytes": quiet}, "", Idle, ""},
		{"cpu: no data is unknown", pol(config.SignalCPU, nil), longAgo, nil, "", Unknown, ""},
		{"cpu: just woken is not enough evidence", pol(config.SignalCPU, nil), now.Add(-3 * time.Minute), map[string][]float64{"CPUUtilization": flat(3, 1)}, "", Unknown, ""},
		{"custom: at the threshold is idle", pol(config.SignalCustom, nil), longAgo, map[string][]float64{"Sessions": flat(12, 0)}, "", Idle, ""},
		{"custom: above it is active", pol(config.SignalCustom, nil), longAgo, map[string][]float64{"Sessions": with(flat(12, 0), -2, 3)}, "", Active, ""},
		{"custom: no data is unknown by default", pol(config.SignalCustom, nil), longAgo, nil, "", Unknown, ""},
		{"custom: no data is idle when so configured", pol(config.SignalCustom, func(p *config.SleepPolicy) { p.Metric.MissingIsIdle = true }), longAgo, nil, "", Idle, "as configured"},
		{"custom: missing-is-idle still needs a whole window since the wake", pol(config.SignalCustom, func(p *config.SleepPolicy) { p.Metric.MissingIsIdle = true }), now.Add(-5 * time.Minute), nil, "", Unknown, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cw := &fakeCW{data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
				ts, vs := series(tc.metrics[aws.ToString(q.MetricStat.Metric.MetricName)]...)
				return ts, vs, tc.code
			}}
			got := (&Reader{CW: cw}).Read(context.Background(), now, []Request{{Key: "k", Cluster: "c", Service: "web", Policy: tc.policy, Since: tc.since}})
			if got["k"].State != tc.want || !strings.Contains(got["k"].Reason, tc.reason) || got["k"].Reason == "" {
				t.Fatalf("verdict %+v, want %s with %q", got["k"], tc.want, tc.reason)
			}
		})
	}
}

func TestQueriesAskForWhatAWSPublishes(t *testing.T) {
	cw := &fakeCW{data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) { return nil, nil, "" }}
	(&Reader{CW: cw}).Read(context.Background(), now, []Request{
		{Key: "n", Cluster: "c", Service: "web", Policy: pol(config.SignalNetwork, nil)},
		{Key: "r", Cluster: "c", Service: "web", Policy: pol(config.SignalRequests, nil)},
	})
	var got []string
	for _, q := range cw.inputs[0].MetricDataQueries {
		m := q.MetricStat.Metric
		var dims []string
		for _, d := range m.Dimensions {
			dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
		}
		got = append(got, fmt.Sprintf("%s %s %s %s", aws.ToString(m.Namespace), aws.ToString(m.MetricName), aws.ToString(q.MetricStat.Stat), strings.Join(dims, ",")))
	}
	want := []string{
		"ECS/ContainerInsights NetworkRxBytes Sum ClusterName=c,ServiceName=web",
		"ECS/ContainerInsights NetworkTxBytes Sum ClusterName=c,ServiceName=web",
		"AWS/ApplicationELB RequestCount Sum LoadBalancer=app/web/def,TargetGroup=targetgroup/web/abc",
		"AWS/ApplicationELB ActiveConnectionCount Sum LoadBalancer=app/web/def",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("queries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAllServicesGoIntoAsFewCallsAsPossible(t *testing.T) {
	cw := &fakeCW{pageSize: 300, data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
		ts, vs := series(flat(12, 0.5)...)
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
	if len(cw.inputs) != 5 || len(cw.inputs[0].MetricDataQueries) != 500 {
		t.Fatalf("%d GetMetricData calls (first with %d queries) for 1,200 queries, want 5: 500 (2 pages) + 500 (2 pages) + 200", len(cw.inputs), len(cw.inputs[0].MetricDataQueries))
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

func TestEachServiceIsJudgedOnItsOwnWindow(t *testing.T) {
	cw := &fakeCW{data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
		// A busy minute 20 minutes ago, quiet since.
		ts, vs := series(with(flat(32, 0.25), -20, 1e6)...)
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

func TestCalibrateGivesTheDaysDistributionAndAThresholdAboveItsQuietMinutes(t *testing.T) {
	// A day of health checks (about 35 bytes/second each way) with a visitor's
	// busy minute every 5 minutes.
	day := make([]float64, 24*60)
	for i := range day {
		day[i] = 35
		if i%5 == 0 {
			day[i] = 900
		}
	}
	cw := &fakeCW{data: func(q cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) {
		ts, vs := series(day...)
		return ts, vs, ""
	}}
	r := &Reader{CW: cw}
	c, err := r.Calibrate(context.Background(), now, Request{Cluster: "c", Service: "web", Policy: pol(config.SignalNetwork, nil)})
	if err != nil {
		t.Fatal(err)
	}
	d := c.Distribution
	if c.MinutesWithData != 1440 || d == nil || d.Min != 70 || d.P10 != 70 || d.Median != 70 || d.P90 != 1800 || d.Max != 1800 {
		t.Fatalf("calibration %+v distribution %+v", c, d)
	}
	if c.Suggested <= d.P10 || c.Suggested >= d.P90 || !strings.Contains(c.Advice, "quietest tenth") {
		t.Fatalf("suggested %v for quiet minutes at %v and busy ones at %v: %s", c.Suggested, d.P10, d.P90, c.Advice)
	}
	if got := cw.inputs[0]; got.EndTime.Sub(*got.StartTime) != 24*time.Hour {
		t.Fatalf("read %s of history, want a day", got.EndTime.Sub(*got.StartTime))
	}

	empty := &Reader{CW: &fakeCW{data: func(cwtypes.MetricDataQuery) ([]time.Time, []float64, cwtypes.StatusCode) { return nil, nil, "" }}}
	c, err = empty.Calibrate(context.Background(), now, Request{Cluster: "c", Service: "web", Policy: pol(config.SignalNetwork, nil)})
	if err != nil || c.Distribution != nil || c.Suggested != config.DefaultNetworkThreshold || !strings.Contains(c.Advice, "no datapoint") {
		t.Fatalf("no data: %+v, %v", c, err)
	}
	if _, err := empty.Calibrate(context.Background(), now, Request{Policy: pol(config.SignalUptime, nil)}); !errors.Is(err, ErrNoMetric) {
		t.Fatalf("uptime: %v, want ErrNoMetric", err)
	}
	failing := &Reader{CW: &fakeCW{err: errors.New("throttled")}}
	if _, err := failing.Calibrate(context.Background(), now, Request{Policy: pol(config.SignalCPU, nil)}); err == nil || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("read error: %v", err)
	}
}
