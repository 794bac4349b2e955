package standin

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Publish puts each task's network traffic since the last call into
// CloudWatch as the datapoint of the minute that started at minute, as
// Container Insights for ECS does: ECS/ContainerInsights NetworkRxBytes and
// NetworkTxBytes by ClusterName and ServiceName, one datapoint per task, in
// Bytes/Second (the task's rate over the minute), so the Sum of a minute is
// the service's rate. A service with no task publishes nothing.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
func (s *Scheduler) Publish(ctx context.Context, minute time.Time) {
	for _, svc := range s.services {
		s.mu.Lock()
		list := append([]*task(nil), s.tasks[svc.Name]...)
		s.mu.Unlock()
		dims := []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String(svc.Cluster)}, {Name: aws.String("ServiceName"), Value: aws.String(svc.Name)}}
		var data []cwtypes.MetricDatum
		for _, t := range list {
			r, w, ok := readStats(t.stats)
			if !ok {
				continue // the app has not written its counts yet: no datapoint, as for a task not reporting
			}
			rx, tx := r-t.rx, w-t.tx
			t.rx, t.tx = r, w
			data = append(data,
				cwtypes.MetricDatum{MetricName: aws.String("NetworkRxBytes"), Dimensions: dims, Timestamp: aws.Time(minute), Value: aws.Float64(rx / 60), Unit: cwtypes.StandardUnitBytesSecond},
				cwtypes.MetricDatum{MetricName: aws.String("NetworkTxBytes"), Dimensions: dims, Timestamp: aws.Time(minute), Value: aws.Float64(tx / 60), Unit: cwtypes.StandardUnitBytesSecond})
		}
		if len(data) == 0 {
			continue
		}
		// At most 20 datums a call: the emulator answered 500 to more.
		for batch := range slices.Chunk(data, 20) {
			if _, err := s.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("ECS/ContainerInsights"), MetricData: batch}); err != nil {
				s.log.Warn("publishing network traffic failed", "service", svc.Name, "error", err)
			}
		}
	}
}

func readStats(path string) (rx, tx float64, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscan(string(b), &rx, &tx); err != nil {
		return 0, 0, false
	}
	return rx, tx, true
}
