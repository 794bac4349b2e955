// Package autosleep decides, every tick, which services to put to sleep: only
// those really idle, never one in use, in a keep-warm window, just woken or
// being deployed; and a wake that never produced a task goes back to zero.
package autosleep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
)

// Actions in a report.
const (
	Slept   = "slept"
	Kept    = "kept"
	Skipped = "skipped"
)

// failedTasksToGiveUp: with no wake time to measure the wait against (a short
// ARN), this many failed tasks in a row and none running make a failed wake.
const failedTasksToGiveUp = 3

// parallel is how many ECS calls a tick makes at once: enough for 1,000
// services in seconds, few enough to stay clear of ECS's rate limits.
const parallel = 8

// Services is what the evaluator needs from ECS; *ecsservice.Client satisfies it.
type Services interface {
	DescribeBatch(ctx context.Context, cluster string, names []string) (map[string]*ecsservice.Service, error)
	RunningTasks(ctx context.Context, cluster, service string) ([]ecsservice.Task, error)
	Sleep(ctx context.Context, s *ecsservice.Service) error
}

// Activity reads idle signals; *activity.Reader satisfies it.
type Activity interface {
	Read(ctx context.Context, now time.Time, reqs []activity.Request) map[string]activity.Verdict
}

// Result is the decision for one service.
type Result struct {
	Service      string `json:"service"`
	Cluster      string `json:"cluster"`
	Action       string `json:"action"`
	Reason       string `json:"reason"`
	Signal       string `json:"signal,omitempty"`
	DesiredCount int32  `json:"desiredCount"`
	WokenAt      string `json:"wokenAt,omitempty"`
	// Notice is something the operator should fix (a service ECS cannot tag).
	Notice string `json:"notice,omitempty"`
}

// Report is the answer of one tick.
type Report struct {
	EvaluatedAt time.Time      `json:"evaluatedAt"`
	DryRun      bool           `json:"dryRun"`
	Summary     map[string]int `json:"summary"`
	Services    []Result       `json:"services"`
}

// Evaluator runs ticks.
type Evaluator struct {
	services Services
	activity Activity
	log      *slog.Logger
	now      func() time.Time
	// shortWarned: services whose short ARN this process has warned of.
	shortWarned sync.Map
}

// New returns an Evaluator.
func New(s Services, a Activity, log *slog.Logger) *Evaluator {
	return &Evaluator{services: s, activity: a, log: log, now: time.Now}
}

// pending is a service on its way through the rules.
type pending struct {
	svc    config.Service
	obs    *ecsservice.Service
	result Result
	done   bool
	// tasksRead: obs.Tasks was filled (it is empty when no task runs).
	tasksRead bool
}

// Evaluate runs one tick over the services. With dryRun nothing is changed;
// the report says what would have been done.
func (e *Evaluator) Evaluate(ctx context.Context, services []config.Service, dryRun bool) Report {
	now := e.now()
	items := make([]*pending, len(services))
	for i, s := range services {
		items[i] = &pending{svc: s, result: Result{Service: s.Name, Cluster: s.Cluster, Signal: s.Sleep.Signal}}
	}
	e.describe(ctx, items)

	// Rules that need no CloudWatch call.
	var needTasks []*pending
	for _, it := range items {
		if !it.done && e.needsTasks(it, now) {
			needTasks = append(needTasks, it)
		}
	}
	e.forEach(needTasks, func(it *pending) {
		tasks, err := e.services.RunningTasks(ctx, it.svc.Cluster, it.svc.Name)
		if err != nil {
			e.logFor(it.svc).Warn("listing tasks failed", "error", err)
			return
		}
		it.obs.Tasks, it.tasksRead = tasks, true
	})
	var reqs []activity.Request
	for _, it := range items {
		if !it.done {
			e.beforeSignal(it, now)
		}
		if !it.done && it.svc.Sleep.Signal != config.SignalUptime {
			req := activity.Request{Key: it.svc.ID(), Cluster: it.svc.Cluster, Service: it.svc.Name, Policy: it.svc.Sleep}
			if start, ok := started(it.obs); ok {
				req.Since = start
			}
			reqs = append(reqs, req)
		}
	}

	// One pass over CloudWatch for every service still undecided.
	var verdicts map[string]activity.Verdict
	if len(reqs) > 0 {
		verdicts = e.activity.Read(ctx, now, reqs)
	}
	var toSleep []*pending
	for _, it := range items {
		if it.done {
			if it.result.Action == Slept {
				toSleep = append(toSleep, it)
			}
			continue
		}
		if it.svc.Sleep.Signal == config.SignalUptime {
			uptime(it, now)
		} else {
			v, ok := verdicts[it.svc.ID()]
			if !ok {
				v = activity.Verdict{State: activity.Unknown, Reason: "no answer for the idle signal"}
			}
			it.decide(v.State == activity.Idle, "idle: "+v.Reason, map[string]string{activity.Active: "in use: ", activity.Unknown: "unknown, so kept: "}[v.State]+v.Reason)
		}
		if it.result.Action == Slept {
			toSleep = append(toSleep, it)
		}
	}
	if !dryRun {
		e.forEach(toSleep, func(it *pending) { e.sleep(ctx, it) })
	}

	rep := Report{EvaluatedAt: now.UTC(), DryRun: dryRun, Summary: map[string]int{Slept: 0, Kept: 0, Skipped: 0}}
	for _, it := range items {
		rep.Services = append(rep.Services, it.result)
		rep.Summary[it.result.Action]++
		e.logFor(it.svc).Info("evaluated", "action", it.result.Action, "reason", it.result.Reason, "dryRun", dryRun)
	}
	return rep
}

// describe reads every service, DescribeServicesBatch per call, a few calls at once.
func (e *Evaluator) describe(ctx context.Context, items []*pending) {
	type batch struct {
		cluster string
		items   []*pending
	}
	byCluster := map[string][]*pending{}
	var clusters []string
	for _, it := range items {
		if _, seen := byCluster[it.svc.Cluster]; !seen {
			clusters = append(clusters, it.svc.Cluster)
		}
		byCluster[it.svc.Cluster] = append(byCluster[it.svc.Cluster], it)
	}
	var batches []batch
	for _, c := range clusters {
		for chunk := range slices.Chunk(byCluster[c], ecsservice.DescribeServicesBatch) {
			batches = append(batches, batch{c, chunk})
		}
	}
	runParallel(len(batches), func(i int) {
		b := batches[i]
		names := make([]string, len(b.items))
		for j, it := range b.items {
			names[j] = it.svc.Name
		}
		got, err := e.services.DescribeBatch(ctx, b.cluster, names)
		for _, it := range b.items {
			switch {
			case err != nil && errors.Is(err, ecsservice.ErrServiceNotFound):
				it.skip("the cluster does not exist in ECS")
			case err != nil:
				e.logFor(it.svc).Warn("describing the service failed", "error", err)
				it.skip(fmt.Sprintf("could not read the service from ECS (%v); nothing changed", err))
			case got[it.svc.Name] == nil:
				it.skip("the service does not exist in ECS")
			default:
				it.obs = got[it.svc.Name]
				it.result.DesiredCount = it.obs.DesiredCount
				if ecsservice.ShortARN(it.obs.ARN) {
					it.result.Notice = ecsservice.ShortARNAdvice
					if _, seen := e.shortWarned.LoadOrStore(it.svc.ID(), true); !seen {
						e.logFor(it.svc).Warn("the service cannot be tagged: " + ecsservice.ShortARNAdvice)
					}
				}
				if it.obs.WokenAt != nil {
					it.result.WokenAt = it.obs.WokenAt.UTC().Format(time.RFC3339)
				}
				if it.obs.DesiredCount == 0 {
					it.skip("already asleep")
				}
			}
		}
	})
}

// needsTasks: the grace period, the idle window and the failed-wake rule need
// the tasks only when the service has no wake time, or its wake looks stuck.
func (e *Evaluator) needsTasks(it *pending, now time.Time) bool {
	p := it.svc.Sleep
	if inKeepWarm(p, now) {
		return false
	}
	if it.obs.WokenAt == nil {
		// No wake tag (started by its owner, or a tag ECS refused): the tasks' start is the
		// only evidence of how long the service has been up, for the grace period and for
		// the idle window, which must not reach back before the start.
		return true
	}
	return now.Sub(*it.obs.WokenAt) > it.svc.WakeTimeout && it.obs.RunningCount < it.obs.DesiredCount
}

// beforeSignal applies the rules that come before the idle signal.
func (e *Evaluator) beforeSignal(it *pending, now time.Time) {
	p, obs := it.svc.Sleep, it.obs
	local := now.In(p.Location)
	if inKeepWarm(p, now) {
		it.keep("inside a keep-warm window (" + local.Format("Mon 15:04 MST") + ")")
		return
	}
	if start, ok := started(obs); ok && p.Grace > 0 && now.Sub(start) < p.Grace {
		it.keep(fmt.Sprintf("woken %s ago, within the %s grace period", short(now.Sub(start)), short(p.Grace)))
		return
	}
	if obs.WokenAt != nil && now.Sub(*obs.WokenAt) > it.svc.WakeTimeout && it.tasksRead && !anyRunning(obs.Tasks) {
		it.sleepFor(fmt.Sprintf("the wake at %s produced no running task within %s: scaled back to 0 so a broken service does not keep costing", obs.WokenAt.UTC().Format(time.RFC3339), short(it.svc.WakeTimeout)))
		return
	}
	if obs.WokenAt == nil && ecsservice.ShortARN(obs.ARN) && it.tasksRead && !anyRunning(obs.Tasks) && obs.RunningCount < obs.DesiredCount && obs.FailedTasks >= failedTasksToGiveUp {
		// A short ARN carries no wake time: ECS's own count of failed tasks tells the failed wake.
		it.sleepFor(fmt.Sprintf("no task runs and ECS counts %d failed tasks in a row: scaled back to 0 so a broken service does not keep costing", obs.FailedTasks))
		return
	}
	if obs.RolloutInProgress || obs.Deployments > 1 {
		it.keep("a deployment is in progress")
		return
	}
	if p.SleepAt >= 0 {
		y, m, d := local.Date()
		at := time.Date(y, m, d, p.SleepAt/60, p.SleepAt%60, 0, 0, p.Location)
		if !local.Before(at) && (obs.WokenAt == nil || obs.WokenAt.Before(at)) {
			it.sleepFor(fmt.Sprintf("daily sleep time %02d:%02d %s", p.SleepAt/60, p.SleepAt%60, p.Location))
			return
		}
	}
}

// uptime is the reference design's rule: sleep a fixed time after the service started, busy or not.
func uptime(it *pending, now time.Time) {
	window := it.svc.Sleep.Window
	start, ok := started(it.obs)
	if !ok {
		it.keep("uptime signal: the start time is unknown (no wake tag, no task start), so kept")
		return
	}
	up := now.Sub(start)
	it.decide(up >= window,
		fmt.Sprintf("uptime signal (activity is not measured): up %s, at least %s", short(up), short(window)),
		fmt.Sprintf("uptime signal (activity is not measured): up %s, less than %s", short(up), short(window)))
}

func (e *Evaluator) sleep(ctx context.Context, it *pending) {
	if err := e.services.Sleep(ctx, it.obs); err != nil {
		e.logFor(it.svc).Error("putting the service to sleep failed", "error", err)
		it.result.Action = Kept
		it.result.Reason = fmt.Sprintf("was to sleep (%s) but ECS refused: %v", it.result.Reason, err)
		return
	}
	e.logFor(it.svc).Info("service put to sleep", "from", it.obs.DesiredCount, "reason", it.result.Reason)
}

// SleepNow puts one service to sleep whatever its signal says (an operator's order).
func (e *Evaluator) SleepNow(ctx context.Context, svc config.Service) (Result, error) {
	r := Result{Service: svc.Name, Cluster: svc.Cluster, Signal: svc.Sleep.Signal}
	got, err := e.services.DescribeBatch(ctx, svc.Cluster, []string{svc.Name})
	if err != nil {
		return r, err
	}
	obs := got[svc.Name]
	if obs == nil {
		return r, fmt.Errorf("service %s/%s: %w", svc.Cluster, svc.Name, ecsservice.ErrServiceNotFound)
	}
	r.DesiredCount = obs.DesiredCount
	if obs.DesiredCount == 0 {
		r.Action, r.Reason = Skipped, "already asleep"
		return r, nil
	}
	if err := e.services.Sleep(ctx, obs); err != nil {
		return r, err
	}
	r.Action, r.Reason = Slept, "put to sleep on an operator's request"
	e.logFor(svc).Info("service put to sleep on request", "from", obs.DesiredCount)
	return r, nil
}

func (e *Evaluator) logFor(svc config.Service) *slog.Logger {
	return logging.For(e.log, svc.Cluster, svc.Name)
}

func (e *Evaluator) forEach(items []*pending, f func(*pending)) {
	runParallel(len(items), func(i int) { f(items[i]) })
}

func runParallel(n int, f func(i int)) {
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

func (it *pending) skip(reason string) {
	it.result.Action, it.result.Reason, it.done = Skipped, reason, true
}

func (it *pending) keep(reason string) {
	it.result.Action, it.result.Reason, it.done = Kept, reason, true
}

func (it *pending) sleepFor(reason string) {
	it.result.Action, it.result.Reason, it.done = Slept, reason, true
}

func (it *pending) decide(sleep bool, sleepReason, keepReason string) {
	if sleep {
		it.result.Action, it.result.Reason = Slept, sleepReason
	} else {
		it.result.Action, it.result.Reason = Kept, keepReason
	}
	it.done = true
}

func inKeepWarm(p config.SleepPolicy, now time.Time) bool {
	local := now.In(p.Location)
	for _, w := range p.KeepWarm {
		if w.Contains(local) {
			return true
		}
	}
	return false
}

// started is when the service was last woken: its tag, else its youngest task's start.
func started(obs *ecsservice.Service) (time.Time, bool) {
	if obs.WokenAt != nil {
		return *obs.WokenAt, true
	}
	var youngest time.Time
	for _, t := range obs.Tasks {
		if t.StartedAt != nil && t.StartedAt.After(youngest) {
			youngest = *t.StartedAt
		}
	}
	return youngest, !youngest.IsZero()
}

func anyRunning(tasks []ecsservice.Task) bool {
	return slices.ContainsFunc(tasks, func(t ecsservice.Task) bool { return t.LastStatus == "RUNNING" })
}

func short(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Minute {
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return d.String()
}
