package activity

import (
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// What a query's datapoints are to the judgement.
type role int

const (
	roleValue       role = iota // the signal itself (requests, CPU, a custom metric)
	roleRx                      // Container Insights NetworkRxBytes
	roleTx                      // Container Insights NetworkTxBytes
	roleConnections             // ALB ActiveConnectionCount
)

// query is one metric query of a request.
type query struct {
	id   string
	req  int // index into the requests
	role role
	q    cwtypes.MetricDataQuery
}

// Metrics, their units and dimensions as AWS publishes them:
//   - Container Insights for ECS: NetworkRxBytes and NetworkTxBytes in
//     Bytes/Second, each task's rate once a minute, by ClusterName and
//     ServiceName; the Sum of a minute is the service's rate (its tasks' rates added).
//     https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
//   - ALB: RequestCount (Count) exists only for the dimension sets LoadBalancer;
//     LoadBalancer, AvailabilityZone; LoadBalancer, TargetGroup; LoadBalancer,
//     TargetGroup, AvailabilityZone — never TargetGroup alone. ActiveConnectionCount
//     (Count) by LoadBalancer. Both are reported only when not zero.
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
//   - ECS: CPUUtilization (Percent) by ClusterName and ServiceName, every minute.
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
func queriesFor(i int, req Request) []query {
	p := req.Policy
	mk := func(r role, ns, name, stat string, dims map[string]string) query {
		id := "q" + strconv.Itoa(i) + "_" + strconv.Itoa(int(r))
		keys := make([]string, 0, len(dims))
		for k := range dims {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var d []cwtypes.Dimension
		for _, k := range keys {
			d = append(d, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(dims[k])})
		}
		return query{id: id, req: i, role: r, q: cwtypes.MetricDataQuery{
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
			mk(roleRx, "ECS/ContainerInsights", "NetworkRxBytes", "Sum", svc),
			mk(roleTx, "ECS/ContainerInsights", "NetworkTxBytes", "Sum", svc),
		}
	case config.SignalRequests:
		qs := []query{mk(roleValue, "AWS/ApplicationELB", "RequestCount", "Sum", map[string]string{"LoadBalancer": p.LoadBalancer, "TargetGroup": p.TargetGroup})}
		if p.CountConnections {
			qs = append(qs, mk(roleConnections, "AWS/ApplicationELB", "ActiveConnectionCount", "Sum", map[string]string{"LoadBalancer": p.LoadBalancer}))
		}
		return qs
	case config.SignalCPU:
		// With the network: CPU alone cannot see a light web user.
		return []query{
			mk(roleValue, "AWS/ECS", "CPUUtilization", "Maximum", svc),
			mk(roleRx, "ECS/ContainerInsights", "NetworkRxBytes", "Sum", svc),
			mk(roleTx, "ECS/ContainerInsights", "NetworkTxBytes", "Sum", svc),
		}
	case config.SignalCustom:
		return []query{mk(roleValue, p.Metric.Namespace, p.Metric.Name, p.Metric.Statistic, p.Metric.Dimensions)}
	}
	return nil
}

// minutes are datapoints by the start of their minute.
type minutes map[time.Time]float64

// evidence is one service's datapoints, by what they are.
type evidence struct {
	value, rx, tx, connections minutes
}

func (e *evidence) add(r role, m minutes) {
	if m == nil {
		m = minutes{}
	}
	switch r {
	case roleRx:
		e.rx = m
	case roleTx:
		e.tx = m
	case roleConnections:
		e.connections = m
	default:
		e.value = m
	}
}

// network is the service's traffic a minute, in bytes/second received plus
// sent; a minute counts only when both directions were published.
func (e evidence) network() minutes {
	out := minutes{}
	for ts, rx := range e.rx {
		if tx, ok := e.tx[ts]; ok {
			out[ts] = rx + tx
		}
	}
	return out
}
