package ledger

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// ecsTagValue is ECS's tag value constraint: at most 256 characters of this pattern.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
var ecsTagValue = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)

func acceptedByECS(t *testing.T, v string) {
	t.Helper()
	if utf8.RuneCountInString(v) > 256 || !ecsTagValue.MatchString(v) {
		t.Fatalf("value %q is not one ECS accepts", v)
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(s string) *time.Time {
	t := ts(s)
	return &t
}

// event is one write: a wake (Woke) or a sleep (Slept, with what ECS says).
type event struct {
	wake bool
	at   string
	ecs  Now
}

func wake(at string) event             { return event{wake: true, at: at} }
func sleep(at string) event            { return event{at: at, ecs: Now{Awake: true}} }
func sleepSeen(at string, n Now) event { return event{at: at, ecs: n} }
func run(t *testing.T, v string, evs ...event) string {
	t.Helper()
	for _, e := range evs {
		var err error
		if e.wake {
			v, err = Woke(v, ts(e.at))
		} else {
			v, err = Slept(v, ts(e.at), e.ecs)
		}
		if err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		acceptedByECS(t, v)
	}
	return v
}

// summary is the days as "DATE MINUTES/WAKES", unknown days as "DATE ?".
func summary(days []Day) []string {
	var out []string
	for _, d := range days {
		if !d.Known {
			out = append(out, d.Date.Format("01-02")+" ?")
			continue
		}
		out = append(out, fmt.Sprintf("%s %d/%d", d.Date.Format("01-02"), int(d.Awake/time.Minute), d.Wakes))
	}
	return out
}

func TestTheWorkedExampleOfThePackageDoc(t *testing.T) {
	v := run(t, "", wake("2026-12-04T09:00:30Z"), sleep("2026-12-04T17:30:10Z"), wake("2026-12-05T08:00:00Z"), sleep("2026-12-05T12:20:00Z"))
	if v != "v1 asleep 2026-12-05T12:20Z QbBEEB" {
		t.Fatalf("value %q", v)
	}
	days, err := History(v, ts("2026-12-05T13:00:00Z"), 3, Now{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(summary(days), ", "); got != "12-03 ?, 12-04 1051/1, 12-05 260/1" {
		t.Fatalf("history %s", got)
	}
}

func TestTheHistoryCountsAwakeMinutesDayByDay(t *testing.T) {
	tests := []struct {
		name   string
		start  string // the history's first day: asleep from its start
		events []event
		now    string
		ecs    Now
		n      int
		want   string
	}{
		{
			name: "an awake period across midnight counts on both days", start: "2026-03-10",
			events: []event{wake("2026-03-10T22:00:00Z"), sleep("2026-03-11T02:00:00Z")},
			now:    "2026-03-11T12:00:00Z", n: 3, want: "03-09 ?, 03-10 120/1, 03-11 120/0",
		},
		{
			name: "January 31 to February 1", start: "2027-01-31",
			events: []event{wake("2027-01-31T23:30:00Z"), sleep("2027-02-01T00:45:00Z")},
			now:    "2027-02-01T01:00:00Z", n: 2, want: "01-31 30/1, 02-01 45/0",
		},
		{
			name: "December 31 to January 1", start: "2026-12-31",
			events: []event{wake("2026-12-31T23:00:00Z"), sleep("2027-01-01T01:00:00Z")},
			now:    "2027-01-01T01:00:00Z", n: 2, want: "12-31 60/1, 01-01 60/0",
		},
		{
			name: "an awake service stays awake through a 31-day month then a 28-day one", start: "2027-01-01",
			events: []event{wake("2027-01-31T12:00:00Z")},
			now:    "2027-03-01T06:00:00Z", ecs: Now{Awake: true}, n: 4,
			want: "02-26 1440/0, 02-27 1440/0, 02-28 1440/0, 03-01 360/0",
		},
		{
			name: "a day with several wakes", start: "2026-06-01",
			events: []event{
				wake("2026-06-02T08:00:00Z"), sleep("2026-06-02T09:00:00Z"),
				wake("2026-06-02T12:00:00Z"), sleep("2026-06-02T12:30:00Z"),
				wake("2026-06-02T18:00:00Z"), sleep("2026-06-02T18:05:00Z"),
			},
			now: "2026-06-02T20:00:00Z", n: 2, want: "06-01 0/0, 06-02 95/3",
		},
		{
			name: "a few seconds awake count as the minutes they touched", start: "2026-06-01",
			events: []event{wake("2026-06-01T10:00:50Z"), sleep("2026-06-01T10:01:10Z")},
			now:    "2026-06-01T11:00:00Z", n: 1, want: "06-01 2/1",
		},
		{
			name: "today counts up to now while awake", start: "2026-06-01",
			events: []event{wake("2026-06-02T10:00:00Z")},
			now:    "2026-06-02T10:30:20Z", ecs: Now{Awake: true}, n: 1, want: "06-02 31/1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Known from the first day's start, asleep.
			v := run(t, "v1 asleep "+tc.start+"T00:00Z AAA", tc.events...)
			days, err := History(v, ts(tc.now), tc.n, tc.ecs)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(summary(days), ", "); got != tc.want {
				t.Fatalf("history %s\nwant    %s\n(value %q)", got, tc.want, v)
			}
		})
	}
}

func TestAWindowLongerThanTheHistoryKeepsTheLast31Days(t *testing.T) {
	tests := []struct {
		name   string
		events []event
		ecs    Now
		want   int // minutes awake on each of the 30 whole days before today
		today  int // minutes awake today, to 13:00
	}{
		{"asleep for 40 days, then woken", []event{wake("2026-01-01T08:00:00Z"), sleep("2026-01-01T09:00:00Z"), wake("2026-02-10T12:00:00Z")}, Now{Awake: true}, 0, 60},
		{"awake for 40 days", []event{wake("2026-01-01T08:00:00Z"), wake("2026-02-10T12:00:00Z")}, Now{Awake: true}, 1440, 780},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := run(t, "", tc.events...)
			if n := len(v) - len("v1 awake 2026-02-10T12:00Z "); n != Days*3 {
				t.Fatalf("%d characters of days, want %d: %q", n, Days*3, v)
			}
			days, err := History(v, ts("2026-02-10T13:00:00Z"), 40, tc.ecs)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range days {
				switch {
				case i < 40-Days:
					if d.Known {
						t.Errorf("%s: known, beyond the %d days kept", d.Date.Format("01-02"), Days)
					}
				case i < 39:
					if !d.Known || d.Awake != time.Duration(tc.want)*time.Minute {
						t.Errorf("%s: %v awake (known %v), want %d minutes", d.Date.Format("01-02"), d.Awake, d.Known, tc.want)
					}
				default:
					if d.Wakes != 1 || d.Awake != time.Duration(tc.today)*time.Minute {
						t.Errorf("today: %v awake, %d wakes", d.Awake, d.Wakes)
					}
				}
			}
		})
	}
}

// TestTheSameWakeWrittenTwiceCountsOnce: a wake written again minutes later
// (one that waited for its databases writes its start, then its scale-up; two
// environments may race) is one wake, awake from the first write.
func TestTheSameWakeWrittenTwiceCountsOnce(t *testing.T) {
	v := run(t, "", sleep("2026-03-01T10:00:00Z"), wake("2026-03-02T08:00:00Z"), wake("2026-03-02T08:12:00Z"), sleep("2026-03-02T09:00:00Z"))
	days, err := History(v, ts("2026-03-02T12:00:00Z"), 1, Now{})
	if err != nil {
		t.Fatal(err)
	}
	if d := days[0]; d.Wakes != 1 || d.Awake != time.Hour {
		t.Errorf("%d wakes, %v awake; want 1 wake, 1h awake", d.Wakes, d.Awake)
	}
}

// TestValidTakesWhatECSTakesAsATagValue: ECS's pattern for tag values,
// ^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$, at most 256 characters.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
func TestValidTakesWhatECSTakesAsATagValue(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"", true},
		{"v1 awake 2026-12-05T09:00Z AAA", true},
		{"été Ωμέγα 東京 ٣", true},
		{"a\u00a0b", true}, // a no-break space is in Z
		{"_.:/=+-@", true},
		{strings.Repeat("é", MaxLen), true},
		{strings.Repeat("a", MaxLen+1), false},
		{"a#b", false},
		{"a\tb", false}, // a tab is a control character, not Z
		{"😀", false},
		{"a\xffb", false},
	} {
		if got := Valid(tc.value); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.value, got, tc.want)
		}
	}
}
