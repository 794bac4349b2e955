package testworld

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/emulator"
)

// putMetricBatch: the emulator answered 500 to PutMetricData with more than 20 datums.
const putMetricBatch = 20

// NetworkBytes puts Container Insights network datapoints for a service, one
// a minute for the given minutes before now, as Container Insights would.
func (w *World) NetworkBytes(t testing.TB, service string, minutes int, bytesPerMinute float64) {
	t.Helper()
	dims := []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String(Cluster)}, {Name: aws.String("ServiceName"), Value: aws.String(service)}}
	now := time.Now().UTC().Truncate(time.Minute)
	var data []cwtypes.MetricDatum
	for m := 1; m <= minutes; m++ {
		ts := now.Add(-time.Duration(m) * time.Minute)
		for _, name := range []string{"NetworkRxBytes", "NetworkTxBytes"} {
			data = append(data, cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(bytesPerMinute / 2), Unit: cwtypes.StandardUnitBytes})
		}
	}
	w.putMetrics(t, "ECS/ContainerInsights", data)
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
