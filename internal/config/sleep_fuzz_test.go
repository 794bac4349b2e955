package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const minutesADay, minutesAWeek = 24 * 60, 7 * 24 * 60

// windowProblem says what is wrong with a parsed keep-warm window, or "".
func windowProblem(w Window) string {
	if w.From < 0 || w.From > minutesADay || w.To < 0 || w.To > minutesADay {
		return fmt.Sprintf("from %d to %d is not within a day", w.From, w.To)
	}
	if w.From == w.To {
		return "from and to are the same"
	}
	days := 0
	for _, on := range w.Days {
		if on {
			days++
		}
	}
	if days == 0 {
		return "no day"
	}
	if windowLength(w) == 0 {
		return "the window holds no minute"
	}
	return ""
}

// windowLength is how many minutes a window holds on each of its days.
func windowLength(w Window) int {
	if w.From <= w.To {
		return w.To - w.From
	}
	return w.To + minutesADay - w.From
}

// containsByWeek is Window.Contains worked out another way: the minute of the
// week falls in the window that starts on one of its days at From.
func containsByWeek(w Window, t time.Time) bool {
	m := int(t.Weekday())*minutesADay + t.Hour()*60 + t.Minute()
	for d, on := range w.Days {
		if on && ((m-d*minutesADay-w.From)%minutesAWeek+minutesAWeek)%minutesAWeek < windowLength(w) {
			return true
		}
	}
	return false
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// spell writes a window the way an operator would, to be parsed again.
func spell(w Window) string {
	var days []string
	for d, on := range w.Days {
		if on {
			days = append(days, strings.ToLower(time.Weekday(d).String()[:3]))
		}
	}
	return strings.Join(days, ",") + " " + clock(w.From) + "-" + clock(w.To)
}

// zones Contains is asked in: UTC, and zones with summer time and odd offsets.
var zones = func() []*time.Location {
	out := []*time.Location{time.UTC}
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"} {
		if loc, err := time.LoadLocation(name); err == nil {
			out = append(out, loc)
		}
	}
	return out
}()

// FuzzParseWindow: whatever the keep-warm spec, parseWindow does not panic;
// a window it accepts lies within a day (From and To in 0..1440, From != To),
// is on at least one day, holds at least one minute, reads back the same
// when spelled out again, and Contains answers for any time, in any zone,
// exactly as the window's minutes of the week say.
func FuzzParseWindow(f *testing.F) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC).Unix()
	for _, spec := range []string{
		"mon-fri 08:00-18:00", "fri-mon 10:00-12:00", "daily 22:00-02:00", "every 00:00-24:00", "sat 22:00-02:00",
		"sat,sun 00:00-24:00", "sat,sun 10:00-12:00", "Mon-Fri 8:00 - 18:30", "sun-sat 23:59-00:00", "mon 24:00-08:00",
		"mon 8-18", "funday 10:00-11:00", "mon-fri 08:00-08:00", "mon", "mon 25:00-26:00", "tue-mon 00:00-00:01",
	} {
		f.Add(spec, at, uint8(0))
		f.Add(spec, at+5*3600+17*60, uint8(1))
	}
	f.Fuzz(func(t *testing.T, spec string, unix int64, zone uint8) {
		w, err := parseWindow(spec)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", spec)) {
				t.Fatalf("error %q does not quote the spec", err)
			}
			return
		}
		if msg := windowProblem(w); msg != "" {
			t.Fatalf("%q parsed to %+v: %s", spec, w, msg)
		}
		again, err := parseWindow(spell(w))
		if err != nil || again != w {
			t.Fatalf("%q parsed to %+v; spelled %q it reads %+v (%v)", spec, w, spell(w), again, err)
		}
		tm := time.Unix(unix, 0).In(zones[int(zone)%len(zones)])
		if got, want := w.Contains(tm), containsByWeek(w, tm); got != want {
			t.Fatalf("%q at %s: Contains says %v, its minutes of the week say %v", spec, tm.Format("Mon 15:04 MST"), got, want)
		}
	})
}

// FuzzParseClock: whatever the string, parseClock does not panic; a time it
// accepts is a minute of the day 0..1440 (1440 only as 24:00), and written
// as HH:MM it reads back the same.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"00:00", "08:00", "18:30", "22:30", "23:59", "24:00", " 7:05 ", "25:00", "24:01", "12:60", "8", "-1:00", "+8:+5", ":", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseClock(s)
		if err != nil {
			if m != 0 || !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("%q: %d with error %q", s, m, err)
			}
			return
		}
		if m < 0 || m > minutesADay {
			t.Fatalf("%q is minute %d of the day", s, m)
		}
		again, err := parseClock(clock(m))
		if err != nil || again != m {
			t.Fatalf("%q is minute %d; written %s it reads %d (%v)", s, m, clock(m), again, err)
		}
	})
}
