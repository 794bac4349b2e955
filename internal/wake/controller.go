package wake

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
)

// Services is what the controller needs from ECS; *ecsservice.Client satisfies it.
type Services interface {
	Observe(ctx context.Context, cluster, service string, need ecsservice.Need) (*ecsservice.Service, error)
	SetDesired(ctx context.Context, cluster, service string, count int32) error
	MarkWoken(ctx context.Context, serviceARN string, at time.Time) error
	RecordWake(ctx context.Context, s *ecsservice.Service, took time.Duration) error
	Sleep(ctx context.Context, s *ecsservice.Service) error
}

// Prober tells whether a target answers; *probe.Prober satisfies it.
type Prober interface {
	Probe(ctx context.Context, t probe.Target) error
}

// awsBudget bounds the ECS and EC2 work behind one answer, so a visitor gets
// the wait page quickly even when AWS is slow or throttling.
const awsBudget = 2 * time.Second

// Controller wakes services and reports their state. One warm instance shares
// one observation per service across concurrent requests for ObserveTTL.
type Controller struct {
	services Services
	prober   Prober
	ttl      time.Duration
	log      *slog.Logger
	now      func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
}

// entry is the shared view of one service; wakeMu serialises its scale-ups.
type entry struct {
	wakeMu sync.Mutex

	// guarded by Controller.mu
	at       time.Time
	obs      *ecsservice.Service
	status   Status
	err      error
	inflight chan struct{}
	// recorded is the wake whose duration this instance has written.
	recorded time.Time
}

// New returns a Controller.
func New(services Services, prober Prober, ttl time.Duration, log *slog.Logger) *Controller {
	return &Controller{services: services, prober: prober, ttl: ttl, log: log, now: time.Now, entries: map[string]*entry{}}
}

func (c *Controller) entryFor(svc config.Service) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[svc.ID()]
	if !ok {
		e = &entry{}
		c.entries[svc.ID()] = e
	}
	return e
}

// Status reports the service's state without changing anything.
func (c *Controller) Status(ctx context.Context, svc config.Service) Status {
	st, _, _ := c.view(ctx, svc)
	return st
}

// view returns the shared observation, refreshing it when older than the TTL.
// Concurrent callers wait for one refresh instead of each calling ECS.
func (c *Controller) view(ctx context.Context, svc config.Service) (Status, *ecsservice.Service, error) {
	e := c.entryFor(svc)
	c.mu.Lock()
	if e.inflight == nil && !e.at.IsZero() && c.now().Sub(e.at) < c.ttl {
		st, obs, err := e.status, e.obs, e.err
		c.mu.Unlock()
		return st, obs, err
	}
	if wait := e.inflight; wait != nil {
		c.mu.Unlock()
		select {
		case <-wait:
			c.mu.Lock()
			defer c.mu.Unlock()
			return e.status, e.obs, e.err
		case <-ctx.Done():
			return checking(svc, ctx.Err()), nil, ctx.Err()
		}
	}
	done := make(chan struct{})
	e.inflight = done
	prevState, prevAt := e.status.State, e.at
	c.mu.Unlock()

	st, obs, err := c.refresh(ctx, svc)
	c.recordWake(ctx, svc, e, prevState, prevAt, st, obs)

	c.mu.Lock()
	e.at, e.status, e.obs, e.err, e.inflight = c.now(), st, obs, err, nil
	c.mu.Unlock()
	close(done)
	return st, obs, err
}

// recordWake writes how long a wake took, once, when this instance saw it
// turn ready: waking a moment ago, ready now. A wake nobody watched end is
// not recorded, since its end is not known.
func (c *Controller) recordWake(ctx context.Context, svc config.Service, e *entry, prevState string, prevAt time.Time, st Status, obs *ecsservice.Service) {
	if st.State != Ready || prevState != Waking || obs == nil || obs.WokenAt == nil ||
		c.now().Sub(prevAt) > 5*time.Second || e.recorded.Equal(*obs.WokenAt) {
		return
	}
	e.recorded = *obs.WokenAt
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	defer cancel()
	took := c.now().Sub(*obs.WokenAt)
	if err := c.services.RecordWake(ctx, obs, took); err != nil {
		c.logFor(svc).Warn("recording the wake's duration failed", "error", err)
		return
	}
	c.logFor(svc).Info("service ready", "wakeSeconds", int(took.Seconds()))
}

// refresh reads ECS (and EC2, and the app) once.
func (c *Controller) refresh(ctx context.Context, svc config.Service) (Status, *ecsservice.Service, error) {
	// Shared work must not die with the one request that started it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	defer cancel()
	obs, err := c.services.Observe(ctx, svc.Cluster, svc.Name, ecsservice.Need{
		Tasks:                  true,
		PublicIPs:              svc.Address == config.AddressPublic,
		StoppedWhenNoneRunning: true,
	})
	if err != nil {
		return c.errorStatus(svc, err), nil, err
	}
	return decide(svc, obs, c.firstAnswering(ctx, svc, obs), c.now()), obs, nil
}

// firstAnswering probes the RUNNING tasks and returns where the first answering one lives.
func (c *Controller) firstAnswering(ctx context.Context, svc config.Service, obs *ecsservice.Service) *url.URL {
	for _, t := range obs.Tasks {
		if t.LastStatus != "RUNNING" {
			continue
		}
		pt, u, ok := targetOf(svc, t)
		if !ok {
			continue
		}
		if err := c.prober.Probe(ctx, pt); err != nil {
			c.logFor(svc).Debug("app not answering yet", "task", t.ID, "error", err)
			continue
		}
		return u
	}
	return nil
}

func (c *Controller) errorStatus(svc config.Service, err error) Status {
	if errors.Is(err, ecsservice.ErrServiceNotFound) {
		c.logFor(svc).Error("service not found", "error", err)
		return describe(Status{Service: svc.Name, State: Failed, Message: "This service is not available."})
	}
	c.logFor(svc).Warn("reading the service failed; visitors see the wait page", "error", err, "transient", ecsservice.IsTransient(err))
	return checking(svc, err)
}

func checking(svc config.Service, _ error) Status {
	return describe(Status{Service: svc.Name, State: Waking, Stage: StageChecking})
}

// Wake scales the service up when it is below its wake count and returns its
// state. Many concurrent calls produce one scale-up.
func (c *Controller) Wake(ctx context.Context, svc config.Service) Status {
	st, obs, err := c.view(ctx, svc)
	if err != nil || st.State == Ready || obs == nil || obs.DesiredCount >= wakeCount(svc, obs) {
		return st
	}
	e := c.entryFor(svc)
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	// Another request may have woken it while this one waited: look at the shared view again.
	st, obs, err = c.view(ctx, svc)
	if err != nil || st.State == Ready || obs == nil || obs.DesiredCount >= wakeCount(svc, obs) {
		return st
	}
	return c.scaleUp(ctx, svc, obs)
}

// Retry starts the wake clock again (and scales up if needed) after a failed wake.
func (c *Controller) Retry(ctx context.Context, svc config.Service) Status {
	e := c.entryFor(svc)
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	st, obs, err := c.view(ctx, svc)
	if err != nil || obs == nil || st.State == Ready {
		return st
	}
	return c.scaleUp(ctx, svc, obs)
}

func wakeCount(svc config.Service, obs *ecsservice.Service) int32 {
	// Restore what the service ran with before it was put to sleep, if that was more.
	return max(svc.WakeCount, obs.SleptFrom)
}

func (c *Controller) scaleUp(ctx context.Context, svc config.Service, obs *ecsservice.Service) Status {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	defer cancel()
	target := max(obs.DesiredCount, wakeCount(svc, obs))
	now := c.now().UTC().Truncate(time.Second)
	if target != obs.DesiredCount {
		if err := c.services.SetDesired(ctx, svc.Cluster, svc.Name, target); err != nil {
			// The next visit or page refresh tries again; the visitor waits meanwhile.
			c.logFor(svc).Error("scale-up failed", "error", err)
			c.forget(svc)
			return checking(svc, err)
		}
		c.logFor(svc).Info("waking service", "from", obs.DesiredCount, "to", target)
	}
	if err := c.services.MarkWoken(ctx, obs.ARN, now); err != nil {
		// The wake goes on; only the elapsed time and Auto-Sleep's grace lose their start.
		c.logFor(svc).Warn("recording the wake time failed", "error", err)
	}
	woken := *obs
	woken.DesiredCount, woken.WokenAt, woken.Stopped = target, &now, nil
	st := decide(svc, &woken, nil, c.now())
	// Share what was just done, so concurrent requests do not scale up again.
	e := c.entryFor(svc)
	c.mu.Lock()
	if e.inflight == nil {
		e.at, e.status, e.obs, e.err = c.now(), st, &woken, nil
	}
	c.mu.Unlock()
	return st
}

// Sleep scales the service to 0 now, remembering its count for the next wake.
func (c *Controller) Sleep(ctx context.Context, svc config.Service) (Status, error) {
	e := c.entryFor(svc)
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*awsBudget)
	defer cancel()
	obs, err := c.services.Observe(ctx, svc.Cluster, svc.Name, ecsservice.Need{})
	if err != nil {
		return c.errorStatus(svc, err), err
	}
	if err := c.services.Sleep(ctx, obs); err != nil {
		return checking(svc, err), err
	}
	c.logFor(svc).Info("service put to sleep", "from", obs.DesiredCount)
	c.forget(svc)
	return describe(Status{Service: svc.Name, State: Asleep}), nil
}

func (c *Controller) logFor(svc config.Service) *slog.Logger {
	return logging.For(c.log, svc.Cluster, svc.Name)
}

// forget drops the shared view so the next request reads ECS again.
func (c *Controller) forget(svc config.Service) {
	e := c.entryFor(svc)
	c.mu.Lock()
	if e.inflight == nil {
		e.at = time.Time{}
	}
	c.mu.Unlock()
}
