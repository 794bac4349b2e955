// Package autosleep decides, every tick, which services to put to sleep: only
// those really idle, never one in use, in a keep-warm window, just woken or
// being deployed; and a wake that never produced a task goes back to zero.
package autosleep

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
)

// Actions in a report.
const (
	Slept   = "slept"
	Kept    = "kept"
	Skipped = "skipped"
)

// Services is what the evaluator needs from ECS.
type Services interface {
	DescribeBatch(ctx context.Context, cluster string, names []string) (map[string]*ecsservice.Service, error)
	RunningTasks(ctx context.Context, cluster, service string) ([]ecsservice.Task, error)
	Sleep(ctx context.Context, s *ecsservice.Service) error
}

var _ Services = (*ecsservice.Client)(nil)

// Activity reads idle signals.
type Activity interface {
	Read(ctx context.Context, now time.Time, reqs []activity.Request) map[string]activity.Verdict
}

var _ Activity = (*activity.Reader)(nil)

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
	// Databases are the service's databases, and what this tick did with each.
	Databases []DatabaseResult `json:"databases,omitempty"`
}

// Report is the answer of one tick.
type Report struct {
	EvaluatedAt time.Time      `json:"evaluatedAt"`
	DryRun      bool           `json:"dryRun"`
	Summary     map[string]int `json:"summary"`
	Services    []Result       `json:"services"`
	// Databases are the databases the services depend on, each once.
	Databases []DatabaseResult `json:"databases,omitempty"`
}

// Evaluator runs ticks.
type Evaluator struct {
	services Services
	activity Activity
	log      *slog.Logger
	now      func() time.Time
	// shortWarned: services whose short ARN this process has warned of.
	shortWarned sync.Map
	metrics     *metrics.Emitter
	// Databases stops the databases of services that sleep; nil when none depends on one.
	Databases Databases
}

// New returns an Evaluator.
func New(s Services, a Activity, log *slog.Logger) *Evaluator {
	return &Evaluator{services: s, activity: a, log: log, now: time.Now}
}

// service is one configured service on its way down the rules.
type service struct {
	cfg    config.Service
	obs    *ecsservice.Service
	result Result
	done   bool
	rule   string // the rule that decided
	next   int    // the first rule not yet tried
	// tasksAsked: its tasks were listed, or the listing failed; tasksRead:
	// it succeeded and obs.Tasks holds them (empty when none runs).
	tasksAsked, tasksRead bool
	// verdict is the idle signal, once read.
	verdict *activity.Verdict
}

// need is what a service waits for before the rules can go on.
type need int

const (
	needNothing need = iota // decided
	needTasks
	needSignal
)

// advance tries the rules from where the service stopped until one decides,
// or one needs what has not been read yet.
func (s *service) advance(now time.Time) need {
	for !s.done && s.next < len(rules) {
		r := rules[s.next]
		if r.tasks != nil && !s.tasksAsked && r.tasks(s, now) {
			return needTasks
		}
		if r.signal && s.verdict == nil {
			return needSignal
		}
		s.next++
		if d, ok := r.decide(s, now); ok {
			s.result.Action, s.result.Reason, s.rule, s.done = d.action, d.reason, r.name, true
		}
	}
	return needNothing
}

// skip ends a service's evaluation before the rules: it could not be read.
func (s *service) skip(reason string) {
	s.result.Action, s.result.Reason, s.done = Skipped, reason, true
}

// Evaluate runs one tick over the services: describe them, decide by the
// rules (reading what the rules reached need), then act. With dryRun nothing
// is changed; the report says what would have been done.
func (e *Evaluator) Evaluate(ctx context.Context, services []config.Service, dryRun bool) Report {
	now := e.now()
	all := make([]*service, len(services))
	for i, c := range services {
		all[i] = &service{cfg: c, result: Result{Service: c.Name, Cluster: c.Cluster, Signal: c.Sleep.Signal}}
	}
	e.describe(ctx, all)
	e.decide(ctx, all, now)
	if !dryRun {
		e.sleepAll(ctx, all)
	}
	dbs := e.databasesAfter(ctx, all, dryRun, now)
	rep := Report{EvaluatedAt: now.UTC(), DryRun: dryRun, Summary: map[string]int{Slept: 0, Kept: 0, Skipped: 0}, Databases: dbs}
	for _, s := range all {
		rep.Services = append(rep.Services, s.result)
		rep.Summary[s.result.Action]++
		e.logFor(s.cfg).Info("evaluated", "action", s.result.Action, "reason", s.result.Reason, "rule", s.rule, "dryRun", dryRun)
	}
	e.emitTick(ctx, all, dryRun, e.now().Sub(now))
	return rep
}

// decide runs every service down the rules. Where services stop for their
// tasks, those are listed and the rules go on; the idle signal is read once
// no service waits for its tasks, in one pass for every service that reached it.
func (e *Evaluator) decide(ctx context.Context, all []*service, now time.Time) {
	for {
		var forTasks, forSignal []*service
		for _, s := range all {
			switch s.advance(now) {
			case needTasks:
				forTasks = append(forTasks, s)
			case needSignal:
				forSignal = append(forSignal, s)
			}
		}
		switch {
		case len(forTasks) > 0:
			e.listTasks(ctx, forTasks)
		case len(forSignal) > 0:
			e.readSignal(ctx, forSignal, now)
		default:
			return
		}
	}
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
	e.metrics.Emit(ctx, metrics.Slept(svc.Cluster, svc.Name, metrics.RuleOperator))
	return r, nil
}

func (e *Evaluator) logFor(svc config.Service) *slog.Logger {
	return logging.For(e.log, svc.Cluster, svc.Name)
}
