package ledger

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The format's parts (see the package doc).
const (
	version     = "v1"
	stateAwake  = "awake"
	stateAsleep = "asleep"
	sinceLayout = "2006-01-02T15:04Z"
	// digits is the base64 alphabet: every one of its characters is allowed in an ECS tag value.
	digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	// dayWidth: two digits of minutes awake (0 to 1440 < 64²), one of wakes.
	dayWidth = 3
	// maxWakes is the most wakes a day records (one digit); more count as this many.
	maxWakes = len(digits) - 1
	// minutesPerDay: a UTC day has no daylight saving time, and Go's time ignores leap seconds.
	minutesPerDay = 24 * 60
)

// MaxLen is the longest value ECS takes (in characters), and tagChar its characters.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
const MaxLen = 256

// tagChar is one character of ECS's pattern for tag values, ^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$,
// checked without the regular expression: its Unicode classes cost 0.7 ms
// at every cold start.
func tagChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Z, r) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r)
}

// ErrMalformed marks a value this package cannot read.
var ErrMalformed = errors.New("malformed ledger")

// Valid reports whether ECS would take v as a tag value.
func Valid(v string) bool {
	return utf8.RuneCountInString(v) <= MaxLen && strings.IndexFunc(v, func(r rune) bool { return !tagChar(r) }) < 0
}

// day is one UTC day of the record: minutes awake and wakes begun.
type day struct {
	minutes int
	wakes   int
}

// record is a parsed value: the state since its last change, and the days
// accounted up to that change, oldest first, the last one since's day.
type record struct {
	awake bool
	since time.Time
	days  []day
}

// The years a value's times can be in: four digits, and after the Unix epoch.
var (
	earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)
)

func checkTime(at time.Time) error {
	if at.Before(earliest) || at.After(latest) {
		return fmt.Errorf("ledger: time %s out of range", at.UTC().Format(time.RFC3339))
	}
	return nil
}

// parse reads a value; an empty one is (nil, nil).
func parse(value string) (*record, error) {
	if value == "" {
		return nil, nil
	}
	f := strings.Split(value, " ")
	if len(f) != 4 {
		return nil, fmt.Errorf("%w: %d fields, want 4", ErrMalformed, len(f))
	}
	if f[0] != version {
		return nil, fmt.Errorf("%w: version %q, this reads %s", ErrMalformed, f[0], version)
	}
	r := &record{}
	switch f[1] {
	case stateAwake:
		r.awake = true
	case stateAsleep:
	default:
		return nil, fmt.Errorf("%w: state %q", ErrMalformed, f[1])
	}
	since, err := time.Parse(sinceLayout, f[2])
	if err != nil || checkTime(since) != nil {
		return nil, fmt.Errorf("%w: since %q", ErrMalformed, f[2])
	}
	r.since = since
	if n := len(f[3]); n == 0 || n%dayWidth != 0 || n > Days*dayWidth {
		return nil, fmt.Errorf("%w: %d characters of days, want 1 to %d days of %d", ErrMalformed, n, Days, dayWidth)
	}
	for i := 0; i < len(f[3]); i += dayWidth {
		d, ok := parseDay(f[3][i : i+dayWidth])
		if !ok || d.minutes > minutesPerDay {
			return nil, fmt.Errorf("%w: day %q", ErrMalformed, f[3][i:i+dayWidth])
		}
		r.days = append(r.days, d)
	}
	// Minutes awake are counted up to since: its day cannot hold more.
	if last := r.days[len(r.days)-1]; last.minutes > minuteOfDay(since) {
		return nil, fmt.Errorf("%w: %d minutes awake on a day counted to %s", ErrMalformed, last.minutes, f[2])
	}
	return r, nil
}

func parseDay(s string) (day, bool) {
	m1, m0, w := strings.IndexByte(digits, s[0]), strings.IndexByte(digits, s[1]), strings.IndexByte(digits, s[2])
	if m1 < 0 || m0 < 0 || w < 0 {
		return day{}, false
	}
	return day{minutes: m1*len(digits) + m0, wakes: w}, true
}

// String is the tag value.
func (r *record) String() string {
	state := stateAsleep
	if r.awake {
		state = stateAwake
	}
	var b strings.Builder
	b.WriteString(version + " " + state + " " + r.since.UTC().Format(sinceLayout) + " ")
	for _, d := range r.days {
		b.WriteByte(digits[d.minutes/len(digits)])
		b.WriteByte(digits[d.minutes%len(digits)])
		b.WriteByte(digits[min(d.wakes, maxWakes)])
	}
	return b.String()
}

// fresh starts a record at first sight: the service is seen in the given
// state at `at`. Its first day counts as awake up to `at`: what came before
// is unknown, and an unknown minute is never counted as saved.
func fresh(at time.Time, awake bool) *record {
	at = floor(at)
	return &record{awake: awake, since: at, days: []day{{minutes: minuteOfDay(at)}}}
}

// advance accounts the time from since to `to` in the current state.
func (r *record) advance(to time.Time) {
	if !to.After(r.since) {
		return
	}
	from, end := dayOf(r.since), dayOf(to)
	gap := int(end.Sub(from) / (24 * time.Hour))
	if gap == 0 {
		r.addAwake(int(to.Sub(r.since) / time.Minute))
		r.since = to
		return
	}
	r.addAwake(minutesPerDay - minuteOfDay(r.since))
	// Only the last Days days are kept: a long gap skips what would be dropped.
	for i := max(1, gap-Days+1); i < gap; i++ {
		r.days = append(r.days, r.whole())
	}
	r.days = append(r.days, day{})
	r.addAwake(minuteOfDay(to))
	if len(r.days) > Days {
		r.days = r.days[len(r.days)-Days:]
	}
	r.since = to
}

func (r *record) addAwake(minutes int) {
	if r.awake {
		r.days[len(r.days)-1].minutes += minutes
	}
}

// whole is a full day in the current state.
func (r *record) whole() day {
	if r.awake {
		return day{minutes: minutesPerDay}
	}
	return day{}
}

// sameWake: a wake written on a history already awake since less than this
// is the same wake written again — one that waited for its databases writes
// its start, then its scale-up; two environments may race; a write may be
// repeated — not a new one after a lost sleep.
const sameWake = time.Hour

// wake turns an asleep record awake at `at` (rounded down: an awake minute
// is counted whole) and counts the wake on its day.
func (r *record) wake(at time.Time) {
	again := r.awake && floor(at).Sub(r.since) < sameWake
	r.advance(floor(at))
	r.awake = true
	if again {
		return
	}
	last := &r.days[len(r.days)-1]
	last.wakes = min(last.wakes+1, maxWakes)
}

// sleep turns an awake record asleep at `at` (rounded up: the minute it
// slept in counts as awake).
func (r *record) sleep(at time.Time) {
	r.advance(ceil(at))
	r.awake = false
}

func floor(t time.Time) time.Time { return t.UTC().Truncate(time.Minute) }

func ceil(t time.Time) time.Time {
	if f := floor(t); f.Before(t) {
		return f.Add(time.Minute)
	}
	return floor(t)
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func minuteOfDay(t time.Time) int {
	return int(t.UTC().Sub(dayOf(t)) / time.Minute)
}
