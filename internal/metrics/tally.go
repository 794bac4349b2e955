package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Tally adds up a count per dimension values (and properties) and writes it
// at most once per interval: a busy moment writes a line per interval, not
// one per event. Lambda freezes an environment between requests, so nothing
// runs on a timer: a count is written by the Add that finds it due, by Flush,
// or by the Emitter's FlushDue after a request.
type Tally struct {
	e      *Emitter
	metric string
	sets   [][]string
	every  time.Duration

	pending map[string]*pending // guarded by e.mu
}

type pending struct {
	dims  []Dim
	props []slog.Attr
	n     float64
	since time.Time
}

// Tally returns a count of metric (in Count) written under the dimension
// sets at most every interval; nil when metrics are off.
func (e *Emitter) Tally(metric string, every time.Duration, sets ...[]string) *Tally {
	if e == nil {
		return nil
	}
	t := &Tally{e: e, metric: metric, sets: sets, every: every, pending: map[string]*pending{}}
	e.mu.Lock()
	e.tallies = append(e.tallies, t)
	e.mu.Unlock()
	return t
}

// Add counts n for the dimensions, writing the count when it is due.
func (t *Tally) Add(ctx context.Context, n float64, dims []Dim, props ...slog.Attr) {
	if t == nil {
		return
	}
	key := keyOf(dims, props)
	now := t.e.now()
	t.e.mu.Lock()
	p := t.pending[key]
	if p == nil {
		p = &pending{dims: dims, props: props, since: now}
		t.pending[key] = p
	}
	p.n += n
	due := now.Sub(p.since) >= t.every
	if due {
		delete(t.pending, key)
	}
	t.e.mu.Unlock()
	if due {
		t.write(ctx, p)
	}
}

// Flush writes what is counted for the dimensions now, whatever the
// properties (a wake that ended: its count is complete).
func (t *Tally) Flush(ctx context.Context, dims []Dim) {
	if t == nil {
		return
	}
	prefix := keyOf(dims, nil)
	t.take(ctx, func(key string, _ *pending) bool { return strings.HasPrefix(key, prefix) })
}

// take writes and forgets the pending counts pick chooses.
func (t *Tally) take(ctx context.Context, pick func(string, *pending) bool) {
	var out []*pending
	t.e.mu.Lock()
	for k, p := range t.pending {
		if pick(k, p) {
			out = append(out, p)
			delete(t.pending, k)
		}
	}
	t.e.mu.Unlock()
	for _, p := range out {
		t.write(ctx, p)
	}
}

func (t *Tally) write(ctx context.Context, p *pending) {
	t.e.Emit(ctx, Record{Dims: p.dims, Props: p.props, Directives: []Directive{{Sets: t.sets, Metrics: []Metric{{t.metric, Count, p.n}}}}})
}

// FlushDue writes every count held longer than its interval.
func (e *Emitter) FlushDue(ctx context.Context) {
	if e == nil {
		return
	}
	now := e.now()
	for _, t := range e.allTallies() {
		t.take(ctx, func(_ string, p *pending) bool { return now.Sub(p.since) >= t.every })
	}
}

// Flush writes every count held, due or not (the end of a tick).
func (e *Emitter) Flush(ctx context.Context) {
	if e == nil {
		return
	}
	for _, t := range e.allTallies() {
		t.take(ctx, func(string, *pending) bool { return true })
	}
}

func (e *Emitter) allTallies() []*Tally {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*Tally(nil), e.tallies...)
}

// keyOf names a count: its dimensions, then its properties.
func keyOf(dims []Dim, props []slog.Attr) string {
	var b strings.Builder
	for _, d := range dims {
		fmt.Fprintf(&b, "%s=%s\x00", d.Name, d.Value)
	}
	b.WriteString("\x01")
	for _, p := range props {
		fmt.Fprintf(&b, "%s=%s\x00", p.Key, p.Value)
	}
	return b.String()
}
