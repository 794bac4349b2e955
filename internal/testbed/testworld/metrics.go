package testworld

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// putMetricBatch: the emulator answered 500 to PutMetricData with more than 20 datums.
const putMetricBatch = 20

// Gap marks a minute with no datapoint: not published yet, or lost.
var Gap = math.NaN()

// Traffic is one minute of one task's network traffic, in bytes.
type Traffic struct{ Rx, Tx float64 }

// NoTraffic is a minute with no datapoint at all.
var NoTraffic = Traffic{Gap, Gap}

// Each returns n minutes of the same traffic.
func Each(n int, m Traffic) []Traffic {
	out := make([]Traffic, n)
	for i := range out {
		out[i] = m
	}
	return out
}

// minuteAt is the start of the i-th of n minutes that end with the last
// complete minute before now (i = n-1 is that minute).
func minuteAt(now time.Time, i, n int) time.Time {
	return now.UTC().Truncate(time.Minute).Add(-time.Duration(n-i) * time.Minute)
}

// ContainerInsights publishes a service's network traffic as Container
// Insights for ECS does. Each task's performance log event carries its
// NetworkRxBytes and NetworkTxBytes as a rate, unit Bytes/Second, about once a
// minute, and CloudWatch extracts them as metrics of ECS/ContainerInsights
// with the dimensions ClusterName and ServiceName (among others); a
// service-level query therefore sees one datapoint per task per minute, and
// its Sum over a minute is the service's rate, the tasks' rates added.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-reference-performance-logs-ECS.html
//
// minutes are what each of the tasks carried in each minute, oldest first,
// the last one being the last complete minute; NoTraffic is a minute that was
// not published.
func (w *World) ContainerInsights(t testing.TB, service string, tasks int, minutes []Traffic) {
	t.Helper()
	dims := []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String(Cluster)}, {Name: aws.String("ServiceName"), Value: aws.String(service)}}
	now := time.Now()
	var data []cwtypes.MetricDatum
	for i, m := range minutes {
		if math.IsNaN(m.Rx) || math.IsNaN(m.Tx) {
			continue
		}
		ts := minuteAt(now, i, len(minutes))
		for range tasks {
			data = append(data,
				cwtypes.MetricDatum{MetricName: aws.String("NetworkRxBytes"), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(m.Rx / 60), Unit: cwtypes.StandardUnitBytesSecond},
				cwtypes.MetricDatum{MetricName: aws.String("NetworkTxBytes"), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(m.Tx / 60), Unit: cwtypes.StandardUnitBytesSecond})
		}
	}
	w.putMetrics(t, "ECS/ContainerInsights", data)
}

// NetworkBytes publishes, for the given minutes before now, one task moving
// bytesPerMinute (half received, half sent) each minute, as Container Insights would.
func (w *World) NetworkBytes(t testing.TB, service string, minutes int, bytesPerMinute float64) {
	t.Helper()
	w.ContainerInsights(t, service, 1, Each(minutes, Traffic{bytesPerMinute / 2, bytesPerMinute / 2}))
}

// Zone is the one Availability Zone of the test world's load balancers.
const Zone = emulator.Region + "a"

// LoadBalancerTraffic publishes what an Application Load Balancer reports of
// a target group: RequestCount (unit Count) with the dimension sets
// LoadBalancer; LoadBalancer, AvailabilityZone; LoadBalancer, TargetGroup;
// LoadBalancer, TargetGroup, AvailabilityZone — never TargetGroup alone — and
// ActiveConnectionCount (client connections, Count) by LoadBalancer and by
// LoadBalancer, AvailabilityZone. ALB reports a metric only when its value is
// not zero, so a minute with no request has no datapoint.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
//
// requests and connections are per minute, oldest first, ending with the last
// complete minute (connections may be nil).
func (w *World) LoadBalancerTraffic(t testing.TB, lb, tg string, requests, connections []float64) {
	t.Helper()
	d := func(kv ...string) []cwtypes.Dimension {
		var out []cwtypes.Dimension
		for i := 0; i < len(kv); i += 2 {
			out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	now := time.Now()
	var data []cwtypes.MetricDatum
	put := func(name string, series []float64, sets ...[]cwtypes.Dimension) {
		for i, v := range series {
			if v == 0 || math.IsNaN(v) {
				continue
			}
			ts := minuteAt(now, i, len(series))
			for _, dims := range sets {
				data = append(data, cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(v), Unit: cwtypes.StandardUnitCount})
			}
		}
	}
	put("RequestCount", requests, d("LoadBalancer", lb), d("LoadBalancer", lb, "AvailabilityZone", Zone),
		d("LoadBalancer", lb, "TargetGroup", tg), d("LoadBalancer", lb, "TargetGroup", tg, "AvailabilityZone", Zone))
	put("ActiveConnectionCount", connections, d("LoadBalancer", lb), d("LoadBalancer", lb, "AvailabilityZone", Zone))
	w.putMetrics(t, "AWS/ApplicationELB", data)
}

// ServiceCPU publishes the service's CPUUtilization as ECS does for Fargate
// (AWS/ECS, ClusterName and ServiceName, unit Percent, one datapoint a minute).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
// percents are per minute, oldest first, ending with the last complete minute; Gap is a missing minute.
func (w *World) ServiceCPU(t testing.TB, service string, percents []float64) {
	t.Helper()
	dims := []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String(Cluster)}, {Name: aws.String("ServiceName"), Value: aws.String(service)}}
	w.Series(t, "AWS/ECS", "CPUUtilization", dims, cwtypes.StandardUnitPercent, percents)
}

// Series publishes any metric, one datapoint a minute, oldest first, ending
// with the last complete minute; Gap is a minute with no datapoint.
func (w *World) Series(t testing.TB, namespace, name string, dims []cwtypes.Dimension, unit cwtypes.StandardUnit, values []float64) {
	t.Helper()
	now := time.Now()
	var data []cwtypes.MetricDatum
	for i, v := range values {
		if math.IsNaN(v) {
			continue
		}
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: dims, Timestamp: aws.Time(minuteAt(now, i, len(values))), Value: aws.Float64(v), Unit: unit})
	}
	w.putMetrics(t, namespace, data)
}

func (w *World) putMetrics(t testing.TB, namespace string, data []cwtypes.MetricDatum) {
	t.Helper()
	cw := w.CloudWatch()
	for batch := range slices.Chunk(data, putMetricBatch) {
		if _, err := cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: batch}); err != nil {
			t.Fatalf("put metric data: %v", err)
		}
	}
}

// CloudWatch is a client of the emulator's CloudWatch (not through the gate).
func (w *World) CloudWatch() *cloudwatch.Client {
	t := aws.Config{Region: emulator.Region, Credentials: aws.NewCredentialsCache(staticCreds{})}
	return cloudwatch.NewFromConfig(t, func(o *cloudwatch.Options) {
		o.BaseEndpoint = aws.String(w.Emulator.URL)
		activity.SpeakJSON(o)
	})
}

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}, nil
}
