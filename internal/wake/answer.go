package wake

import (
	"context"
	"errors"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// Status reports the service's state without changing anything.
func (c *Controller) Status(ctx context.Context, svc config.Service) Status {
	st, _ := c.status(ctx, svc, c.entryFor(svc))
	return st
}

// Poll answers a status poll that may carry a token from an earlier answer:
// a valid token for this service means the task's address is known, and the
// answer only asks the app. Anything else reads as Status does; when nothing
// can be read just now, an authentic token, even expired, is still the best
// knowledge of the wake.
func (c *Controller) Poll(ctx context.Context, svc config.Service, token string) Status {
	e := c.entryFor(svc)
	claims, fresh := c.claimsOf(svc, e, token)
	if claims != nil && fresh {
		if st, ok := c.byClaims(ctx, svc, e, *claims, token, false); ok {
			return st
		}
	}
	st, _ := c.status(ctx, svc, e)
	if claims != nil && st.Stage == StageChecking {
		if byToken, ok := c.byClaims(ctx, svc, e, *claims, token, true); ok {
			return byToken
		}
	}
	return st
}

func (c *Controller) status(ctx context.Context, svc config.Service, e *entry) (Status, view) {
	v := c.observe(ctx, svc, e, 0)
	c.flushTags(ctx, e)
	return c.answer(ctx, svc, e, v), v
}

// answer decides the state from a view, asking the app where a task has its address.
func (c *Controller) answer(ctx context.Context, svc config.Service, e *entry, v view) Status {
	switch {
	case v.err != nil && (v.obs == nil || errors.Is(v.err, ecsservice.ErrServiceNotFound)):
		return c.errorStatus(svc, v.err)
	case v.obs == nil:
		// Over the read budget with nothing read yet: not an AWS error, so no back-off.
		st := checking(svc)
		st.Next = &Next{AfterMs: jittered(paceBusy)}
		return st
	case v.err != nil:
		// The last read failed; the one before it still tells the state.
		c.logFor(svc).Debug("answering from an earlier read", "error", v.err)
	}
	now := c.now()
	base := decide(svc, v.obs, nil, now)
	if base.State == Asleep && c.databases != nil && databaseWake(svc, v.obs, now) {
		return c.databaseStatus(ctx, svc, v.obs)
	}
	if base.State != Waking {
		if base.State == Failed {
			c.countFailed(ctx, svc, e, v.obs, now)
		}
		return c.paced(base, nil)
	}
	targets := candidatesFor(svc, v.obs)
	for i, t := range targets {
		if i == maxCandidates {
			break
		}
		if _, ok := c.answers(ctx, t.probe); ok {
			st := decide(svc, v.obs, t.base, now)
			c.readyFrom(ctx, svc, e, v.obs)
			return st
		}
	}
	if len(targets) == 0 || c.signer == nil {
		return c.paced(base, nil)
	}
	return c.paced(base, c.mint(svc, v.obs, targets[0], base, now))
}

func (c *Controller) errorStatus(svc config.Service, err error) Status {
	if errors.Is(err, ecsservice.ErrServiceNotFound) {
		c.logFor(svc).Error("service not found", "error", err)
		return describe(Status{Service: svc.Name, State: Failed, Message: "This service is not available."})
	}
	return c.paced(checking(svc), nil)
}

func checking(svc config.Service) Status {
	return describe(Status{Service: svc.Name, State: Waking, Stage: StageChecking})
}
