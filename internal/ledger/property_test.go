package ledger

import (
	"math/rand/v2"
	"testing"
	"time"
)

// model is the history computed minute by minute from the wakes and sleeps:
// awake from a wake's minute to the end of the minute of the next sleep, and
// before the first sight on its day.
type model struct {
	awake map[int64]bool    // by minute since the Unix epoch
	wakes map[time.Time]int // by day
	first time.Time
}

func (m *model) set(from, to time.Time) {
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		m.awake[t.Unix()/60] = true
	}
}

// TestTheHistoryMatchesAMinuteByMinuteCount: random sequences of wakes and
// sleeps, seconds to days apart, across month and year ends: every value is
// one ECS takes, and the history is the minute-by-minute count.
func TestTheHistoryMatchesAMinuteByMinuteCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 31))
	for seq := range 200 {
		start := time.Date(2026, time.Month(1+rng.IntN(12)), 1+rng.IntN(31), rng.IntN(24), rng.IntN(60), rng.IntN(60), 0, time.UTC)
		m := &model{awake: map[int64]bool{}, wakes: map[time.Time]int{}, first: dayOf(start)}
		m.set(dayOf(start), floor(start))
		v, at, awake := "", start, false
		since := floor(start)
		for range 1 + rng.IntN(30) {
			var err error
			if !awake {
				v, err = Woke(v, at)
				since = later(floor(at), since)
				m.wakes[dayOf(since)]++
			} else {
				v, err = Slept(v, at, Now{Awake: true})
				m.set(since, ceil(at))
				since = later(ceil(at), since)
			}
			if err != nil {
				t.Fatal(err)
			}
			acceptedByECS(t, v)
			awake = !awake
			at = at.Add(gap(rng))
		}
		now := at
		if awake {
			m.set(since, ceil(now))
		}
		days, err := History(v, now, Days+5, Now{Awake: awake})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			want := time.Duration(0)
			for minute := d.Date.Unix() / 60; minute < d.Date.Unix()/60+minutesPerDay; minute++ {
				if m.awake[minute] {
					want += time.Minute
				}
			}
			known := !d.Date.Before(m.first) && d.Date.After(dayOf(now).AddDate(0, 0, -Days))
			if d.Known != known || (known && (d.Awake != want || d.Wakes != min(m.wakes[d.Date], maxWakes))) {
				t.Fatalf("sequence %d, %s: %v awake, %d wakes, known %v; want %v, %d, %v\n(value %q)",
					seq, d.Date.Format(time.DateOnly), d.Awake, d.Wakes, d.Known, want, m.wakes[d.Date], known, v)
			}
		}
	}
}

// gap is the time to the next write: seconds, minutes, hours or days.
func gap(rng *rand.Rand) time.Duration {
	switch rng.IntN(4) {
	case 0:
		return time.Duration(rng.IntN(120)) * time.Second
	case 1:
		return time.Duration(rng.IntN(180)) * time.Minute
	case 2:
		return time.Duration(rng.IntN(48)) * time.Hour
	default:
		return time.Duration(rng.IntN(40*24*60)) * time.Minute
	}
}
