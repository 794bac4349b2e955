// Package ledger keeps a service's history — when it was awake, day by day —
// on the service itself, in one ECS tag, so the savings report costs nothing
// to keep: the tag is written in the TagResource calls the functions already
// make when a service wakes (with its wake time) and sleeps (with its count).
//
// The tag value must match ECS's tag value pattern and length
// ([\p{L}\p{Z}\p{N}_.:/=+\-@]*, at most 256 characters):
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
package ledger

import (
	"errors"
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

// ErrNotImplemented marks the skeleton's functions until they are written.
var ErrNotImplemented = errors.New("ledger: not implemented")

// History reads the tag's value (empty when the service has none) and returns
// the last n UTC days ending today (now's day), oldest first, mended with
// what ECS says now. A malformed value is an error; the report then shows
// the days as unknown rather than guessing.
func History(value string, now time.Time, n int, state Now) ([]Day, error) {
	return nil, ErrNotImplemented
}

// Woke returns the tag value to write when a wake begins at `at`, from the
// value the service carries (empty when none).
func Woke(value string, at time.Time) (string, error) {
	return "", ErrNotImplemented
}

// Slept returns the tag value to write when the service is put to sleep at
// `at`, from the value it carries and what ECS says (which mends a lost wake).
func Slept(value string, at time.Time, state Now) (string, error) {
	return "", ErrNotImplemented
}
