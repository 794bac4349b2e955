package wake

import (
	"context"
	"log/slog"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
)

// The Wake function's metrics about one service, each written by the
// environment that sees the event: the scale-up, the wake's duration (by the
// environment that records it), a failed wake (once per environment that
// answers about it).

func (c *Controller) emitOne(ctx context.Context, svc config.Service, m metrics.Metric) {
	c.opts.Metrics.Emit(ctx, metrics.Record{
		Dims:       metrics.Service(svc.Cluster, svc.Name),
		Directives: []metrics.Directive{{Sets: [][]string{metrics.ServiceSet}, Metrics: []metrics.Metric{m}}},
	})
}

// countWakeStarted: this environment scaled a sleeping service up.
func (c *Controller) countWakeStarted(ctx context.Context, svc config.Service) {
	c.emitOne(ctx, svc, metrics.Metric{Name: metrics.WakesStarted, Unit: metrics.Count, Value: 1})
}

// countWakeSeconds: the wake this environment started is ready, took long.
func (c *Controller) countWakeSeconds(ctx context.Context, svc config.Service, took time.Duration) {
	c.emitOne(ctx, svc, metrics.Metric{Name: metrics.WakeSeconds, Unit: metrics.Seconds, Value: took.Round(time.Millisecond).Seconds()})
}

// countFailed counts a failed wake once in this environment, by its start:
// by service, and by function so that one alarm watches every service. Its
// class is a property, searchable without adding a metric.
func (c *Controller) countFailed(ctx context.Context, svc config.Service, e *entry, obs *ecsservice.Service, now time.Time) {
	if c.opts.Metrics == nil {
		return
	}
	var start time.Time
	if s := wakeStart(svc, obs, now); s != nil {
		start = *s
	}
	c.mu.Lock()
	seen := e.failCounted && e.failStart.Equal(start)
	e.failCounted, e.failStart = true, start
	c.mu.Unlock()
	if seen {
		return
	}
	c.opts.Metrics.Emit(ctx, metrics.Record{
		Dims: append(metrics.Service(svc.Cluster, svc.Name), c.opts.Metrics.Function()...),
		Directives: []metrics.Directive{{
			Sets:    [][]string{metrics.ServiceSet, metrics.FunctionSet},
			Metrics: []metrics.Metric{{Name: metrics.WakesFailed, Unit: metrics.Count, Value: 1}},
		}},
		Props: []slog.Attr{slog.String(metrics.PropFailureClass, failureClass(svc, obs, now))},
	})
}
