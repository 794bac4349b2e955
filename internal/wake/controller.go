package wake

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/tokenbucket"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waketoken"
)

// Services is what the controller needs from ECS.
type Services interface {
	ObserveMany(ctx context.Context, cluster string, wants []ecsservice.Want) (map[string]ecsservice.Reading, error)
	SetDesired(ctx context.Context, cluster, service string, count int32) error
	MarkWoken(ctx context.Context, s *ecsservice.Service, at time.Time) error
	RecordWake(ctx context.Context, s *ecsservice.Service, took time.Duration) error
	RecordDatabaseStart(ctx context.Context, s *ecsservice.Service, took time.Duration) error
	Sleep(ctx context.Context, s *ecsservice.Service) error
}

var _ Services = (*ecsservice.Client)(nil)

// Prober tells whether a target answers.
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

// Options tune the controller.
type Options struct {
	// ObserveEvery is the shortest time between two ECS reads of one service.
	ObserveEvery time.Duration
	// ObservePerSecond and ObserveBurst cap this environment's ECS reads, all services together.
	ObservePerSecond float64
	ObserveBurst     int
	// TokenKey signs the tokens that let polls skip AWS; empty: no tokens.
	TokenKey []byte
	// Metrics writes the wakes' metrics; nil: none.
	Metrics *metrics.Emitter
	// Databases starts the services' databases; nil when none depends on one.
	Databases Databases
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

	// The databases a wake waits for: what this environment read of each
	// (guarded by mu), its reads shared, within their own budget.
	databases Databases
	dbReads   *tokenbucket.Bucket
	dbSeen    map[string]dbView
	dbFlight  singleflight.Group

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
	// failCounted: this environment counted the failure of the wake begun at failStart.
	failCounted bool
	failStart   time.Time
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
		dbReads: tokenbucket.New(dbReadRate, dbReadBurst), dbSeen: map[string]dbView{}, databases: opts.Databases,
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
