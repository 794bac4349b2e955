// Package activity reads from CloudWatch whether services are idle: every
// service's queries go into as few GetMetricData calls as possible.
package activity

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// CloudWatch is the one CloudWatch call this package makes; *cloudwatch.Client satisfies it.
type CloudWatch interface {
	GetMetricData(ctx context.Context, params *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// maxQueries: GetMetricData takes at most 500 metric queries a call.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
const maxQueries = 500

// period is the granularity asked for: one datapoint a minute, as Container Insights publishes.
const period = 60

// Verdicts of a signal.
const (
	Idle    = "idle"
	Active  = "active"
	Unknown = "unknown" // no data, or it could not be read: never idle
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
}

// query is one metric query of a request.
type query struct {
	id  string
	req int // index into the requests
	q   cwtypes.MetricDataQuery
}

// Reader reads signals.
type Reader struct {
	CW CloudWatch
}

// Read returns a verdict for every request with a metric signal, keyed by Request.Key.
// A failed call makes the verdict of its services Unknown; it never fails the whole read.
func (r *Reader) Read(ctx context.Context, now time.Time, reqs []Request) map[string]Verdict {
	out := make(map[string]Verdict, len(reqs))
	end := now.UTC().Truncate(time.Minute)
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
	start := end.Add(-longest)

	values := map[string]map[time.Time]float64{} // by query id, by timestamp
	failed := map[string]string{}                // query id → why
	for batch := range slices.Chunk(queries, maxQueries) {
		in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(start), EndTime: aws.Time(end), ScanBy: cwtypes.ScanByTimestampDescending}
		for _, q := range batch {
			in.MetricDataQueries = append(in.MetricDataQueries, q.q)
		}
		for {
			res, err := r.CW.GetMetricData(ctx, in)
			if err != nil {
				for _, q := range batch {
					failed[q.id] = fmt.Sprintf("get metric data: %v", err)
				}
				break
			}
			for _, m := range res.MetricDataResults {
				id := aws.ToString(m.Id)
				if m.StatusCode == cwtypes.StatusCodeInternalError || m.StatusCode == cwtypes.StatusCodeForbidden {
					failed[id] = "CloudWatch answered " + string(m.StatusCode)
					continue
				}
				if values[id] == nil {
					values[id] = map[time.Time]float64{}
				}
				for j, ts := range m.Timestamps {
					if j < len(m.Values) {
						values[id][ts.UTC()] += m.Values[j]
					}
				}
			}
			if res.NextToken == nil {
				break
			}
			in.NextToken = res.NextToken
		}
	}

	byReq := map[int][]query{}
	for _, q := range queries {
		byReq[q.req] = append(byReq[q.req], q)
	}
	for i, qs := range byReq {
		req := reqs[i]
		var why string
		series := map[time.Time]float64{}
		from := end.Add(-req.Policy.Window)
		for _, q := range qs {
			if f, ok := failed[q.id]; ok {
				why = f
			}
			for ts, v := range values[q.id] {
				if !ts.Before(from) {
					series[ts] += v
				}
			}
		}
		if why != "" {
			out[req.Key] = Verdict{State: Unknown, Reason: "the idle signal could not be read: " + why}
			continue
		}
		out[req.Key] = judge(req.Policy, series)
	}
	return out
}

// queriesFor builds the metric queries of one request (none for uptime).
func queriesFor(i int, req Request) []query {
	p := req.Policy
	mk := func(n int, ns, name, stat string, dims map[string]string) query {
		id := "q" + strconv.Itoa(i) + "_" + strconv.Itoa(n)
		keys := make([]string, 0, len(dims))
		for k := range dims {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var d []cwtypes.Dimension
		for _, k := range keys {
			d = append(d, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(dims[k])})
		}
		return query{id: id, req: i, q: cwtypes.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: d},
				Period: aws.Int32(period),
				Stat:   aws.String(stat),
			},
			ReturnData: aws.Bool(true),
		}}
	}
	svc := map[string]string{"ClusterName": req.Cluster, "ServiceName": req.Service}
	switch p.Signal {
	case config.SignalNetwork:
		return []query{
			mk(0, "ECS/ContainerInsights", "NetworkRxBytes", "Sum", svc),
			mk(1, "ECS/ContainerInsights", "NetworkTxBytes", "Sum", svc),
		}
	case config.SignalRequests:
		dims := map[string]string{"TargetGroup": p.TargetGroup}
		if p.LoadBalancer != "" {
			dims["LoadBalancer"] = p.LoadBalancer
		}
		return []query{mk(0, "AWS/ApplicationELB", "RequestCount", "Sum", dims)}
	case config.SignalCPU:
		return []query{mk(0, "AWS/ECS", "CPUUtilization", "Maximum", svc)}
	case config.SignalCustom:
		return []query{mk(0, p.Metric.Namespace, p.Metric.Name, p.Metric.Statistic, p.Metric.Dimensions)}
	}
	return nil
}

// judge turns one service's datapoints over its window into a verdict.
func judge(p config.SleepPolicy, series map[time.Time]float64) Verdict {
	minutes := int(p.Window / time.Minute)
	peak, total := 0.0, 0.0
	for _, v := range series {
		peak = max(peak, v)
		total += v
	}
	switch p.Signal {
	case config.SignalRequests:
		// No datapoint means the load balancer sent no request.
		if total <= p.Threshold {
			return Verdict{Idle, fmt.Sprintf("%s requests through the load balancer in the last %d minutes", num(total), minutes)}
		}
		return Verdict{Active, fmt.Sprintf("%s requests through the load balancer in the last %d minutes", num(total), minutes)}
	case config.SignalNetwork:
		// Container Insights reports every minute; with less than half the window covered, nobody can say.
		if len(series) == 0 {
			return Verdict{Unknown, fmt.Sprintf("no Container Insights network data in the last %d minutes (is Container Insights on for the cluster?)", minutes)}
		}
		if len(series)*2 < minutes {
			return Verdict{Unknown, fmt.Sprintf("Container Insights network data for only %d of the last %d minutes", len(series), minutes)}
		}
		if peak <= p.Threshold {
			return Verdict{Idle, fmt.Sprintf("at most %s bytes of network traffic a minute in the last %d minutes", num(peak), minutes)}
		}
		return Verdict{Active, fmt.Sprintf("%s bytes of network traffic in the busiest of the last %d minutes", num(peak), minutes)}
	case config.SignalCPU:
		if len(series) == 0 {
			return Verdict{Unknown, fmt.Sprintf("no CPU data in the last %d minutes", minutes)}
		}
		if peak <= p.Threshold {
			return Verdict{Idle, fmt.Sprintf("CPU at most %s%% in the last %d minutes", num(peak), minutes)}
		}
		return Verdict{Active, fmt.Sprintf("CPU reached %s%% in the last %d minutes", num(peak), minutes)}
	case config.SignalCustom:
		name := p.Metric.Namespace + "/" + p.Metric.Name
		if len(series) == 0 {
			if p.Metric.MissingIsIdle {
				return Verdict{Idle, fmt.Sprintf("no %s data in the last %d minutes (configured as idle)", name, minutes)}
			}
			return Verdict{Unknown, fmt.Sprintf("no %s data in the last %d minutes", name, minutes)}
		}
		if peak <= p.Threshold {
			return Verdict{Idle, fmt.Sprintf("%s at most %s in the last %d minutes", name, num(peak), minutes)}
		}
		return Verdict{Active, fmt.Sprintf("%s reached %s in the last %d minutes", name, num(peak), minutes)}
	}
	return Verdict{Unknown, "no metric signal"}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
