// Package wake decides the state of a sleeping or waking service, wakes it
// once however many visitors arrive, and tells where to send them when ready.
package wake

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// States, as the status endpoint reports them.
const (
	Asleep = "asleep"
	Waking = "waking"
	Ready  = "ready"
	Failed = "failed"
)

// Stages of a wake, the furthest any task of the service has reached.
const (
	StageNoTask       = "no-task"      // scaled up, no task placed yet
	StageProvisioning = "provisioning" // ECS is setting up the task's network
	StagePending      = "pending"      // pulling the image, starting containers
	StageActivating   = "activating"   // registering with load balancers, service discovery
	StageStartingApp  = "starting-app" // the task is RUNNING but the app does not answer yet
	StageChecking     = "checking"     // ECS could not be read just now; trying again
	// StageStartingDatabase: the service is still at 0 while its databases start.
	StageStartingDatabase = "starting-database"
)

// Status is the state of one service as visitors and operators see it.
type Status struct {
	Service        string `json:"service"`
	State          string `json:"state"`
	Stage          string `json:"stage"`
	ElapsedSeconds int    `json:"elapsedSeconds"`
	Location       string `json:"location,omitempty"`
	Message        string `json:"message,omitempty"`
	// Description is the state and stage in an operator's words; the wait
	// page has its own for visitors.
	Description string `json:"description"`
	// EstimatedSeconds is the time likely left, from earlier wakes of the service; absent when none is known.
	EstimatedSeconds *int `json:"estimatedSeconds,omitempty"`
	// Next tells a client what to ask next and when, while the state is neither ready nor failed.
	Next *Next `json:"next,omitempty"`
	// FailedAt is when a failed wake failed (UTC, to the second); zero, and
	// absent from the JSON, in other states or when ECS gave no time.
	FailedAt time.Time `json:"failedAt,omitzero"`
	// Databases are the service's databases as RDS reported them, while a wake waits for them.
	Databases []database.Database `json:"databases,omitempty"`

	// target is where a ready service answers (scheme, host, port, or a fixed URL).
	target *url.URL
}

// Next is the status request a client makes next, and when.
type Next struct {
	URL     string `json:"url"`
	AfterMs int    `json:"afterMs"`
	// Token, when set, is the signed token the URL must carry (the HTTP face builds the URL).
	Token string `json:"-"`
}

// ReadyAt is the status of a service that answers at base.
func ReadyAt(service string, base *url.URL) Status {
	return describe(Status{Service: service, State: Ready, Location: base.String(), target: base})
}

// describe says the state and stage in an operator's words, as ECS reports
// them (task states:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
// The wait page shows visitors its own words (waitpage.Words).
func describe(st Status) Status {
	switch st.State {
	case Asleep:
		st.Description = "Asleep: the service's desired count is 0."
	case Ready:
		st.Description = "Ready: the app answers at " + st.Location + "."
	case Failed:
		st.Description = "Failed: the service did not start (message says why)."
	default:
		st.Description = stageWords[st.Stage]
	}
	return st
}

// stageWords describe each stage of a wake.
var stageWords = map[string]string{
	StageNoTask:           "Starting: the desired count is raised; no task yet.",
	StageProvisioning:     "Starting: the task is PROVISIONING (its network interface is being attached).",
	StagePending:          "Starting: the task is PENDING (its image is being pulled and its container started).",
	StageActivating:       "Starting: the task is ACTIVATING (ECS is finishing its set-up before RUNNING).",
	StageStartingApp:      "Starting: the task is RUNNING; the app does not answer the probe yet.",
	StageChecking:         "Starting: ECS could not be read just now; asking again.",
	StageStartingDatabase: "Starting the database: the service's desired count is raised once every database it depends on is available (databases says each one's RDS status).",
}

// decide turns an observation and the probe's answer into a Status.
// ready is the task that answered, or nil.
func decide(svc config.Service, obs *ecsservice.Service, ready *url.URL, now time.Time) Status {
	return describe(decideState(svc, obs, ready, now))
}

func decideState(svc config.Service, obs *ecsservice.Service, ready *url.URL, now time.Time) Status {
	st := Status{Service: svc.Name}
	if obs.DesiredCount == 0 {
		st.State = Asleep
		return st
	}
	start := wakeStart(svc, obs, now)
	if start != nil && now.After(*start) {
		st.ElapsedSeconds = int(now.Sub(*start) / time.Second)
	}
	if ready != nil {
		r := ReadyAt(svc.Name, ready)
		r.ElapsedSeconds = st.ElapsedSeconds
		return r
	}
	if t, ok := failedTask(obs, start); ok {
		st.State, st.Message = Failed, plainReason(t)
		ended := t.StoppedAt
		if ended == nil {
			ended = t.CreatedAt
		}
		return failedAt(st, start, ended)
	}
	if start != nil && now.Sub(*start) > svc.WakeTimeout {
		st.State = Failed
		st.Message = fmt.Sprintf("The service did not become ready within %s.", humanDuration(svc.WakeTimeout))
		ended := start.Add(svc.WakeTimeout)
		return failedAt(st, start, &ended)
	}
	st.State, st.Stage = Waking, stageOf(obs.Tasks)
	st.EstimatedSeconds = estimate(obs.WakeSeconds, st.ElapsedSeconds)
	return st
}

// failedAt dates a failed wake: when it ended, and the time elapsed stops
// there rather than counting on for as long as someone looks.
func failedAt(st Status, start, ended *time.Time) Status {
	if ended == nil {
		return st
	}
	st.FailedAt = ended.UTC().Truncate(time.Second)
	if start != nil && ended.After(*start) {
		st.ElapsedSeconds = int(ended.Sub(*start) / time.Second)
	}
	return st
}

// wakeStart is when the current wake began: the wake tag, or, without one, the
// creation of the service's oldest current task (what ECS itself reports). A
// tag older than the current tasks by more than the wait budget is from an
// earlier wake and is not believed.
func wakeStart(svc config.Service, obs *ecsservice.Service, now time.Time) *time.Time {
	var oldest *time.Time
	for _, t := range obs.Tasks {
		if t.CreatedAt != nil && (oldest == nil || t.CreatedAt.Before(*oldest)) {
			oldest = t.CreatedAt
		}
	}
	if obs.WokenAt != nil && (oldest == nil || oldest.Sub(*obs.WokenAt) <= svc.WakeTimeout) {
		return obs.WokenAt
	}
	if oldest == nil && obs.WokenAt == nil && obs.DesiredCount > 0 {
		// No wake tag (a short ARN cannot be tagged) and no task wanted running: the
		// wake's latest attempt is the newest task that stopped within the wait
		// budget, as ECS reports it.
		for _, t := range obs.Stopped {
			ended := t.StoppedAt
			if ended == nil {
				ended = t.CreatedAt
			}
			if t.CreatedAt != nil && ended != nil && now.Sub(*ended) <= svc.WakeTimeout && (oldest == nil || t.CreatedAt.After(*oldest)) {
				oldest = t.CreatedAt
			}
		}
	}
	return oldest
}

// estimate is the time likely left: the median of earlier wakes less the time
// elapsed, and at least a second while the wake goes on.
func estimate(history []int, elapsed int) *int {
	if len(history) == 0 {
		return nil
	}
	sorted := slices.Clone(history)
	slices.Sort(sorted)
	left := max(sorted[len(sorted)/2]-elapsed, 1)
	return &left
}

// stageOf is the furthest stage any task has reached.
func stageOf(tasks []ecsservice.Task) string {
	order := []string{ecsservice.StatusProvisioning, ecsservice.StatusPending, ecsservice.StatusActivating, ecsservice.StatusRunning}
	best := -1
	for _, t := range tasks {
		if i := slices.Index(order, t.LastStatus); i > best {
			best = i
		}
	}
	switch best {
	case 0:
		return StageProvisioning
	case 1:
		return StagePending
	case 2:
		return StageActivating
	case 3:
		return StageStartingApp
	}
	return StageNoTask
}

func humanDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		n := int(d / time.Minute)
		if n == 1 {
			return "1 minute"
		}
		return strconv.Itoa(n) + " minutes"
	}
	return strconv.Itoa(int(d/time.Second)) + " seconds"
}
