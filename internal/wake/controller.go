package wake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/tokenbucket"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waketoken"
)

// Services is what the controller needs from ECS; *ecsservice.Client satisfies it.
type Services interface {
	ObserveMany(ctx context.Context, cluster string, wants []ecsservice.Want) (map[string]ecsservice.Reading, error)
	SetDesired(ctx context.Context, cluster, service string, count int32) error
	MarkWoken(ctx context.Context, serviceARN string, at time.Time) error
	RecordWake(ctx context.Context, s *ecsservice.Service, took time.Duration) error
	Sleep(ctx context.Context, s *ecsservice.Service) error
}

var _ Services = (*ecsservice.Client)(nil)

// Prober tells whether a target answers; *probe.Prober satisfies it.
type Prober interface {
	Probe(ctx context.Context, t probe.Target) error
}

var _ Prober = (*probe.Prober)(nil)

// awsBudget bounds the ECS and EC2 work behind one answer, so a visitor gets
// the wait page quickly even when AWS is slow or throttling.
const awsBudget = 2 * time.Second

// How long one environment trusts what it knows of a service before reading
// ECS again. Lambda runs each environment with its own memory and routes no
// service to a particular one, so these, with the read budget, bound what
// every environment together asks of the account's ECS buckets.
const (
	// addressFresh: once a task's address is known, readiness is the app
	// answering — a probe, no AWS call; an environment reads ECS again only
	// this often (to see a task that stopped, or the stage move on), and a
	// token whose host has stopped answering at all is checked against ECS.
	addressFresh = 15 * time.Second
	// tokenLife: a token lives this long while its host refuses connections
	// or answers not ready — the task is there, its app is starting.
	tokenLife = waketoken.MaxLifetime
	// failedFresh: a failed wake changes only by a retry.
	failedFresh = 5 * time.Second
	// decisionAge: a scale-up is decided on a view at most this old.
	decisionAge = time.Second
	// Probe answers are shared for a short while: a success for probeOKFor,
	// a failure for probeFailFor (the app may come up any moment).
	probeOKFor   = time.Second
	probeFailFor = 250 * time.Millisecond
	// maxCandidates is how many tasks one answer probes at most.
	maxCandidates = 3
	// fullEvery: while the app answers, a read asks only DescribeServices (is
	// it still wanted awake?) and keeps the tasks it knows; they are listed
	// again this often, or as soon as the app stops answering.
	fullEvery = time.Minute
	// sameWake: wake starts this close are one wake, begun by environments
	// that saw the service asleep at the same moment.
	sameWake = time.Minute
	// askedWithin: a read of one service also refreshes the other services of
	// its cluster that this environment was asked about this recently and that
	// are due, in the same calls, when that costs no call of its own.
	askedWithin = 30 * time.Second
)

// Tag writes per environment: the ECS tag-modify bucket (20, refilled 10 a
// second for the whole account: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html)
// is shared with the owner's deploys; Wake writes at most 2 tags per wake, and
// an environment at most one a second beyond a burst of 3.
const (
	tagBurst = 3
	tagRate  = 1.0
)

// Reads a scale-up is decided on have their own budget per environment, so
// visitors' polls never starve a wake; a woken service needs none again, so
// only wakes of sleeping services (or failing scale-ups) spend it.
const (
	wakeReadBurst = 3
	wakeReadRate  = 0.5
)

// Options tune the controller.
type Options struct {
	// ObserveEvery is the shortest time between two ECS reads of one service.
	ObserveEvery time.Duration
	// ObservePerSecond and ObserveBurst cap this environment's ECS reads, all services together.
	ObservePerSecond float64
	ObserveBurst     int
	// TokenKey signs the tokens that let polls skip AWS; empty: no tokens.
	TokenKey []byte
}

// Controller wakes services and reports their state, for one execution
// environment: it shares what it read of a service across requests, reads
// ECS within a budget, and hands clients signed tokens so their polls need
// no AWS call once a task's address is known.
type Controller struct {
	services Services
	prober   Prober
	opts     Options
	signer   *waketoken.Signer
	log      *slog.Logger
	now      func() time.Time

	reads *tokenbucket.Bucket // ECS observations, all services
	wakes *tokenbucket.Bucket // the reads a scale-up is decided on
	tags  *tokenbucket.Bucket // tag writes, all services

	probes  singleflight.Group
	probeMu sync.Mutex
	probed  map[string]probeResult

	mu      sync.Mutex
	entries map[string]*entry
	// shortWarned: services whose short ARN this environment has warned of.
	shortWarned sync.Map
}

type probeResult struct {
	ok, heard bool
	at        time.Time
}

// entry is what this environment knows of one service: the view its
// requests share. It is hand-written rather than a singleflight.Group (used
// for probes) because singleflight shares a result only while the call is in
// flight, one key per call. This view is kept for a time that depends on the
// service's state (freshness), read within per-environment budgets (over
// them, the last view answers), filled for several services of a cluster by
// one read (observeWithin), and dropped when it predates this environment's
// own scale-up (gen).
type entry struct {
	wakeMu sync.Mutex // serialises this environment's scale-ups of the service
	svc    config.Service

	// guarded by Controller.mu
	asked    time.Time // when a request last asked about the service
	at       time.Time // when ECS was last read
	fullAt   time.Time // when its tasks were last listed
	obs      *ecsservice.Service
	err      error
	inflight chan struct{}
	gen      int       // bumped when the controller itself changes the view
	readyAt  time.Time // when a task of obs last answered the probe
	// The wake this environment started: only it records the wake's start and duration.
	wokeAt     time.Time
	tagPending bool
	recorded   bool
}

// New returns a Controller.
func New(services Services, prober Prober, opts Options, log *slog.Logger) *Controller {
	if opts.ObserveEvery <= 0 {
		opts.ObserveEvery = config.DefaultObserveTTL
	}
	if opts.ObservePerSecond <= 0 {
		opts.ObservePerSecond = config.DefaultObservePerSecond
	}
	if opts.ObserveBurst <= 0 {
		opts.ObserveBurst = max(2, int(2*opts.ObservePerSecond+0.5))
	}
	c := &Controller{
		services: services, prober: prober, opts: opts, log: log, now: time.Now,
		reads:   tokenbucket.New(opts.ObservePerSecond, opts.ObserveBurst),
		wakes:   tokenbucket.New(wakeReadRate, wakeReadBurst),
		tags:    tokenbucket.New(tagRate, tagBurst),
		probed:  map[string]probeResult{},
		entries: map[string]*entry{},
	}
	if len(opts.TokenKey) > 0 {
		c.signer = waketoken.New(opts.TokenKey)
	}
	return c
}

// Tokens reports whether the controller hands out signed tokens.
func (c *Controller) Tokens() bool { return c.signer != nil }

func (c *Controller) entryFor(svc config.Service) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[svc.ID()]
	if !ok {
		e = &entry{svc: svc}
		c.entries[svc.ID()] = e
	}
	e.asked = c.now()
	return e
}

// view is one consistent copy of an entry.
type view struct {
	at  time.Time
	obs *ecsservice.Service
	err error
}

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
	plans := []*plan{c.planFor(svc, e, now)}
	// Other services of the cluster this environment was asked about lately and
	// that are due come along when they cost no call of their own.
	for _, o := range c.entries {
		if len(plans) == ecsservice.DescribeServicesBatch {
			break
		}
		if o == e || o.svc.Cluster != svc.Cluster || o.inflight != nil || now.Sub(o.asked) > askedWithin ||
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
	c.mu.Unlock()

	wants := make([]ecsservice.Want, len(plans))
	for i, p := range plans {
		wants[i] = ecsservice.Want{Name: p.svc.Name, Need: p.need()}
	}
	// Shared work must not die with the one request that started it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	readings, err := c.services.ObserveMany(rctx, svc.Cluster, wants)
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
	if base.State != Waking {
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

// paced adds when to ask next (and with which token) to a status that is not final.
func (c *Controller) paced(st Status, token *string) Status {
	after := pace(st, token != nil)
	if after == 0 {
		return st
	}
	st.Next = &Next{AfterMs: after}
	if token != nil {
		st.Next.Token = *token
	}
	return st
}

// answers probes the target, sharing the answer across requests for a short
// while; heard is whether the host itself answered (see probe.HostAnswers).
func (c *Controller) answers(ctx context.Context, t probe.Target) (heard, ok bool) {
	key := t.Scheme + "://" + t.Addr() + t.HealthPath
	now := c.now()
	c.probeMu.Lock()
	r, cached := c.probed[key]
	c.probeMu.Unlock()
	if cached && ((r.ok && now.Sub(r.at) < probeOKFor) || (!r.ok && now.Sub(r.at) < probeFailFor)) {
		return r.heard, r.ok
	}
	v, _, _ := c.probes.Do(key, func() (any, error) {
		err := c.prober.Probe(context.WithoutCancel(ctx), t)
		res := probeResult{ok: err == nil, heard: err == nil || probe.HostAnswers(err), at: c.now()}
		c.probeMu.Lock()
		if len(c.probed) > 1000 {
			c.probed = map[string]probeResult{}
		}
		c.probed[key] = res
		c.probeMu.Unlock()
		return res, nil
	})
	res := v.(probeResult)
	return res.heard, res.ok
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
	}
	now := c.now().UTC().Truncate(time.Millisecond)
	woken := *obs
	woken.DesiredCount, woken.WokenAt, woken.Stopped = target, &now, nil
	c.mu.Lock()
	e.gen++
	e.at, e.obs, e.err, e.readyAt = c.now(), &woken, nil, time.Time{}
	e.wokeAt, e.tagPending, e.recorded = now, true, false
	c.mu.Unlock()
	return c.answer(ctx, svc, e, view{c.now(), &woken, nil})
}

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
	arn, at, svc := e.obs.ARN, e.wokeAt, e.svc
	c.mu.Unlock()
	if ecsservice.ShortARN(arn) {
		c.warnShortARN(svc)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	defer cancel()
	if err := c.services.MarkWoken(ctx, arn, at); err != nil {
		// The wake goes on; its start is then read from the tasks ECS reports.
		c.logFor(svc).Warn("recording the wake time failed", "error", err)
		if ecsservice.IsTransient(err) {
			c.mu.Lock()
			e.tagPending = true
			c.mu.Unlock()
		}
	}
}

// warnShortARN says once per environment that a service cannot be tagged.
func (c *Controller) warnShortARN(svc config.Service) {
	if _, seen := c.shortWarned.LoadOrStore(svc.ID(), true); !seen {
		c.logFor(svc).Warn("the service cannot be tagged: " + ecsservice.ShortARNAdvice)
	}
}

// owes reports whether this environment still has to write the entry's wake start; c.mu is held.
func owes(e *entry) bool {
	return e.tagPending && e.obs != nil && e.obs.DesiredCount > 0
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
	c.forget(svc)
	return describe(Status{Service: svc.Name, State: Asleep}), nil
}

func (c *Controller) logFor(svc config.Service) *slog.Logger {
	return logging.For(c.log, svc.Cluster, svc.Name)
}

// forget drops what this environment knows of the service, so the next request reads ECS again.
func (c *Controller) forget(svc config.Service) {
	e := c.entryFor(svc)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.gen++
	e.at, e.obs, e.err, e.readyAt = time.Time{}, nil, nil, time.Time{}
	e.wokeAt, e.tagPending, e.recorded = time.Time{}, false, false
}

// target is where a task's app answers: what to probe, and where to send visitors.
type target struct {
	task  string
	stage string
	probe probe.Target
	base  *url.URL
}

// candidates are the tasks whose app may answer, best first: RUNNING, then
// ACTIVATING, then PENDING (from PENDING on, a Fargate task has its address).
func candidates(obs *ecsservice.Service) []ecsservice.Task {
	var out []ecsservice.Task
	for _, status := range []string{ecsservice.StatusRunning, "ACTIVATING", "PENDING"} {
		for _, t := range obs.Tasks {
			if t.LastStatus == status {
				out = append(out, t)
			}
		}
	}
	return out
}

// candidatesFor are the candidates with their addresses, for the service's address mode.
func candidatesFor(svc config.Service, obs *ecsservice.Service) []target {
	var out []target
	for _, t := range candidates(obs) {
		pt, u, ok := targetOf(svc, t)
		if !ok {
			continue
		}
		out = append(out, target{task: t.ID, stage: stageOf([]ecsservice.Task{t}), probe: pt, base: u})
	}
	return out
}
