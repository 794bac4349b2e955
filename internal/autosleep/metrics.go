package autosleep

import (
	"context"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
)

// WithMetrics makes the evaluator write its metrics through m (nil: none).
func (e *Evaluator) WithMetrics(m *metrics.Emitter) *Evaluator {
	e.metrics = m
	return e
}

// emitTick writes a tick's metrics: for each service that was awake, its
// desired count (TasksAwake) and, when this tick put it to sleep, the sleep
// with its rule, on one line; then how long the tick took, when any service
// was awake. A tick over services that all sleep writes nothing, and neither
// does a dry run (it changed nothing, and an operator's status must not count
// twice); counts still held (throttled calls) are written at the tick's end.
func (e *Evaluator) emitTick(ctx context.Context, all []*service, dryRun bool, took time.Duration) {
	if e.metrics == nil {
		return
	}
	defer e.metrics.Flush(ctx)
	if dryRun {
		return
	}
	awake := 0
	for _, s := range all {
		if s.obs == nil || s.result.DesiredCount == 0 {
			continue
		}
		awake++
		tasks := metrics.Metric{Name: metrics.TasksAwake, Unit: metrics.Count, Value: float64(s.result.DesiredCount)}
		r := metrics.Record{
			Dims:       metrics.Service(s.cfg.Cluster, s.cfg.Name),
			Directives: []metrics.Directive{{Sets: [][]string{metrics.ServiceSet}}},
		}
		if s.result.Action == Slept {
			r = metrics.Slept(s.cfg.Cluster, s.cfg.Name, s.rule)
		}
		r.Directives[0].Metrics = append(r.Directives[0].Metrics, tasks)
		e.metrics.Emit(ctx, r)
	}
	if awake == 0 {
		return
	}
	e.metrics.Emit(ctx, metrics.Record{
		Dims: e.metrics.Function(),
		Directives: []metrics.Directive{{
			Sets:    [][]string{metrics.FunctionSet},
			Metrics: []metrics.Metric{{Name: metrics.EvaluationSeconds, Unit: metrics.Seconds, Value: took.Round(time.Millisecond).Seconds()}},
		}},
	})
}
