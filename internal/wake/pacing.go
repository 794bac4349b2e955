package wake

import (
	"math/rand/v2"
	"time"
)

// How long a client waits before its next status poll. The server paces the
// polling: slowly while nothing visible can change soon, fast once the task's
// address is known (a poll then costs no AWS call, only a probe of the app).
// Every delay gets ±20% jitter, so a crowd that arrived together does not
// poll together.
const (
	paceAsleep   = 5 * time.Second        // nothing changes until someone visits
	paceChecking = 3 * time.Second        // AWS could not be read just now
	paceBusy     = time.Second            // this environment is over its read budget; the next poll may land in another
	paceEarly    = 2 * time.Second        // no task yet, or one still provisioning
	paceLong     = 4 * time.Second        // ... when earlier wakes say the end is far off
	paceDatabase = 5 * time.Second        // a database is starting: RDS takes minutes
	paceStarting = time.Second            // a task has its address (no token: polls may read ECS)
	paceAddress  = 700 * time.Millisecond // a task has its address and the poll carries a token
	// longWake is the time left past which polling slows to paceLong.
	longWake = 20
	jitter   = 0.2
)

// pace is the delay before the next poll, in milliseconds; 0 for a final state.
func pace(st Status, token bool) int {
	var d time.Duration
	switch {
	case st.State == Ready || st.State == Failed:
		return 0
	case st.State == Asleep:
		d = paceAsleep
	case st.Stage == StageChecking:
		d = paceChecking
	case st.Stage == StageStartingDatabase:
		d = paceDatabase
	case token:
		d = paceAddress
	case st.Stage == StagePending || st.Stage == StageActivating || st.Stage == StageStartingApp:
		d = paceStarting
	case st.EstimatedSeconds != nil && *st.EstimatedSeconds > longWake:
		d = paceLong
	default:
		d = paceEarly
	}
	return jittered(d)
}

// jittered is d in milliseconds, ±jitter.
func jittered(d time.Duration) int {
	return int(float64(d.Milliseconds()) * (1 - jitter + 2*jitter*rand.Float64()))
}

// paced adds when to ask next (and with which token) to a status that is not final.
func (c *Controller) paced(st Status, token *string) Status {
	after := pace(st, token != nil)
	if after == 0 {
		return st
	}
	st.Next = &Next{AfterMs: after}
	if token != nil {
		st.Next.Token = *token
	}
	return st
}
