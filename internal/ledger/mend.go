package ledger

import "time"

// mend brings the record in line with what ECS says at `at`, when the last
// wake or sleep was not written (its tag write throttled or refused, or the
// writer stopped between scaling and tagging). When in doubt it counts awake:
// a saving the history shows must have happened.
func (r *record) mend(state Now, at time.Time) {
	switch {
	case state.Awake && !r.awake:
		// A lost wake: awake since the earliest evidence after the last write.
		r.wake(r.lostWake(state, at))
	case !state.Awake && r.awake:
		// A lost sleep: asleep since the deployment last changed (scaling to 0
		// moves it), when that is after the last write; without it, awake
		// until now — the evidence says no more.
		if c := state.Changed; c != nil && !c.Before(r.since) {
			r.sleep(earlier(*c, at))
		}
	}
}

// lostWake is when a wake the record missed began: the earliest of the wake
// time tag, the oldest task's start and the deployment's change that is not
// before the record's last write (an older one belongs to an earlier wake),
// else the last write itself.
func (r *record) lostWake(state Now, at time.Time) time.Time {
	var began *time.Time
	for _, t := range []*time.Time{state.WokenAt, state.OldestTaskStart, state.Changed} {
		if t != nil && !t.Before(r.since) && (began == nil || t.Before(*began)) {
			began = t
		}
	}
	if began == nil {
		// No evidence of when: counted awake since the last write.
		return r.since
	}
	return earlier(*began, at)
}

// firstSeen is when a service first seen awake (a first sleep, no history)
// began to be: the earliest evidence, no older than the window; else `at`.
func firstSeen(state Now, at time.Time) time.Time {
	if !state.Awake {
		return at
	}
	oldest, began := at.AddDate(0, 0, -Days), at
	for _, t := range []*time.Time{state.WokenAt, state.OldestTaskStart, state.Changed} {
		if t != nil && t.Before(began) {
			began = *t
		}
	}
	return later(later(began, oldest), earliest)
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
