package autosleep

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// history is one service's generated past: its policy, its wake, its state
// in ECS, and every datapoint its signal's metrics have, by metric name.
type history struct {
	svc       config.Service
	obs       ecsservice.Service
	tasks     []ecsservice.Task
	data      map[string]map[time.Time]float64
	readError bool
}

// cwHistories answers GetMetricData from the histories' datapoints, as
// CloudWatch would: the datapoints between the start and end, by query.
type cwHistories struct {
	byService map[string]*history
	failCall  bool
}

func (c *cwHistories) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	if c.failCall {
		return nil, fmt.Errorf("throttled")
	}
	out := &cloudwatch.GetMetricDataOutput{}
	for _, q := range in.MetricDataQueries {
		m := q.MetricStat.Metric
		key := ""
		for _, d := range m.Dimensions {
			switch aws.ToString(d.Name) {
			case "ServiceName", "Service":
				key = aws.ToString(d.Value)
			case "TargetGroup":
				key = aws.ToString(d.Value)[len("targetgroup/"):]
			case "LoadBalancer":
				if key == "" {
					key = aws.ToString(d.Value)[len("app/"):]
				}
			}
		}
		h := c.byService[key]
		res := cwtypes.MetricDataResult{Id: q.Id, StatusCode: cwtypes.StatusCodeComplete}
		if h == nil {
			out.MetricDataResults = append(out.MetricDataResults, res)
			continue
		}
		if h.readError {
			res.StatusCode = cwtypes.StatusCodeInternalError
		}
		for ts, v := range h.data[aws.ToString(m.MetricName)] {
			if !ts.Before(*in.StartTime) && ts.Before(*in.EndTime) {
				res.Timestamps = append(res.Timestamps, ts)
				res.Values = append(res.Values, v)
			}
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
	}
	return out, nil
}

// metricsOf names the metrics a signal reads and the one its threshold is about.
func metricsOf(signal string) (all []string, main string) {
	switch signal {
	case config.SignalNetwork:
		return []string{"NetworkRxBytes", "NetworkTxBytes"}, ""
	case config.SignalRequests:
		return []string{"RequestCount", "ActiveConnectionCount"}, "RequestCount"
	case config.SignalCPU:
		return []string{"CPUUtilization", "NetworkRxBytes", "NetworkTxBytes"}, "CPUUtilization"
	}
	return []string{"Sessions"}, "Sessions"
}

// generate makes a random history at now. designedIdle makes its data
// quiet and complete (the rules may still keep it for other reasons).
func generate(r *rand.Rand, i int, now time.Time, designedIdle bool) *history {
	name := "s" + strconv.Itoa(i)
	signals := []string{config.SignalNetwork, config.SignalRequests, config.SignalCPU, config.SignalCustom, config.SignalCustom}
	p := config.SleepPolicy{Signal: signals[r.IntN(len(signals))], Window: time.Duration(1+r.IntN(30)) * time.Minute, SleepAt: -1, Location: time.UTC}
	if r.IntN(3) > 0 {
		p.Grace = time.Duration(r.IntN(11)) * time.Minute
	}
	switch p.Signal {
	case config.SignalNetwork:
		p.Threshold = []float64{config.DefaultNetworkThreshold, float64(r.IntN(50))}[r.IntN(2)]
	case config.SignalRequests:
		p.Threshold = float64(r.IntN(4))
		p.TargetGroup, p.LoadBalancer, p.CountConnections = "targetgroup/"+name, "app/"+name, r.IntN(4) > 0
	case config.SignalCPU:
		p.Threshold = []float64{config.DefaultCPUThreshold, float64(r.IntN(30))}[r.IntN(2)]
	default:
		p.Threshold = float64(r.IntN(3))
		p.Metric = config.Metric{Namespace: "App", Name: "Sessions", Statistic: "Maximum", Dimensions: map[string]string{"Service": name}, MissingIsIdle: r.IntN(2) == 0}
	}
	if r.IntN(5) == 0 { // a keep-warm window, around now or elsewhere in the day
		from := (now.Hour()*60 + now.Minute() + 1440 - 60 + r.IntN(240)) % 1440
		w := config.Window{From: from, To: (from + 1 + r.IntN(120)) % 1440}
		if w.To == w.From {
			w.To = (w.To + 1) % 1440
		}
		for d := range w.Days {
			w.Days[d] = r.IntN(4) > 0
		}
		p.KeepWarm = append(p.KeepWarm, w)
	}
	h := &history{svc: config.Service{Name: name, Cluster: "c", WakeTimeout: config.DefaultWakeTimeout, Sleep: p}, data: map[string]map[time.Time]float64{}}
	desired := int32(1 + r.IntN(3))
	h.obs = ecsservice.Service{Name: name, Cluster: "c", Status: "ACTIVE", DesiredCount: desired, RunningCount: desired, Deployments: 1}
	if r.IntN(8) == 0 {
		h.obs.Deployments, h.obs.RolloutInProgress = 2, true
	}
	// The wake: a tag some time ago (now and then ahead of the clock, as after a clock step), or only task starts.
	ago := time.Duration(r.IntN(3*3600)) * time.Second
	if r.IntN(20) == 0 {
		ago = -time.Duration(r.IntN(120)) * time.Second
	}
	start := now.Add(-ago)
	if r.IntN(6) > 0 {
		h.obs.WokenAt = &start
	}
	if r.IntN(10) == 0 { // no task running (a failed wake, or a crash)
		h.obs.RunningCount = 0
	} else {
		for range desired {
			s := start.Add(time.Duration(r.IntN(90)) * time.Second)
			h.tasks = append(h.tasks, ecsservice.Task{ID: "t", LastStatus: ecsservice.StatusRunning, StartedAt: &s})
		}
	}
	// Datapoints a minute from an hour ago to two minutes ahead (clock skew).
	metrics, _ := metricsOf(p.Signal)
	present := []float64{1, 1, 0.95, 0.6}[r.IntN(4)]
	spikes := []float64{0, 0, 0.02, 0.3}[r.IntN(4)]
	if designedIdle {
		present, spikes = 1, 0
	}
	n := now.Truncate(time.Minute)
	for _, m := range metrics {
		h.data[m] = map[time.Time]float64{}
		threshold := p.Threshold
		if m == "NetworkRxBytes" || m == "NetworkTxBytes" {
			threshold = min(p.Threshold, config.DefaultNetworkThreshold) / 2
			if p.Signal == config.SignalNetwork {
				threshold = p.Threshold / 2
			}
		}
		for ts := n.Add(-60 * time.Minute); !ts.After(n.Add(2 * time.Minute)); ts = ts.Add(time.Minute) {
			sparse := m == "RequestCount" || m == "ActiveConnectionCount" || (m == "Sessions" && p.Metric.MissingIsIdle)
			if r.Float64() >= present || (sparse && r.IntN(2) == 0) {
				continue
			}
			v := r.Float64() * threshold
			if m == "RequestCount" {
				v = 0
			}
			if m == "ActiveConnectionCount" {
				if designedIdle || r.Float64() >= spikes {
					continue
				}
				v = 1
			}
			if r.Float64() < spikes {
				v = threshold + 1 + r.Float64()*100
			}
			if sparse && v == 0 {
				continue // ALB and sparse metrics publish nothing for zero
			}
			h.data[m][ts] = v
		}
	}
	if !designedIdle && r.IntN(20) == 0 {
		h.readError = true
	}
	return h
}

// oracle says what the rules promise for a history: protected (must not be
// slept) or provably idle (must be slept). Both false: either is allowed.
func oracle(h *history, now time.Time, callFailed bool) (protected, provablyIdle bool, why string) {
	p, obs := h.svc.Sleep, h.obs
	var start time.Time
	if obs.WokenAt != nil {
		start = *obs.WokenAt
	} else {
		for _, t := range h.tasks {
			if t.StartedAt.After(start) {
				start = *t.StartedAt
			}
		}
	}
	failedWake := obs.WokenAt != nil && now.Sub(*obs.WokenAt) > h.svc.WakeTimeout && obs.RunningCount < obs.DesiredCount && len(h.tasks) == 0
	inGrace := !start.IsZero() && p.Grace > 0 && now.Sub(start) < p.Grace
	keepWarm := inKeepWarm(p, now)
	deploying := obs.RolloutInProgress || obs.Deployments > 1
	unreadable := h.readError || callFailed

	// Activity above the threshold in the window (the window ends at most a few minutes back).
	// A minute's activity is inside the window when the minute ends less than
	// the window ago; sparse signals are read from two unpublished minutes further back.
	n := now.Truncate(time.Minute)
	inWindow := func(ts time.Time) bool { return ts.After(now.Add(-p.Window - time.Minute)) }
	from := n.Add(-p.Window - (3+1)*time.Minute)
	_, main := metricsOf(p.Signal)
	active := false
	switch p.Signal {
	case config.SignalNetwork:
		for ts, rx := range h.data["NetworkRxBytes"] {
			if tx, ok := h.data["NetworkTxBytes"][ts]; ok && inWindow(ts) && rx+tx > p.Threshold {
				active = true
			}
		}
	case config.SignalRequests:
		total := 0.0
		for ts, v := range h.data["RequestCount"] {
			if !ts.Before(n.Add(-2*time.Minute - p.Window)) {
				total += v
			}
		}
		for ts := range h.data["ActiveConnectionCount"] {
			if p.CountConnections && !ts.Before(n.Add(-2*time.Minute-p.Window)) {
				active = true
			}
		}
		active = active || total > p.Threshold
	default:
		sparse := p.Metric.MissingIsIdle && p.Signal == config.SignalCustom
		for ts, v := range h.data[main] {
			if (inWindow(ts) || (sparse && !ts.Before(n.Add(-2*time.Minute-p.Window)))) && v > p.Threshold {
				active = true
			}
		}
	}
	switch {
	case failedWake:
		return false, false, "failed wake"
	case inGrace, keepWarm, deploying, unreadable, active:
		return true, false, fmt.Sprintf("grace %v keepWarm %v deploying %v unreadable %v active %v", inGrace, keepWarm, deploying, unreadable, active)
	}
	// Provably idle: started long enough ago, and every minute of any window it could be judged on is there and quiet.
	if start.IsZero() || now.Sub(start) < p.Window+4*time.Minute {
		return false, false, "too soon"
	}
	metrics, _ := metricsOf(p.Signal)
	for _, m := range metrics {
		if m == "RequestCount" || m == "ActiveConnectionCount" || (m == "Sessions" && p.Metric.MissingIsIdle) {
			continue
		}
		if p.Signal == config.SignalCPU && m != main {
			continue // the network beside CPU only keeps
		}
		for ts := n.Add(-p.Window - 3*time.Minute); ts.Before(n); ts = ts.Add(time.Minute) {
			if _, ok := h.data[m][ts]; !ok {
				return false, false, "a minute missing"
			}
		}
	}
	if p.Signal == config.SignalCPU {
		for ts, rx := range h.data["NetworkRxBytes"] {
			if tx, ok := h.data["NetworkTxBytes"][ts]; ok && !ts.Before(from) && rx+tx > config.DefaultNetworkThreshold {
				return false, false, "network beside CPU"
			}
		}
	}
	return false, true, "idle"
}

// TestPropertyNeverSleepsInUseAlwaysSleepsIdle: random histories — wakes,
// datapoints, gaps, spikes, deployments, keep-warm windows, read errors,
// wakes ahead of the clock — never sleep a service that is in grace, in a
// keep-warm window, deploying, unreadable, or had activity above its
// threshold in its window; and always sleep one that is provably idle for a
// whole window. PROPERTY_HISTORIES sets how many (default 20,000; 2,000 with -short).
func TestPropertyNeverSleepsInUseAlwaysSleepsIdle(t *testing.T) {
	total := 20_000
	if testing.Short() {
		total = 2_000
	}
	if n, err := strconv.Atoi(os.Getenv("PROPERTY_HISTORIES")); err == nil && n > 0 {
		total = n
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("PROPERTY_SEED"), 10, 64); err == nil {
		seed = s
	}
	r := rand.New(rand.NewPCG(seed, 1))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const batch = 100
	var protectedN, idleN, sleptN int
	for done := 0; done < total; done += batch {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		ecs := &fakeECS{svcs: map[string]*ecsservice.Service{}, tasks: map[string][]ecsservice.Task{}}
		cw := &cwHistories{byService: map[string]*history{}, failCall: r.IntN(50) == 0}
		var hs []*history
		var services []config.Service
		for i := range batch {
			h := generate(r, i, now, r.IntN(2) == 0)
			hs = append(hs, h)
			services = append(services, h.svc)
			obs := h.obs
			ecs.svcs[h.svc.Name] = &obs
			ecs.tasks[h.svc.Name] = h.tasks
			cw.byService[h.svc.Name] = h
		}
		e := New(ecs, &activity.Reader{CW: cw}, log)
		e.now = func() time.Time { return now }
		rep := e.Evaluate(context.Background(), services, false)
		for i, res := range rep.Services {
			h := hs[i]
			protected, idle, why := oracle(h, now, cw.failCall)
			slept := res.Action == Slept
			if slept {
				sleptN++
			}
			if protected {
				protectedN++
			}
			if idle {
				idleN++
			}
			if (protected && slept) || (idle && !slept) {
				t.Fatalf("seed %d, history %s at %s: %s (%s); the rules promise protected=%v idle=%v (%s)\npolicy %+v\nwoken %v running %d/%d tasks %d\ndata %v",
					seed, h.svc.Name, now.Format(time.RFC3339), res.Action, res.Reason, protected, idle, why, h.svc.Sleep, h.obs.WokenAt, h.obs.RunningCount, h.obs.DesiredCount, len(h.tasks), h.data)
			}
		}
	}
	t.Logf("%d histories (seed %d): %d protected and never slept, %d provably idle and all slept, %d slept in all", total, seed, protectedN, idleN, sleptN)
	if idleN == 0 || protectedN == 0 {
		t.Fatal("the generator made no idle or no protected history: the property tested nothing")
	}
}
