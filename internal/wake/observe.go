package wake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/tokenbucket"
)

// freshness is how long the entry's view is trusted; c.mu is held.
func (c *Controller) freshness(svc config.Service, e *entry) time.Duration {
	switch {
	case e.err != nil || e.obs == nil:
		return c.opts.ObserveEvery
	case !e.readyAt.IsZero() && !e.readyAt.Before(e.at):
		// Ready: read as often as any other state, so a service put to sleep is
		// seen at once, not when its app stops answering (it may drain for a while).
		return c.opts.ObserveEvery
	case len(candidatesFor(svc, e.obs)) > 0:
		return addressFresh
	case decide(svc, e.obs, nil, c.now()).State == Failed:
		return failedFresh
	}
	return c.opts.ObserveEvery
}

// observe returns the entry's view, reading ECS when it is older than maxAge
// (0: the entry's own freshness) and the read budget allows. Concurrent
// callers share one read. Over the budget, the last view is returned as it is.
func (c *Controller) observe(ctx context.Context, svc config.Service, e *entry, maxAge time.Duration) view {
	return c.observeWithin(ctx, svc, e, maxAge, c.reads)
}

// observeWithin is observe on the given read budget.
func (c *Controller) observeWithin(ctx context.Context, svc config.Service, e *entry, maxAge time.Duration, budget *tokenbucket.Bucket) view {
	c.mu.Lock()
	if maxAge <= 0 {
		maxAge = c.freshness(svc, e)
	}
	now := c.now()
	if e.inflight == nil && !e.at.IsZero() && now.Sub(e.at) < maxAge {
		v := view{e.at, e.obs, e.err}
		c.mu.Unlock()
		return v
	}
	if wait := e.inflight; wait != nil {
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return view{e.at, e.obs, e.err}
	}
	if !budget.Allow(now) {
		v := view{e.at, e.obs, e.err}
		c.mu.Unlock()
		c.logFor(svc).Debug("over this environment's ECS read budget: answering from what is known", "knownFor", now.Sub(v.at).String())
		return v
	}
	plans := c.alongWith(c.planFor(svc, e, now), now)
	c.mu.Unlock()
	return c.read(ctx, svc.Cluster, plans)
}

// alongWith adds to a service's plan the other services of its cluster that
// this environment was asked about lately and that are due, when they cost no
// call of their own; c.mu is held.
func (c *Controller) alongWith(first *plan, now time.Time) []*plan {
	plans := []*plan{first}
	for _, o := range c.entries {
		if len(plans) == ecsservice.DescribeServicesBatch {
			break
		}
		if o == first.e || o.svc.Cluster != first.svc.Cluster || o.inflight != nil || now.Sub(o.asked) > askedWithin ||
			o.obs == nil || now.Sub(o.at) < c.freshness(o.svc, o) {
			continue
		}
		if p := c.planFor(o.svc, o, now); p.cheap() {
			p.along = true
			plans = append(plans, p)
		} else {
			p.cancel()
		}
	}
	return plans
}

// read makes the plans' one shared read of the cluster, applies what it found,
// and returns the first plan's view as the read left it.
func (c *Controller) read(ctx context.Context, cluster string, plans []*plan) view {
	wants := make([]ecsservice.Want, len(plans))
	for i, p := range plans {
		wants[i] = ecsservice.Want{Name: p.svc.Name, Need: p.need()}
	}
	// Shared work must not die with the one request that started it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	readings, err := c.services.ObserveMany(rctx, cluster, wants)
	cancel()

	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range plans {
		r, ok := readings[p.svc.Name]
		switch {
		case err != nil:
			r = ecsservice.Reading{Err: err}
		case !ok:
			r = ecsservice.Reading{Err: fmt.Errorf("observe %s: no reading", p.svc.ID())}
		}
		c.apply(p, r)
	}
	e := plans[0].e
	return view{e.at, e.obs, e.err}
}

// plan is one service's part in a read.
type plan struct {
	svc   config.Service
	e     *entry
	gen   int
	done  chan struct{}
	light bool // only DescribeServices: the app answered since the last read
	known *ecsservice.Service
	ids   []string // tasks to describe without listing
	// stopped: ask for stopped tasks (none was running at the last read).
	stopped bool
	// along: read with another service's; it must cost no call of its own.
	along bool
}

// planFor decides what to read of a service and marks it in flight; c.mu is held.
func (c *Controller) planFor(svc config.Service, e *entry, now time.Time) *plan {
	p := &plan{svc: svc, e: e, gen: e.gen, done: make(chan struct{})}
	e.inflight = p.done
	p.stopped = e.obs == nil || !slices.ContainsFunc(e.obs.Tasks, func(t ecsservice.Task) bool { return t.LastStatus == ecsservice.StatusRunning })
	p.light = e.obs != nil && e.obs.DesiredCount > 0 && !e.readyAt.IsZero() && !e.readyAt.Before(e.at) && now.Sub(e.fullAt) < fullEvery
	if p.light {
		p.known = e.obs
	} else if e.obs != nil && e.obs.DesiredCount > 0 && now.Sub(e.fullAt) < fullEvery {
		// Tasks listed lately: describe them, no listing, while ECS wants as many.
		for _, t := range e.obs.Tasks {
			p.ids = append(p.ids, t.ID)
		}
	}
	return p
}

func (p *plan) need() ecsservice.Need {
	if p.along && p.asleep() {
		// Only whether it still sleeps; woken meanwhile, its own request reads its tasks.
		return ecsservice.Need{}
	}
	return ecsservice.Need{Tasks: !p.light, PublicIPs: p.svc.Address == config.AddressPublic, Stopped: p.stopped, Known: p.ids}
}

// asleep reports whether the plan's service was asleep at the last read.
func (p *plan) asleep() bool { return p.e.obs != nil && p.e.obs.DesiredCount == 0 }

// cheap reports whether the plan costs no call of its own in a shared read:
// asleep, light, or its tasks described with the others'.
func (p *plan) cheap() bool {
	return p.light || len(p.ids) > 0 || p.asleep()
}

// cancel takes back a plan that will not be read; c.mu is held.
func (p *plan) cancel() {
	p.e.inflight = nil
	close(p.done)
}

// apply stores what a read found; c.mu is held.
func (c *Controller) apply(p *plan, r ecsservice.Reading) {
	e := p.e
	e.inflight = nil
	close(p.done)
	if e.gen != p.gen {
		// The controller changed the service meanwhile (a scale-up): this read may predate it.
		return
	}
	obs, err := r.Service, r.Err
	if err == nil && p.along && p.asleep() && obs.DesiredCount > 0 {
		// Woken meanwhile: this read did not list its tasks, so it tells too little; read it whole when asked.
		return
	}
	if err == nil && p.light && obs.DesiredCount > 0 {
		obs.Tasks, obs.Stopped = p.known.Tasks, p.known.Stopped
	}
	e.at, e.err = c.now(), err
	if err == nil {
		e.obs = obs
		if !p.light && len(p.ids) == 0 {
			e.fullAt = e.at
		}
	} else if !errors.Is(err, ecsservice.ErrServiceNotFound) {
		c.logFor(p.svc).Warn("reading the service failed; visitors see the wait page", "error", err, "transient", ecsservice.IsTransient(err))
	}
}
