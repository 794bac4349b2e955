package autosleep

import (
	"fmt"
	"slices"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// rules are tried top to bottom and the first that applies decides, as the
// README's "How Auto-Sleep behaves" lists them. What a tick reads follows from
// the table: a service's tasks only when a rule it reaches says it needs them,
// the idle signal only for the services that reach the last rule.
var rules = []rule{
	{name: "already asleep", decide: alreadyAsleep},
	{name: "keep-warm window", decide: inKeepWarmWindow},
	{name: "grace period", tasks: graceFromTasks, decide: inGrace},
	{name: "failed wake", tasks: wakeLooksStuck, decide: failedWake},
	{name: "failed wake without a wake time", tasks: shortARNWakeLooksFailed, decide: failedShortARNWake},
	{name: "deployment in progress", decide: deploying},
	{name: "daily sleep time", decide: pastSleepAt},
	{name: "uptime signal", tasks: uptimeFromTasks, decide: uptime},
	{name: "idle signal", tasks: untagged, signal: true, decide: idleSignal},
}

// rule is one line of the table.
type rule struct {
	name string
	// tasks says whether the rule needs the service's running tasks to decide
	// for this service (nil: never); it sees only what DescribeServices told.
	tasks func(s *service, now time.Time) bool
	// signal: the rule decides on the idle signal from CloudWatch.
	signal bool
	// decide returns the rule's decision, or false when it does not apply.
	decide func(s *service, now time.Time) (decision, bool)
}

// decision is an action and the reason the report gives for it.
type decision struct {
	action, reason string
}

func keep(reason string) (decision, bool)     { return decision{Kept, reason}, true }
func sleepFor(reason string) (decision, bool) { return decision{Slept, reason}, true }

// failedTasksToGiveUp: with no wake time to measure the wait against (a short
// ARN), this many failed tasks in a row (the primary deployment's
// failedTasks) and none running make a failed wake.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
const failedTasksToGiveUp = 3

func alreadyAsleep(s *service, _ time.Time) (decision, bool) {
	if s.obs.DesiredCount != 0 {
		return decision{}, false
	}
	return decision{Skipped, "already asleep"}, true
}

func inKeepWarmWindow(s *service, now time.Time) (decision, bool) {
	p := s.cfg.Sleep
	if !inKeepWarm(p, now) {
		return decision{}, false
	}
	return keep("inside a keep-warm window (" + now.In(p.Location).Format("Mon 15:04 MST") + ")")
}

// graceFromTasks: without a wake tag (started by its owner, or a tag ECS
// refused) the tasks' start is the only evidence of how long it has been up.
func graceFromTasks(s *service, _ time.Time) bool {
	return s.cfg.Sleep.Grace > 0 && s.obs.WokenAt == nil
}

func inGrace(s *service, now time.Time) (decision, bool) {
	grace := s.cfg.Sleep.Grace
	start, ok := started(s.obs)
	if !ok || grace <= 0 || now.Sub(start) >= grace {
		return decision{}, false
	}
	return keep(fmt.Sprintf("woken %s ago, within the %s grace period", short(now.Sub(start)), short(grace)))
}

// wakeLooksStuck: a wake older than its wait budget and ECS counting fewer
// running tasks than desired; only the tasks can confirm that none runs.
func wakeLooksStuck(s *service, now time.Time) bool {
	obs := s.obs
	return obs.WokenAt != nil && now.Sub(*obs.WokenAt) > s.cfg.WakeTimeout && obs.RunningCount < obs.DesiredCount
}

func failedWake(s *service, now time.Time) (decision, bool) {
	if !wakeLooksStuck(s, now) || !s.tasksRead || anyRunning(s.obs.Tasks) {
		return decision{}, false
	}
	return sleepFor(fmt.Sprintf("the wake at %s produced no running task within %s: scaled back to 0 so a broken service does not keep costing",
		s.obs.WokenAt.UTC().Format(time.RFC3339), short(s.cfg.WakeTimeout)))
}

// shortARNWakeLooksFailed: a short ARN carries no wake time, so ECS's own
// count of failed tasks tells the failed wake; the tasks confirm none runs.
func shortARNWakeLooksFailed(s *service, _ time.Time) bool {
	obs := s.obs
	return obs.WokenAt == nil && ecsservice.ShortARN(obs.ARN) && obs.RunningCount < obs.DesiredCount && obs.FailedTasks >= failedTasksToGiveUp
}

func failedShortARNWake(s *service, now time.Time) (decision, bool) {
	if !shortARNWakeLooksFailed(s, now) || !s.tasksRead || anyRunning(s.obs.Tasks) {
		return decision{}, false
	}
	return sleepFor(fmt.Sprintf("no task runs and ECS counts %d failed tasks in a row: scaled back to 0 so a broken service does not keep costing", s.obs.FailedTasks))
}

// deploying: more than one deployment, or the primary's rollout IN_PROGRESS.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
func deploying(s *service, _ time.Time) (decision, bool) {
	if !s.obs.RolloutInProgress && s.obs.Deployments <= 1 {
		return decision{}, false
	}
	return keep("a deployment is in progress")
}

// pastSleepAt: past today's sleep time, and not woken since.
func pastSleepAt(s *service, now time.Time) (decision, bool) {
	p, woken := s.cfg.Sleep, s.obs.WokenAt
	if p.SleepAt < 0 {
		return decision{}, false
	}
	local := now.In(p.Location)
	y, m, d := local.Date()
	at := time.Date(y, m, d, p.SleepAt/60, p.SleepAt%60, 0, 0, p.Location)
	if local.Before(at) || (woken != nil && !woken.Before(at)) {
		return decision{}, false
	}
	return sleepFor(fmt.Sprintf("daily sleep time %02d:%02d %s", p.SleepAt/60, p.SleepAt%60, p.Location))
}

// untagged: the idle window must not reach back before the start, which
// without a wake tag only the tasks tell.
func untagged(s *service, _ time.Time) bool { return s.obs.WokenAt == nil }

func uptimeFromTasks(s *service, now time.Time) bool {
	return s.cfg.Sleep.Signal == config.SignalUptime && untagged(s, now)
}

// uptime is the reference design's rule: sleep a fixed time after the
// service started, busy or not.
func uptime(s *service, now time.Time) (decision, bool) {
	if s.cfg.Sleep.Signal != config.SignalUptime {
		return decision{}, false
	}
	window := s.cfg.Sleep.Window
	start, ok := started(s.obs)
	if !ok {
		return keep("uptime signal: the start time is unknown (no wake tag, no task start), so kept")
	}
	up := now.Sub(start)
	if up >= window {
		return sleepFor(fmt.Sprintf("uptime signal (activity is not measured): up %s, at least %s", short(up), short(window)))
	}
	return keep(fmt.Sprintf("uptime signal (activity is not measured): up %s, less than %s", short(up), short(window)))
}

// idleSignal decides on the signal: only idle sleeps; active and unknown keep.
func idleSignal(s *service, _ time.Time) (decision, bool) {
	v := s.verdict
	switch v.State {
	case activity.Idle:
		return sleepFor("idle: " + v.Reason)
	case activity.Active:
		return keep("in use: " + v.Reason)
	}
	return keep("unknown, so kept: " + v.Reason)
}

func inKeepWarm(p config.SleepPolicy, now time.Time) bool {
	local := now.In(p.Location)
	return slices.ContainsFunc(p.KeepWarm, func(w config.Window) bool { return w.Contains(local) })
}

// started is when the service was last woken: its tag, else its youngest task's start.
func started(obs *ecsservice.Service) (time.Time, bool) {
	if obs.WokenAt != nil {
		return *obs.WokenAt, true
	}
	var youngest time.Time
	for _, t := range obs.Tasks {
		if t.StartedAt != nil && t.StartedAt.After(youngest) {
			youngest = *t.StartedAt
		}
	}
	return youngest, !youngest.IsZero()
}

// anyRunning: a task in the RUNNING state of the task lifecycle.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
func anyRunning(tasks []ecsservice.Task) bool {
	return slices.ContainsFunc(tasks, func(t ecsservice.Task) bool { return t.LastStatus == ecsservice.StatusRunning })
}

func short(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Minute {
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return d.String()
}
