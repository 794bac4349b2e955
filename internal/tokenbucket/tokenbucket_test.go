package tokenbucket

import (
	"sync"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		rate  float64
		burst int
		// calls are offsets from t0 at which Allow is asked.
		calls []time.Duration
		want  []bool
	}{
		{"a full bucket allows its burst at once, then refuses", 1, 3,
			[]time.Duration{0, 0, 0, 0}, []bool{true, true, true, false}},
		{"tokens flow back at the rate", 2, 1,
			[]time.Duration{0, 100 * time.Millisecond, 500 * time.Millisecond, 600 * time.Millisecond, 1000 * time.Millisecond}, []bool{true, false, true, false, true}},
		{"an idle bucket refills to its burst, no more", 10, 2,
			[]time.Duration{0, 0, time.Hour, time.Hour, time.Hour}, []bool{true, true, true, true, false}},
		{"a clock that goes back does not mint tokens", 1, 1,
			[]time.Duration{time.Second, 0, 500 * time.Millisecond}, []bool{true, false, false}},
		{"the zero rate never refills", 0, 1,
			[]time.Duration{0, time.Hour}, []bool{true, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New(tc.rate, tc.burst)
			for i, off := range tc.calls {
				if got := b.Allow(t0.Add(off)); got != tc.want[i] {
					t.Fatalf("call %d at +%s: allowed %v, want %v", i, off, got, tc.want[i])
				}
			}
		})
	}
}

func TestTheZeroBucketAllowsNothing(t *testing.T) {
	var b Bucket
	if b.Allow(time.Now()) {
		t.Fatal("the zero bucket allowed a call")
	}
}

func TestConcurrentCallersNeverTakeMoreThanTheBurst(t *testing.T) {
	b := New(0, 50)
	now := time.Now()
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if b.Allow(now) {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Fatalf("%d calls allowed, want the burst of 50", allowed)
	}
}
