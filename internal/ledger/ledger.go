// Package ledger keeps a service's history — when it was awake, day by day —
// on the service itself, in one ECS tag, so the savings report costs nothing
// to keep: the tag is written in the TagResource calls the functions already
// make when a service wakes (with its wake time) and sleeps (with its count).
//
// The tag value must match ECS's tag value pattern and length
// ([\p{L}\p{Z}\p{N}_.:/=+\-@]*, at most 256 characters):
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
//
// # Format
//
// Four fields separated by single spaces:
//
//	v1 STATE SINCE DAYS
//
// where:
//   - v1: the format's version; a later format changes it, and this one
//     reads no other (History says so, Woke and Slept start afresh).
//   - STATE: awake or asleep, the service's state since its last wake or sleep.
//   - SINCE: when that wake or sleep happened, UTC, to the minute
//     (2006-01-02T15:04Z). A wake is rounded down and a sleep up: the minute
//     a service was awake in counts as awake.
//   - DAYS: the days accounted up to SINCE, oldest first, SINCE's day last,
//     at most 31 of them: three characters a day in the base64 alphabet
//     (A-Z a-z 0-9 + /, digits 0 to 63, all allowed in a tag value) — two
//     for the minutes awake (0 to 1440, most significant digit first) and
//     one for the wakes that began that day (0 to 63; more count as 63).
//     Days before the first of them are not known.
//
// The days after SINCE, up to the time asked, are in STATE: an awake service
// stays awake across midnight, a month's end and a year's. At its longest a
// value is 121 characters.
//
// A worked example: a service first seen when a visitor woke it on
// 4 December 2026 at 09:00:30, put to sleep at 17:30:10, woken the next day
// at 08:00 and put to sleep at 12:20, carries
//
//	v1 asleep 2026-12-05T12:20Z QbBEEB
//
// "QbB" is 4 December: Q=16 and b=27, 16×64+27 = 1051 minutes awake (until
// 17:31; the time before the first sight, 09:00, counts as awake: it is not
// known, and an unknown minute is never counted as saved), B=1 wake. "EEB"
// is 5 December: 4×64+4 = 260 minutes (08:00 to 12:20) and 1 wake.
//
// # Lost writes
//
// A wake or sleep whose tag write failed (throttled, refused, or the writer
// stopped between scaling and tagging) leaves the history in the wrong state.
// History and Slept take what ECS says (Now) and mend it, always on the side
// of counting awake, so the report never shows a saving that did not happen:
//   - the history says asleep, ECS says awake (a lost wake): awake since the
//     earliest of the wake time tag, the oldest running task's start and the
//     deployment's updatedAt that is not before the history's last write;
//     with none, since the last write. The wake counts on its day.
//   - the history says awake, ECS says asleep (a lost sleep): asleep since
//     the deployment's updatedAt (scaling to 0 moves it) when it is not before
//     the last write; without it, awake up to the time asked.
//
// Woke has no such evidence: a wake on a history that says awake (a lost
// sleep before it, or a retried wake) counts the time between as awake.
package ledger

import (
	"errors"
	"fmt"
	"time"
)

// Tag is the key of the service tag that holds the history.
const Tag = "scale-to-zero:ledger"

// Days is how many UTC days the history keeps: the last 30 days and the
// whole of this month both fit.
const Days = 31

// Day is one UTC day of a service's history.
type Day struct {
	// Date is the day's start, midnight UTC.
	Date time.Time `json:"date"`
	// Awake is how long the service had tasks wanted (desired count above 0) that day.
	Awake time.Duration `json:"-"`
	// Wakes is how many wakes began that day.
	Wakes int `json:"wakes"`
	// Known is false for a day the history does not cover (before the
	// service was first seen, or lost); its Awake is then 0 and means nothing.
	Known bool `json:"known"`
}

// Now is what ECS says of the service at the time of the report: whether it
// is awake, and the evidence of when its last change happened, which mends a
// history whose last write was lost (a wake or sleep whose tag write failed).
type Now struct {
	Awake bool
	// WokenAt is the service's wake-time tag, when present.
	WokenAt *time.Time
	// OldestTaskStart is the start of its oldest running task, when read.
	OldestTaskStart *time.Time
	// Changed is when ECS last changed the service's primary deployment
	// (its updatedAt), which an UpdateService to 0 or up moves.
	Changed *time.Time
}

// ErrNotImplemented marked the skeleton's functions before they were
// written; nothing returns it now. It stays for code written against the skeleton.
var ErrNotImplemented = errors.New("ledger: not implemented")

// History reads the tag's value (empty when the service has none) and returns
// the last n UTC days ending today (now's day), oldest first, mended with
// what ECS says now. A malformed value is an error; the report then shows
// the days as unknown rather than guessing.
//
// Today's Awake counts up to now (the minute under way included, when awake).
// Days before the history began are not Known; so are all of them, with the
// error, when the value cannot be read.
func History(value string, now time.Time, n int, state Now) ([]Day, error) {
	out := make([]Day, max(n, 0))
	today := dayOf(now)
	for i := range out {
		out[i].Date = today.AddDate(0, 0, i-len(out)+1)
	}
	if err := checkTime(now); err != nil {
		return out, err
	}
	r, err := parse(value)
	if err != nil || r == nil {
		return out, err
	}
	r.mend(state, now)
	if r.awake {
		r.advance(ceil(now))
	} else {
		r.advance(floor(now))
	}
	last := dayOf(r.since)
	for i := range out {
		back := int(last.Sub(out[i].Date) / (24 * time.Hour))
		if back < 0 || back >= len(r.days) {
			continue
		}
		d := r.days[len(r.days)-1-back]
		out[i].Awake, out[i].Wakes, out[i].Known = time.Duration(d.minutes)*time.Minute, d.wakes, true
	}
	return out, nil
}

// Woke returns the tag value to write when a wake begins at `at`, from the
// value the service carries (empty when none).
//
// A malformed value is replaced by a fresh history, returned with an error
// that says so (the caller logs it and writes the value).
func Woke(value string, at time.Time) (string, error) {
	if err := checkTime(at); err != nil {
		return "", err
	}
	r, err := parse(value)
	if r == nil {
		r = fresh(at, false)
	}
	r.wake(at)
	return r.String(), afresh(err)
}

// Slept returns the tag value to write when the service is put to sleep at
// `at`, from the value it carries and what ECS says (which mends a lost wake).
//
// A malformed value is replaced by a fresh history, returned with an error
// that says so (the caller logs it and writes the value).
func Slept(value string, at time.Time, state Now) (string, error) {
	if err := checkTime(at); err != nil {
		return "", err
	}
	r, err := parse(value)
	if r == nil {
		r = fresh(firstSeen(state, at), true)
	} else {
		r.mend(state, at)
	}
	r.sleep(at)
	return r.String(), afresh(err)
}

func afresh(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("ledger: the service's history starts afresh: %w", err)
}
