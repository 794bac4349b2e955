package wake

import (
	"context"
	"fmt"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
)

// Reads a scale-up is decided on have their own budget per environment, so
// visitors' polls never starve a wake; a woken service needs none again, so
// only wakes of sleeping services (or failing scale-ups) spend it.
const (
	wakeReadBurst = 3
	wakeReadRate  = 0.5
)

// Wake scales the service up when it is below its wake count and returns its
// state. Many concurrent calls in one environment make one scale-up; across
// environments the scale-up sets an absolute count, so it ends at the wake
// count whichever environments race.
func (c *Controller) Wake(ctx context.Context, svc config.Service) Status {
	e := c.entryFor(svc)
	st, v := c.status(ctx, svc, e)
	if st.State == Ready || st.State == Failed || (v.obs != nil && v.err == nil && v.obs.DesiredCount >= wakeCount(svc, v.obs)) {
		return st
	}
	// Asleep, or not known just now. Decide on a recent view (another
	// environment may have woken it), read on the wake budget: polls do not
	// starve a visitor's wake, and a service woken needs no such read again.
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	v = c.observeWithin(ctx, svc, e, decisionAge, c.wakes)
	if v.obs == nil || v.err != nil || c.now().Sub(v.at) > decisionAge {
		return c.answer(ctx, svc, e, v)
	}
	if v.obs.DesiredCount >= wakeCount(svc, v.obs) {
		return c.answer(ctx, svc, e, v)
	}
	if st, ok := c.databasesReady(ctx, svc, e, v.obs); !ok {
		return st
	}
	return c.scaleUp(ctx, svc, e, v.obs, false)
}

// Retry starts the wake clock again (and scales up if needed) after a failed wake.
func (c *Controller) Retry(ctx context.Context, svc config.Service) Status {
	e := c.entryFor(svc)
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	v := c.observeWithin(ctx, svc, e, decisionAge, c.wakes)
	if v.obs == nil || v.err != nil {
		return c.answer(ctx, svc, e, v)
	}
	if st := c.answer(ctx, svc, e, v); st.State == Ready {
		return st
	}
	if st, ok := c.databasesReady(ctx, svc, e, v.obs); !ok {
		return st
	}
	return c.scaleUp(ctx, svc, e, v.obs, true)
}

func wakeCount(svc config.Service, obs *ecsservice.Service) int32 {
	// Restore what the service ran with before it was put to sleep, if that was more.
	return max(svc.WakeCount, obs.SleptFrom)
}

// scaleUp raises the desired count to the wake count (never lowers it) and
// starts the wake clock; restart starts it even when the count is already there.
func (c *Controller) scaleUp(ctx context.Context, svc config.Service, e *entry, obs *ecsservice.Service, restart bool) Status {
	target := max(obs.DesiredCount, wakeCount(svc, obs))
	if target == obs.DesiredCount && !restart {
		return c.answer(ctx, svc, e, view{c.now(), obs, nil})
	}
	if target != obs.DesiredCount {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
		err := c.services.SetDesired(sctx, svc.Cluster, svc.Name, target)
		cancel()
		if err != nil {
			// The next visit or page refresh tries again; the visitor waits meanwhile.
			c.logFor(svc).Error("scale-up failed", "error", err)
			c.forget(svc)
			return c.paced(checking(svc), nil)
		}
		c.logFor(svc).Info("waking service", "from", obs.DesiredCount, "to", target)
		c.countWakeStarted(ctx, svc)
	}
	now := c.now().UTC().Truncate(time.Millisecond)
	start, tagged := &now, false
	if kept := c.keepDatabaseWakeStart(ctx, svc, obs); kept != nil {
		start, tagged = kept, true
	}
	woken := *obs
	woken.DesiredCount, woken.WokenAt, woken.Stopped = target, start, nil
	c.mu.Lock()
	e.gen++
	e.at, e.obs, e.err, e.readyAt = c.now(), &woken, nil, time.Time{}
	e.wokeAt, e.tagPending, e.recorded = *start, !tagged, false
	c.mu.Unlock()
	return c.answer(ctx, svc, e, view{c.now(), &woken, nil})
}

// Sleep scales the service to 0 now, remembering its count for the next wake.
func (c *Controller) Sleep(ctx context.Context, svc config.Service) (Status, error) {
	e := c.entryFor(svc)
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*awsBudget)
	defer cancel()
	readings, err := c.services.ObserveMany(ctx, svc.Cluster, []ecsservice.Want{{Name: svc.Name}})
	if err == nil {
		err = readings[svc.Name].Err
	}
	if err != nil {
		return c.errorStatus(svc, err), err
	}
	obs := readings[svc.Name].Service
	if obs == nil {
		return checking(svc), fmt.Errorf("sleep %s: no reading", svc.ID())
	}
	if err := c.services.Sleep(ctx, obs); err != nil {
		return checking(svc), err
	}
	c.logFor(svc).Info("service put to sleep", "from", obs.DesiredCount)
	c.opts.Metrics.Emit(ctx, metrics.Slept(svc.Cluster, svc.Name, metrics.RuleOperator))
	c.forget(svc)
	return describe(Status{Service: svc.Name, State: Asleep}), nil
}
