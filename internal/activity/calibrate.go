package activity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// CalibrationSpan is how much history calibrate reads: a day of minutes.
const CalibrationSpan = 24 * time.Hour

// Distribution is the spread of a signal's per-minute values.
type Distribution struct {
	Min    float64 `json:"min"`
	P10    float64 `json:"p10"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	Max    float64 `json:"max"`
}

// Calibration is what calibrate answers: a service's signal over the last
// day, minute by minute, and a threshold that fits it.
type Calibration struct {
	Service string `json:"service"`
	Cluster string `json:"cluster"`
	Signal  string `json:"signal"`
	// Unit of the values and thresholds.
	Unit string    `json:"unit"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// MinutesWithData: how many minutes of the span have a datapoint (a sleeping service has none).
	MinutesWithData int           `json:"minutesWithData"`
	Distribution    *Distribution `json:"distribution,omitempty"`
	Threshold       float64       `json:"threshold"`
	Suggested       float64       `json:"suggestedThreshold"`
	Advice          string        `json:"advice"`
}

// ErrNoMetric: the signal reads no metric (uptime).
var ErrNoMetric = errors.New("the uptime signal reads no metric: there is nothing to calibrate")

// Calibrate reads the last day of one service's signal and suggests a
// threshold: just above the level of its quiet minutes (its tenth
// percentile), never below the signal's default.
func (r *Reader) Calibrate(ctx context.Context, now time.Time, req Request) (Calibration, error) {
	p := req.Policy
	c := Calibration{Service: req.Service, Cluster: req.Cluster, Signal: p.Signal, Threshold: p.Threshold}
	qs := queriesFor(0, req)
	if len(qs) == 0 {
		return c, ErrNoMetric
	}
	c.To = now.UTC().Truncate(time.Minute)
	c.From = c.To.Add(-CalibrationSpan)
	values, failed := r.fetch(ctx, c.From, c.To, qs)
	ev := evidence{}
	for _, q := range qs {
		if why, ok := failed[q.id]; ok {
			return c, fmt.Errorf("read %s: %s", p.Signal, why)
		}
		ev.add(q.role, values[q.id])
	}
	var series minutes
	base := 0.0
	switch p.Signal {
	case config.SignalNetwork:
		series, c.Unit, base = ev.network(), "bytes/second received plus sent, all tasks (Container Insights)", config.DefaultNetworkThreshold
	case config.SignalRequests:
		series, c.Unit = ev.value, "requests a minute through the load balancer (minutes with none are not published)"
	case config.SignalCPU:
		series, c.Unit, base = ev.value, "percent CPU, the highest task a minute", config.DefaultCPUThreshold
	default:
		series, c.Unit = ev.value, p.Metric.Namespace+"/"+p.Metric.Name+" ("+p.Metric.Statistic+" a minute)"
	}
	vs := make([]float64, 0, len(series))
	for _, v := range series {
		vs = append(vs, v)
	}
	c.MinutesWithData = len(vs)
	if len(vs) == 0 {
		c.Suggested = p.Threshold
		c.Advice = "no datapoint in the last day: the service slept all day, or its metric is not published (for network: is Container Insights on for the cluster?); keep the current threshold"
		return c, nil
	}
	slices.Sort(vs)
	q := func(f float64) float64 { return round2(vs[int(math.Ceil(f*float64(len(vs))))-1]) }
	c.Distribution = &Distribution{Min: round2(vs[0]), P10: q(0.10), Median: q(0.5), P90: q(0.9), Max: round2(vs[len(vs)-1])}
	switch p.Signal {
	case config.SignalRequests:
		// Health checks are not requests: any request is a visitor.
		c.Suggested = p.Threshold
		c.Advice = "the load balancer counts visitors' requests only (not health checks), so a threshold of 0 is right unless bots or monitors call the app; raise it to what they make in a window"
	default:
		// The quiet minutes' level, with a quarter on top and the signal's default as a margin.
		c.Suggested = round2(max(base, c.Distribution.P10*1.25+base))
		c.Advice = fmt.Sprintf("the quietest tenth of its minutes is at most %s; a threshold of %s sleeps the service over that background and keeps it for anything above. Traffic smaller than that in every minute (%s) would not keep it awake: if its users are lighter, keep the default or use the requests signal behind a load balancer",
			num(c.Distribution.P10), num(c.Suggested), light(p.Signal, c.Suggested))
	}
	return c, nil
}

func light(signal string, threshold float64) string {
	if signal == config.SignalNetwork {
		return fmt.Sprintf("%s bytes a minute", num(math.Round(threshold*60)))
	}
	return "at or below it"
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
