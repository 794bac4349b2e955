package wake

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// failedTask finds a task of the current wake (begun at start) that stopped
// for a reason of its own, while no task runs.
func failedTask(obs *ecsservice.Service, start *time.Time) (ecsservice.Task, bool) {
	if start == nil || slices.ContainsFunc(obs.Tasks, func(t ecsservice.Task) bool { return t.LastStatus == ecsservice.StatusRunning }) {
		return ecsservice.Task{}, false
	}
	for _, t := range obs.Stopped {
		when := t.StoppedAt
		if when == nil {
			when = t.CreatedAt
		}
		// Tasks from before this wake say nothing about it. Without times, trust the reason alone.
		if when != nil && when.Before(*start) {
			continue
		}
		if scaledIn(t.StoppedReason) {
			continue
		}
		return t, true
	}
	return ecsservice.Task{}, false
}

// scaledIn reports a stop that ECS made on purpose, not a failure.
func scaledIn(reason string) bool {
	r := strings.ToLower(reason)
	return strings.HasPrefix(r, "scaling activity initiated by") || strings.Contains(r, "deployment") && strings.Contains(r, "replaced")
}

var arnPattern = regexp.MustCompile(`arn:aws[a-zA-Z-]*:[^\s"'),]+`)

var idPattern = regexp.MustCompile(`\b[0-9a-f]{32}\b`)

// explain says why a task stopped, in words a visitor can read, without
// ARNs, and the class of the failure: from the task's stoppedReason and stop
// code and, where ECS puts the detail, its containers' reasons and exit codes
// (an out-of-memory kill says only "Essential container in task exited" in
// the task, and "OutOfMemoryError: Container killed due to memory usage" in
// the container).
// The cases are those of ECS's stopped-task error list.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html
func explain(t ecsservice.Task) (class, words string) {
	r := strings.ToLower(t.StoppedReason)
	var containers []string
	var exited *int32
	for _, c := range t.Containers {
		containers = append(containers, strings.ToLower(c.Reason))
		if c.ExitCode != nil && *c.ExitCode != 0 && exited == nil {
			exited = c.ExitCode
		}
	}
	says := func(subs ...string) bool {
		for _, text := range append([]string{r}, containers...) {
			for _, sub := range subs {
				if strings.Contains(text, sub) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case t.StopCode == "SpotInterruption" || says("spot task was interrupted"):
		return FailureCapacity, "Fargate Spot took the task back (a Spot interruption). Try again: a new task will start."
	case says("capacity is unavailable", "resource:fargate"):
		return FailureCapacity, "AWS had no Fargate capacity for the task just then. Try again in a minute."
	case says("cannotpullcontainer", "pull image", "imagepull"):
		return FailureImagePull, "The app's container image could not be downloaded."
	case says("outofmemory", "out of memory", "oomkilled"):
		return FailureOther, "The app ran out of memory while starting."
	case says("resourceinitializationerror") && says("secret", "registry auth", "ssm", "parameter"):
		return FailureOther, "The task's secrets could not be read (Secrets Manager or Parameter Store)."
	case says("resourceinitializationerror") && says("log"):
		return FailureOther, "The task's logging could not be set up."
	case says("network interface", "configure eni", "network configuration"):
		return FailureOther, "The task's network could not be set up in time."
	case says("resourceinitializationerror"):
		return FailureOther, "The task could not be set up (secrets, logs or network)."
	case says("elb health checks"):
		return FailureHealthCheck, "The app did not pass the load balancer's health checks."
	case says("container health checks", "health check"):
		return FailureHealthCheck, "The app did not pass its own health check."
	case says("cannotstartcontainer", "cannotcreatecontainer", "containerruntimeerror"):
		return FailureOther, "The app's container could not be started."
	case exited != nil && *exited == 137:
		return FailureOther, "The app was killed while starting (exit code 137)."
	case exited != nil:
		return FailureOther, fmt.Sprintf("The app exited with code %d while starting.", *exited)
	case strings.Contains(r, "essential container in task exited"), strings.TrimSpace(t.StoppedReason) == "":
		return FailureOther, "The app stopped while starting."
	}
	clean := idPattern.ReplaceAllString(arnPattern.ReplaceAllString(t.StoppedReason, "…"), "…")
	if len(clean) > 200 {
		clean = clean[:200] + "…"
	}
	return FailureOther, "The app stopped while starting: " + strings.TrimSpace(clean)
}

// plainReason says why a task stopped, in words a visitor can read (see explain).
func plainReason(t ecsservice.Task) string {
	_, words := explain(t)
	return words
}

// Failure classes: the kinds of failed wake an operator tells apart (the
// WakesFailed metric's FailureClass).
const (
	FailureImagePull   = "image-pull"
	FailureHealthCheck = "health-check"
	FailureCapacity    = "capacity"
	FailureTimeout     = "timeout"
	FailureOther       = "other"
)

// failureClass is the class of a failed wake: the stopped task's, or a
// timeout when the wait budget ran out with no task stopped.
func failureClass(svc config.Service, obs *ecsservice.Service, now time.Time) string {
	if t, ok := failedTask(obs, wakeStart(svc, obs, now)); ok {
		class, _ := explain(t)
		return class
	}
	return FailureTimeout
}
