package wake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
)

// fakeServices is an ECS service held in memory.
type fakeServices struct {
	mu          sync.Mutex
	svc         ecsservice.Service
	observeErr  error
	setErr      error
	observes    atomic.Int32
	setDesired  atomic.Int32
	markedWoken atomic.Int32
	recorded    atomic.Int32
	// wokenFrom is the observation the last wake start was written from.
	wokenFrom *ecsservice.Service
	// needs are what each observation asked for.
	needs []ecsservice.Need
	// observeDelay makes concurrent callers overlap.
	observeDelay time.Duration
}

// ObserveMany reads every wanted name as the one service held; one call is one observation.
func (f *fakeServices) ObserveMany(ctx context.Context, cluster string, wants []ecsservice.Want) (map[string]ecsservice.Reading, error) {
	f.observes.Add(1)
	out := map[string]ecsservice.Reading{}
	for _, w := range wants {
		s, err := f.observe(w.Need)
		if err != nil {
			return nil, err
		}
		out[w.Name] = ecsservice.Reading{Service: s}
	}
	return out, nil
}

func (f *fakeServices) observe(need ecsservice.Need) (*ecsservice.Service, error) {
	f.mu.Lock()
	f.needs = append(f.needs, need)
	f.mu.Unlock()
	if f.observeDelay > 0 {
		time.Sleep(f.observeDelay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.observeErr != nil {
		return nil, f.observeErr
	}
	s := f.svc
	s.Tasks = append([]ecsservice.Task(nil), f.svc.Tasks...)
	if !need.Tasks {
		s.Tasks, s.Stopped = nil, nil
	}
	return &s, nil
}

func (f *fakeServices) SetDesired(ctx context.Context, cluster, service string, count int32) error {
	f.setDesired.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setErr != nil {
		return f.setErr
	}
	f.svc.DesiredCount = count
	return nil
}

func (f *fakeServices) MarkWoken(ctx context.Context, s *ecsservice.Service, at time.Time) error {
	f.markedWoken.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.svc.WokenAt = &at
	f.wokenFrom = s
	return nil
}

func (f *fakeServices) RecordWake(ctx context.Context, s *ecsservice.Service, took time.Duration) error {
	f.recorded.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.svc.WakeSeconds = append(f.svc.WakeSeconds, int(took.Seconds()))
	return nil
}

func (f *fakeServices) RecordDatabaseStart(ctx context.Context, s *ecsservice.Service, took time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.svc.DatabaseSeconds = append(f.svc.DatabaseSeconds, int(took.Seconds()))
	return nil
}

func (f *fakeServices) Sleep(ctx context.Context, s *ecsservice.Service) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.svc.SleptFrom, f.svc.DesiredCount = s.DesiredCount, 0
	return nil
}

// fakeProber answers for the addresses in up; the others refuse the
// connection (the task is there, its app not yet), or, when silent, time out.
type fakeProber struct {
	mu     sync.Mutex
	up     map[string]bool
	silent bool
	probes int
}

func (p *fakeProber) Probe(ctx context.Context, t probe.Target) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.probes++
	if p.up[t.Host] {
		return nil
	}
	if p.silent {
		return errors.New("dial tcp: i/o timeout")
	}
	return fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testService() config.Service {
	return config.Service{
		Name: "web", Cluster: "demo", Port: 8080, Scheme: "http", Address: config.AddressPublic,
		WakeCount: 1, WakeTimeout: 5 * time.Minute,
	}
}

// clock is a settable time for the controller.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testKey = "a test key of sixteen characters or more"

// newController returns a controller on the clock, observing a service at most once per every.
func newController(svcs Services, prober Prober, clk *clock, every time.Duration, key string) *Controller {
	c := New(svcs, prober, Options{ObserveEvery: every, TokenKey: []byte(key)}, quietLog())
	if clk != nil {
		c.now = clk.Now
	}
	return c
}

func (p *fakeProber) set(host string, up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.up == nil {
		p.up = map[string]bool{}
	}
	p.up[host] = up
}

// budgeted returns a controller on the clock with the given read budget (reads a second, burst).
func budgeted(svcs Services, clk *clock, rate float64, burst int, key string) *Controller {
	c := New(svcs, &fakeProber{}, Options{ObserveEvery: time.Second, ObservePerSecond: rate, ObserveBurst: burst, TokenKey: []byte(key)}, quietLog())
	c.now = clk.Now
	return c
}
