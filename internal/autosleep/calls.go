package autosleep

// The calls a tick makes: ECS and CloudWatch reads, a few at once, and the
// scale-downs it decided.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// parallel is how many ECS calls a tick makes at once: enough for 1,000
// services in seconds, few enough to stay clear of ECS's rate limits (a
// bucket of 100 and 20 a second for DescribeServices, ListTasks and
// DescribeTasks, per account and Region).
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
const parallel = 8

// forEach runs f for each item, parallel at once. An item's failure is
// recorded on the item and never stops the others, so f returns no error.
func forEach[T any](items []T, f func(T)) {
	var g errgroup.Group
	g.SetLimit(parallel)
	for _, it := range items {
		g.Go(func() error {
			f(it)
			return nil
		})
	}
	_ = g.Wait() // f returns no error
}

// describe reads every service, ecsservice.DescribeServicesBatch a call; a
// service that cannot be read is skipped with the reason.
func (e *Evaluator) describe(ctx context.Context, all []*service) {
	byCluster := map[string][]*service{}
	var clusters []string
	for _, s := range all {
		if _, seen := byCluster[s.cfg.Cluster]; !seen {
			clusters = append(clusters, s.cfg.Cluster)
		}
		byCluster[s.cfg.Cluster] = append(byCluster[s.cfg.Cluster], s)
	}
	var batches [][]*service
	for _, c := range clusters {
		batches = slices.AppendSeq(batches, slices.Chunk(byCluster[c], ecsservice.DescribeServicesBatch))
	}
	forEach(batches, func(batch []*service) {
		cluster := batch[0].cfg.Cluster
		names := make([]string, len(batch))
		for i, s := range batch {
			names[i] = s.cfg.Name
		}
		got, err := e.services.DescribeBatch(ctx, cluster, names)
		for _, s := range batch {
			e.described(s, got[s.cfg.Name], err)
		}
	})
}

// described records what DescribeServices said of one service.
func (e *Evaluator) described(s *service, obs *ecsservice.Service, err error) {
	switch {
	case errors.Is(err, ecsservice.ErrServiceNotFound):
		s.skip("the cluster does not exist in ECS")
		return
	case err != nil:
		e.logFor(s.cfg).Warn("describing the service failed", "error", err)
		s.skip(fmt.Sprintf("could not read the service from ECS (%v); nothing changed", err))
		return
	case obs == nil:
		s.skip("the service does not exist in ECS")
		return
	}
	s.obs = obs
	s.result.DesiredCount = obs.DesiredCount
	if ecsservice.ShortARN(obs.ARN) {
		s.result.Notice = ecsservice.ShortARNAdvice
		if _, seen := e.shortWarned.LoadOrStore(s.cfg.ID(), true); !seen {
			e.logFor(s.cfg).Warn("the service cannot be tagged: " + ecsservice.ShortARNAdvice)
		}
	}
	if obs.WokenAt != nil {
		s.result.WokenAt = obs.WokenAt.UTC().Format(time.RFC3339)
	}
}

// listTasks reads the running tasks of the services the rules need them for.
// A failed listing leaves tasksRead false: the rules that need the tasks to
// act then do not apply.
func (e *Evaluator) listTasks(ctx context.Context, waiting []*service) {
	forEach(waiting, func(s *service) {
		s.tasksAsked = true
		tasks, err := e.services.RunningTasks(ctx, s.cfg.Cluster, s.cfg.Name)
		if err != nil {
			e.logFor(s.cfg).Warn("listing tasks failed", "error", err)
			return
		}
		s.obs.Tasks, s.tasksRead = tasks, true
	})
}

// readSignal reads the idle signal of every waiting service in one pass; a
// service the reader gave no verdict is unknown, so kept.
func (e *Evaluator) readSignal(ctx context.Context, waiting []*service, now time.Time) {
	reqs := make([]activity.Request, len(waiting))
	for i, s := range waiting {
		reqs[i] = activity.Request{Key: s.cfg.ID(), Cluster: s.cfg.Cluster, Service: s.cfg.Name, Policy: s.cfg.Sleep}
		if start, ok := started(s.obs); ok {
			reqs[i].Since = start
		}
	}
	verdicts := e.activity.Read(ctx, now, reqs)
	for _, s := range waiting {
		v, ok := verdicts[s.cfg.ID()]
		if !ok {
			v = activity.Verdict{State: activity.Unknown, Reason: "no answer for the idle signal"}
		}
		s.verdict = &v
	}
}

// sleepAll puts to sleep the services the rules decided to; one ECS refuses
// is kept, and the report says why.
func (e *Evaluator) sleepAll(ctx context.Context, all []*service) {
	var toSleep []*service
	for _, s := range all {
		if s.result.Action == Slept {
			toSleep = append(toSleep, s)
		}
	}
	forEach(toSleep, func(s *service) {
		if err := e.services.Sleep(ctx, s.obs); err != nil {
			e.logFor(s.cfg).Error("putting the service to sleep failed", "error", err)
			s.result.Action = Kept
			s.result.Reason = fmt.Sprintf("was to sleep (%s) but ECS refused: %v", s.result.Reason, err)
			return
		}
		e.logFor(s.cfg).Info("service put to sleep", "from", s.obs.DesiredCount, "reason", s.result.Reason)
	})
}
