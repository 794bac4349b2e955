package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is a weekly time window: on Days, from From to To (minutes after midnight).
type Window struct {
	Days     [7]bool // indexed by time.Weekday
	From, To int
}

// Contains reports whether t (in the window's time zone) falls inside.
func (w Window) Contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.From <= w.To {
		return w.Days[t.Weekday()] && m >= w.From && m < w.To
	}
	// Over midnight: the part after midnight belongs to the day before.
	if m >= w.From {
		return w.Days[t.Weekday()]
	}
	return m < w.To && w.Days[(t.Weekday()+6)%7]
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// parseWindow reads "mon-fri 08:00-18:00", "sat,sun 10:00-12:00" or "daily 22:00-02:00".
func parseWindow(spec string) (Window, error) {
	var w Window
	days, hours, ok := strings.Cut(strings.TrimSpace(strings.ToLower(spec)), " ")
	if !ok {
		return w, fmt.Errorf("%q: want days and hours, such as \"mon-fri 08:00-18:00\"", spec)
	}
	if days == "daily" || days == "every" {
		days = "sun-sat"
	}
	for part := range strings.SplitSeq(days, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := dayNames[from]
		if !ok {
			return w, fmt.Errorf("%q: unknown day %q (use mon, tue, wed, thu, fri, sat, sun)", spec, from)
		}
		b := a
		if isRange {
			if b, ok = dayNames[to]; !ok {
				return w, fmt.Errorf("%q: unknown day %q", spec, to)
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			w.Days[d] = true
			if d == b {
				break
			}
		}
	}
	from, to, ok := strings.Cut(strings.TrimSpace(hours), "-")
	if !ok {
		return w, fmt.Errorf("%q: want hours such as 08:00-18:00", spec)
	}
	var err error
	if w.From, err = parseClock(from); err != nil {
		return w, fmt.Errorf("%q: %v", spec, err)
	}
	if w.From == 24*60 {
		return w, fmt.Errorf("%q: 24:00 only ends a window; start it at 00:00", spec)
	}
	if w.To, err = parseClock(to); err != nil {
		return w, fmt.Errorf("%q: %v", spec, err)
	}
	if w.From == w.To {
		return w, fmt.Errorf("%q: the window is empty", spec)
	}
	return w, nil
}

// parseClock reads "HH:MM" (24 hours; "24:00" is the end of the day).
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day such as 18:30", s)
	}
	return hh*60 + mm, nil
}
