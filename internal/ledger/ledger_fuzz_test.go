package ledger

import (
	"errors"
	"testing"
	"time"
)

// FuzzLedgerWrites: from any value a service may carry (anyone can edit a
// tag), any sequence of wakes and sleeps at any times writes only values ECS
// accepts, that read back, and whose days hold 0 to 24 hours.
func FuzzLedgerWrites(f *testing.F) {
	f.Add("", int64(1796083200), []byte{0, 1, 0, 1})
	f.Add("v1 asleep 2026-12-05T12:20Z QbBEEB", int64(1796083200), []byte{0x10, 0x81, 0xff, 0x7e})
	f.Add("v1 awake 2026-12-05T09:00Z AAAIcB", int64(1796000000), []byte{3, 5, 7})
	f.Add("v1 awake 2026-12-31T23:59Z Wg/", int64(253402214400), []byte{0xfe, 0xfd})
	f.Add("v2 anything", int64(0), []byte{1})
	f.Add("v1 asleep 2026-12-05T09:00Z A-A", int64(-1), []byte{})
	f.Fuzz(func(t *testing.T, value string, startUnix int64, ops []byte) {
		start := time.Unix(startUnix, 0).UTC()
		if _, err := History(value, start, Days, Now{}); err != nil && !errors.Is(err, ErrMalformed) && checkTime(start) == nil {
			t.Fatalf("History of %q: %v", value, err)
		}
		at, v := start, value
		for i, op := range ops {
			var err error
			var next string
			if op&1 == 0 {
				next, err = Woke(v, at)
			} else {
				next, err = Slept(v, at, nowOf(op, at))
			}
			switch {
			case checkTime(at) != nil:
				if err == nil || next != "" {
					t.Fatalf("a time out of range gave %q, %v", next, err)
				}
				return
			case err != nil && (i > 0 || !errors.Is(err, ErrMalformed)):
				t.Fatalf("write %d on %q: %v", i, v, err)
			}
			acceptedByECS(t, next)
			r, err := parse(next)
			if err != nil || r.String() != next {
				t.Fatalf("%q does not read back: %v", next, err)
			}
			v = next
			// From a second to about 48 days later.
			at = at.Add(time.Duration(int(op)*int(op)*int(op)/4+1) * time.Second)
		}
		days, err := History(v, at, Days+1, nowOf(0xff, at))
		if v != value && err != nil && checkTime(at) == nil {
			t.Fatalf("History of a written value %q: %v", v, err)
		}
		for _, d := range days {
			if d.Awake < 0 || d.Awake > 24*time.Hour || d.Wakes < 0 || (!d.Known && (d.Awake != 0 || d.Wakes != 0)) {
				t.Fatalf("day %+v of %q", d, v)
			}
		}
	})
}

// nowOf is what ECS says, from a byte's bits: awake, and which evidence is there.
func nowOf(op byte, at time.Time) Now {
	n := Now{Awake: op&2 != 0}
	ago := func(shift byte) *time.Time {
		t := at.Add(-time.Duration(op>>shift) * time.Hour)
		return &t
	}
	if op&4 != 0 {
		n.WokenAt = ago(3)
	}
	if op&8 != 0 {
		n.OldestTaskStart = ago(4)
	}
	if op&16 != 0 {
		n.Changed = ago(5)
	}
	return n
}
