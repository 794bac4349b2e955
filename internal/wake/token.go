package wake

import (
	"context"
	"errors"
	"net"
	"slices"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waketoken"
)

// waketokenClaims are what a token says of a task whose address is known.
func waketokenClaims(svc config.Service, t target, st Status, now time.Time) waketoken.Claims {
	c := waketoken.Claims{
		Service: svc.ID(), Task: t.task, Stage: st.Stage,
		Scheme: t.probe.Scheme, Host: t.probe.Host, Port: t.probe.Port,
		Issued: now.UnixMilli(), Expires: now.Add(tokenLife).UnixMilli(),
	}
	if svc.Address == config.AddressURL {
		c.URL = t.base.String()
	}
	return c
}

// targetOfClaims is where a token's task answers. The host is the one ECS or
// EC2 reported when the token was signed; the scheme, port and fixed URL come
// from the configuration, so a token can name no other place.
func targetOfClaims(svc config.Service, c waketoken.Claims) (target, bool) {
	task := ecsservice.Task{ID: c.Task}
	if svc.Address != config.AddressURL {
		if net.ParseIP(c.Host) == nil {
			return target{}, false
		}
		task.PublicIP, task.PrivateIP = c.Host, c.Host
	}
	pt, u, ok := targetOf(svc, task)
	if !ok {
		return target{}, false
	}
	return target{task: c.Task, stage: c.Stage, probe: pt, base: u}, true
}

// claimsOf returns the claims of an authentic token for the service that this
// environment's own reads do not contradict, and whether it has not expired.
func (c *Controller) claimsOf(svc config.Service, e *entry, token string) (*waketoken.Claims, bool) {
	if c.signer == nil || token == "" {
		return nil, false
	}
	claims, err := c.signer.Verify(token, c.now())
	if (err != nil && !errors.Is(err, waketoken.ErrExpired)) || claims.Service != svc.ID() {
		c.logFor(svc).Debug("status token not used", "error", err)
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// This environment read ECS after the token was issued and that task is no longer a candidate: trust the read.
	if e.obs != nil && e.at.UnixMilli() > claims.Issued && !slices.ContainsFunc(candidates(e.obs), func(t ecsservice.Task) bool { return t.ID == claims.Task }) {
		return nil, false
	}
	return &claims, err == nil
}

// byClaims answers from a token's claims: ready when the app answers, else
// waiting on the same token. It declines (false) when the host has not been
// heard at all for addressFresh — the task may be gone — unless lastResort.
func (c *Controller) byClaims(ctx context.Context, svc config.Service, e *entry, claims waketoken.Claims, token string, lastResort bool) (Status, bool) {
	t, ok := targetOfClaims(svc, claims)
	if !ok {
		return Status{}, false
	}
	now := c.now()
	st := Status{Service: svc.Name}
	if claims.WokenAt > 0 {
		st.ElapsedSeconds = max(0, int(now.Unix()-claims.WokenAt))
	}
	heard, ok := c.answers(ctx, t.probe)
	if ok {
		r := ReadyAt(svc.Name, t.base)
		r.ElapsedSeconds = st.ElapsedSeconds
		c.mu.Lock()
		obs := e.obs
		c.mu.Unlock()
		if obs != nil {
			c.readyFrom(ctx, svc, e, obs)
		}
		return r, true
	}
	if !heard && !lastResort && now.Sub(time.UnixMilli(claims.Issued)) >= addressFresh {
		return Status{}, false
	}
	st.State, st.Stage = Waking, claims.Stage
	if claims.Typical > 0 {
		st.EstimatedSeconds = estimate([]int{claims.Typical}, st.ElapsedSeconds)
	}
	return c.paced(describe(st), &token), true
}

// mint signs a token for a waiting client: the task's address and the wake's start.
func (c *Controller) mint(svc config.Service, obs *ecsservice.Service, t target, st Status, now time.Time) *string {
	claims := waketokenClaims(svc, t, st, now)
	if start := wakeStart(svc, obs, now); start != nil {
		claims.WokenAt = start.Unix()
	}
	if len(obs.WakeSeconds) > 0 {
		sorted := slices.Clone(obs.WakeSeconds)
		slices.Sort(sorted)
		claims.Typical = sorted[len(sorted)/2]
	}
	tok := c.signer.Sign(claims)
	return &tok
}
