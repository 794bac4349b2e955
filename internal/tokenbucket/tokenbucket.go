// Package tokenbucket is the token bucket algorithm AWS documents for its API
// throttling: a bucket holds at most Burst tokens, each call takes one, and
// Rate tokens flow back each second. Wake uses it to cap its own AWS calls per
// execution environment; the test world uses it to throttle as ECS and EC2 do.
//
// (golang.org/x/time/rate does the same; this is 40 lines and keeps the
// product's dependency list to the one DESIGN names.)
package tokenbucket

import (
	"sync"
	"time"
)

// Bucket is a token bucket, safe for concurrent use. The zero value allows nothing.
type Bucket struct {
	rate  float64 // tokens a second
	burst float64 // capacity

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// New returns a full bucket.
func New(rate float64, burst int) *Bucket {
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// Allow takes one token at now if there is one.
func (b *Bucket) Allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Tokens is how many whole tokens the bucket holds at now.
func (b *Bucket) Tokens(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	return int(b.tokens)
}

func (b *Bucket) refill(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
}
