// Package activity reads from CloudWatch whether services are idle: every
// service's queries go into as few GetMetricData calls as possible, and each
// metric is read in the unit and with the gaps its AWS source publishes it.
package activity

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// CloudWatch is the one CloudWatch call this package makes.
type CloudWatch interface {
	GetMetricData(ctx context.Context, params *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

var _ CloudWatch = (*cloudwatch.Client)(nil)

// maxQueries: GetMetricData takes at most 500 metric queries a call.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
const maxQueries = 500

// aheadOfClock is how far past this clock's current minute datapoints are
// read: the clocks of the publishers and of this function differ a little.
const aheadOfClock = 5 * time.Minute

// period is the granularity asked for: one datapoint a minute, as Container
// Insights, ECS and ALB publish.
const period = 60

// Verdicts of a signal.
const (
	Idle    = "idle"
	Active  = "active"
	Unknown = "unknown" // no data, not enough, or it could not be read: never idle
)

// Verdict is what the signal says of one service.
type Verdict struct {
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// Request asks for one service's signal.
type Request struct {
	Key     string // the caller's name for the service
	Cluster string
	Service string
	Policy  config.SleepPolicy
	// Since is when the service was last woken (zero when not known): minutes
	// before it say nothing about its use now.
	Since time.Time
	// insightsOff: the cluster's Container Insights setting is disabled.
	insightsOff bool
}

// Reader reads signals.
type Reader struct {
	CW CloudWatch
	// InsightsOff are the clusters whose Container Insights setting is
	// disabled (read at start-up): the reason for their missing data.
	InsightsOff map[string]bool
}

// Read returns a verdict for every request with a metric signal, keyed by Request.Key.
// A failed call makes the verdict of its services Unknown; it never fails the whole read.
func (r *Reader) Read(ctx context.Context, now time.Time, reqs []Request) map[string]Verdict {
	out := make(map[string]Verdict, len(reqs))
	var queries []query
	longest := time.Minute
	for i, req := range reqs {
		qs := queriesFor(i, req)
		if len(qs) == 0 {
			continue
		}
		queries = append(queries, qs...)
		longest = max(longest, req.Policy.Window)
	}
	if len(queries) == 0 {
		return out
	}
	// From the earliest minute any window may need (the window ends up to
	// unpublishedMinutes before now) to a few minutes ahead: datapoints of the
	// current minute, or ahead of this clock (another clock runs ahead of it),
	// count as use when they are there.
	n := now.UTC().Truncate(time.Minute)
	start, end := n.Add(-longest-(unpublishedMinutes+2)*time.Minute), n.Add(aheadOfClock)
	values, failed := r.fetch(ctx, start, end, queries)

	byReq := map[int][]query{}
	for _, q := range queries {
		byReq[q.req] = append(byReq[q.req], q)
	}
	for i, qs := range byReq {
		req := reqs[i]
		var why string
		ev := evidence{}
		for _, q := range qs {
			if f, ok := failed[q.id]; ok {
				why = f
			}
			ev.add(q.role, values[q.id])
		}
		if why != "" {
			out[req.Key] = Verdict{State: Unknown, Reason: "the idle signal could not be read: " + why}
			continue
		}
		req.insightsOff = r.InsightsOff[req.Cluster]
		out[req.Key] = judge(req, now, ev)
	}
	return out
}

// fetch runs the queries, maxQueries a call, each call's pages through the
// SDK's paginator, and returns each query's datapoints by minute, and why a
// query failed.
func (r *Reader) fetch(ctx context.Context, start, end time.Time, queries []query) (map[string]minutes, map[string]string) {
	values := map[string]minutes{}
	failed := map[string]string{}
	for batch := range slices.Chunk(queries, maxQueries) {
		in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(start), EndTime: aws.Time(end), ScanBy: cwtypes.ScanByTimestampDescending}
		for _, q := range batch {
			in.MetricDataQueries = append(in.MetricDataQueries, q.q)
		}
		for p := cloudwatch.NewGetMetricDataPaginator(r.CW, in); p.HasMorePages(); {
			res, err := p.NextPage(ctx)
			if err != nil {
				// A page missing makes every series of the call incomplete.
				for _, q := range batch {
					failed[q.id] = fmt.Sprintf("get metric data: %v", err)
				}
				break
			}
			collect(res.MetricDataResults, values, failed)
		}
	}
	return values, failed
}

// collect adds one page's datapoints to values by minute (a series longer
// than a page, PartialData, goes on in the next); a query CloudWatch answered
// InternalError or Forbidden goes to failed.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html
func collect(results []cwtypes.MetricDataResult, values map[string]minutes, failed map[string]string) {
	for _, m := range results {
		id := aws.ToString(m.Id)
		if m.StatusCode == cwtypes.StatusCodeInternalError || m.StatusCode == cwtypes.StatusCodeForbidden {
			failed[id] = "CloudWatch answered " + string(m.StatusCode)
			continue
		}
		if values[id] == nil {
			values[id] = minutes{}
		}
		for j, ts := range m.Timestamps {
			if j < len(m.Values) {
				values[id][ts.UTC().Truncate(time.Minute)] += m.Values[j]
			}
		}
	}
}
