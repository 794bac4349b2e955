package ledger

import (
	"errors"
	"strings"
	"testing"
)

// TestALostWakeIsMendedFromWhatECSSays: the history says asleep since the
// evening before, ECS says awake (the wake's tag write failed); the sleep at
// 10:00, and the report before it, count it awake since the earliest
// evidence after the last write, and count the wake on the day it began.
func TestALostWakeIsMendedFromWhatECSSays(t *testing.T) {
	const last = "v1 asleep 2026-12-04T18:00Z AAA" // known from 4 December, asleep since 18:00
	tests := []struct {
		name string
		ecs  Now
		want string
	}{
		{"from the wake time tag", Now{Awake: true, WokenAt: ptr("2026-12-05T09:00:00Z"), OldestTaskStart: ptr("2026-12-05T09:01:00Z")}, "12-04 0/0, 12-05 60/1"},
		{"from the oldest task's start, without the tag", Now{Awake: true, OldestTaskStart: ptr("2026-12-05T09:05:00Z")}, "12-04 0/0, 12-05 55/1"},
		{"from the deployment's change, without tasks", Now{Awake: true, Changed: ptr("2026-12-05T09:01:30Z")}, "12-04 0/0, 12-05 59/1"},
		{"from the earliest evidence", Now{Awake: true, WokenAt: ptr("2026-12-05T09:30:00Z"), Changed: ptr("2026-12-05T09:10:00Z")}, "12-04 0/0, 12-05 50/1"},
		{"evidence older than the last write is an earlier wake's: awake since the last write", Now{Awake: true, OldestTaskStart: ptr("2026-12-04T17:00:00Z")}, "12-04 360/1, 12-05 600/0"},
		{"no evidence at all: awake since the last write", Now{Awake: true}, "12-04 360/1, 12-05 600/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := run(t, last, sleepSeen("2026-12-05T10:00:00Z", tc.ecs))
			if !strings.HasPrefix(v, "v1 asleep 2026-12-05T10:00Z ") {
				t.Fatalf("value %q, want asleep since 10:00", v)
			}
			days, err := History(v, ts("2026-12-05T11:00:00Z"), 2, Now{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(summary(days), ", "); got != tc.want {
				t.Fatalf("after the sleep: %s, want %s", got, tc.want)
			}
			// The report at 10:00, before any sleep, mends it the same way.
			days, err = History(last, ts("2026-12-05T10:00:00Z"), 2, tc.ecs)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(summary(days), ", "); got != tc.want {
				t.Fatalf("report: %s, want %s", got, tc.want)
			}
		})
	}
}

// TestALostSleepIsMendedFromTheDeploymentsChange: the history says awake
// since 09:00, ECS says asleep (the sleep's tag write failed).
func TestALostSleepIsMendedFromTheDeploymentsChange(t *testing.T) {
	const last = "v1 awake 2026-12-05T09:00Z AAAIcB" // woken at 09:00
	tests := []struct {
		name string
		ecs  Now
		want string
	}{
		{"asleep since the deployment changed", Now{Changed: ptr("2026-12-05T10:00:00Z")}, "12-05 600/1"},
		{"a change before the last write is not the sleep: awake until now", Now{Changed: ptr("2026-12-05T08:00:00Z")}, "12-05 720/1"},
		{"no evidence: awake until now", Now{}, "12-05 720/1"},
		{"and ECS saying awake keeps it awake", Now{Awake: true, Changed: ptr("2026-12-05T10:00:00Z")}, "12-05 720/1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			days, err := History(last, ts("2026-12-05T12:00:00Z"), 1, tc.ecs)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(summary(days), ", "); got != tc.want {
				t.Fatalf("%s, want %s", got, tc.want)
			}
		})
	}
}

// TestAFirstSightStartsTheHistory: no value yet (a service seen for the first
// time) is never an error; the time before the first sight that day counts
// as awake, and nothing before that day is known.
func TestAFirstSightStartsTheHistory(t *testing.T) {
	tests := []struct {
		name string
		ev   event
		want string
	}{
		{"a first wake", wake("2026-12-05T09:00:00Z"), "12-04 ?, 12-05 720/1"},
		{"a first sleep", sleep("2026-12-05T09:00:00Z"), "12-04 ?, 12-05 540/0"},
		{"a first sleep of a service woken days ago, by the wake time tag", sleepSeen("2026-12-05T09:00:00Z", Now{Awake: true, WokenAt: ptr("2026-12-03T12:00:00Z")}), "12-04 1440/0, 12-05 540/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			days, err := History("", ts("2026-12-05T12:00:00Z"), 2, Now{})
			if err != nil || strings.Join(summary(days), ", ") != "12-04 ?, 12-05 ?" {
				t.Fatalf("no value: %v %v, want unknown days", summary(days), err)
			}
			v := run(t, "", tc.ev)
			days, err = History(v, ts("2026-12-05T12:00:00Z"), 2, Now{Awake: tc.ev.wake})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(summary(days), ", "); got != tc.want {
				t.Fatalf("%s, want %s (value %q)", got, tc.want, v)
			}
		})
	}
}

// TestAMalformedValue: the report shows unknown days and says why; a write
// starts a fresh history, and says so.
func TestAMalformedValue(t *testing.T) {
	tests := []struct{ name, value string }{
		{"not a ledger", "hello"},
		{"a later version", "v2 awake 2026-12-05T09:00Z AAA"},
		{"an unknown state", "v1 dozing 2026-12-05T09:00Z AAA"},
		{"a date that is not one", "v1 awake 2026-13-05T09:00Z AAA"},
		{"no day", "v1 awake 2026-12-05T09:00Z "},
		{"a day cut short", "v1 awake 2026-12-05T09:00Z AAAA"},
		{"more days than kept", "v1 awake 2026-12-05T09:00Z " + strings.Repeat("AAA", Days+1)},
		{"more minutes than a day has", "v1 asleep 2026-12-05T09:00Z WhAAAA"},
		{"more minutes than the day had by then", "v1 asleep 2026-12-05T09:00Z IdA"},
		{"a character outside the alphabet", "v1 asleep 2026-12-05T09:00Z A-A"},
		{"a comma, as an emulator would take", "v1,asleep,2026-12-05T09:00Z,AAA"},
		{"spaces doubled", "v1  asleep 2026-12-05T09:00Z AAA"},
	}
	now := ts("2026-12-05T12:00:00Z")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			days, err := History(tc.value, now, 3, Now{Awake: true})
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("History: %v, want ErrMalformed", err)
			}
			if len(days) != 3 || days[0].Known || days[1].Known || days[2].Known || !days[2].Date.Equal(ts("2026-12-05T00:00:00Z")) {
				t.Fatalf("days %v, want 3 unknown days ending today", summary(days))
			}
			woke, err := Woke(tc.value, now)
			if !errors.Is(err, ErrMalformed) || woke != "v1 awake 2026-12-05T12:00Z LQB" {
				t.Fatalf("Woke: %q %v, want a fresh history and ErrMalformed", woke, err)
			}
			slept, err := Slept(tc.value, now, Now{Awake: true})
			if !errors.Is(err, ErrMalformed) || slept != "v1 asleep 2026-12-05T12:00Z LQA" {
				t.Fatalf("Slept: %q %v, want a fresh history and ErrMalformed", slept, err)
			}
		})
	}
}
