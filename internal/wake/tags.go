package wake

import (
	"context"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// Tag writes per environment: the ECS tag-modify bucket (20, refilled 10 a
// second for the whole account: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html)
// is shared with the owner's deploys; Wake writes at most 2 tags per wake, and
// an environment at most one a second beyond a burst of 3.
const (
	tagBurst = 3
	tagRate  = 1.0
)

// flushTags writes the start of one wake this environment began and has not
// recorded yet — the asked service's first — when the tag budget allows. A
// scale-up leaves it to the next request, so the first visitor's answer waits
// for one write (UpdateService), not two.
func (c *Controller) flushTags(ctx context.Context, first *entry) {
	c.mu.Lock()
	e := first
	if !owes(e) {
		e = nil
		for _, o := range c.entries {
			if owes(o) {
				e = o
				break
			}
		}
	}
	if e == nil {
		c.mu.Unlock()
		return
	}
	if !c.tags.Allow(c.now()) {
		c.mu.Unlock()
		c.logFor(e.svc).Debug("wake time not written yet: over this environment's tag budget")
		return
	}
	e.tagPending = false
	if w := e.obs.WokenAt; w != nil && !w.Equal(e.wokeAt) && w.Sub(e.wokeAt).Abs() < sameWake {
		// Another environment woke it in the same moment and wrote its start: that one records the wake.
		e.wokeAt = time.Time{}
		c.mu.Unlock()
		return
	}
	obs, at, svc := e.obs, e.wokeAt, e.svc
	c.mu.Unlock()
	if ecsservice.ShortARN(obs.ARN) {
		c.warnShortARN(svc)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	defer cancel()
	if err := c.services.MarkWoken(ctx, obs, at); err != nil {
		// The wake goes on; its start is then read from the tasks ECS reports.
		c.logFor(svc).Warn("recording the wake time failed", "error", err)
		if ecsservice.IsTransient(err) {
			c.mu.Lock()
			e.tagPending = true
			c.mu.Unlock()
		}
	}
}

// owes reports whether this environment still has to write the entry's wake start; c.mu is held.
func owes(e *entry) bool {
	return e.tagPending && e.obs != nil && e.obs.DesiredCount > 0
}

// warnShortARN says once per environment that a service cannot be tagged.
func (c *Controller) warnShortARN(svc config.Service) {
	if _, seen := c.shortWarned.LoadOrStore(svc.ID(), true); !seen {
		c.logFor(svc).Warn("the service cannot be tagged: " + ecsservice.ShortARNAdvice)
	}
}

// readyFrom notes that the service answered, and records the wake's duration
// when this environment started the wake — after the ready state is shared.
func (c *Controller) readyFrom(ctx context.Context, svc config.Service, e *entry, obs *ecsservice.Service) {
	c.mu.Lock()
	e.readyAt = c.now()
	// The environment whose start the tag carries records; another that raced it in the same moment does not.
	record := !e.wokeAt.IsZero() && !e.recorded && e.obs != nil && (e.obs.WokenAt == nil || e.obs.WokenAt.Equal(e.wokeAt))
	var took time.Duration
	if record {
		e.recorded = true
		took = c.now().Sub(e.wokeAt)
	}
	c.mu.Unlock()
	if !record {
		return
	}
	c.countWakeSeconds(ctx, svc, took)
	if ecsservice.ShortARN(obs.ARN) {
		c.warnShortARN(svc)
		c.logFor(svc).Info("service ready", "wakeSeconds", int(took.Seconds()), "recorded", false)
		return
	}
	if !c.tags.Allow(c.now()) {
		c.logFor(svc).Info("service ready", "wakeSeconds", int(took.Seconds()), "recorded", false)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	defer cancel()
	if err := c.services.RecordWake(ctx, obs, took); err != nil {
		c.logFor(svc).Warn("recording the wake's duration failed", "error", err)
		return
	}
	c.logFor(svc).Info("service ready", "wakeSeconds", int(took.Seconds()))
}
