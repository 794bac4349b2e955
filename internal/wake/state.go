// Package wake decides the state of a sleeping or waking service, wakes it
// once however many visitors arrive, and tells where to send them when ready.
package wake

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/probe"
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
)

// Status is the state of one service as visitors and operators see it.
type Status struct {
	Service        string `json:"service"`
	State          string `json:"state"`
	Stage          string `json:"stage"`
	ElapsedSeconds int    `json:"elapsedSeconds"`
	Location       string `json:"location,omitempty"`
	Message        string `json:"message,omitempty"`
	// Description is the state and stage in words, for the wait page and operators.
	Description string `json:"description"`
	// EstimatedSeconds is the time likely left, from earlier wakes of the service; absent when none is known.
	EstimatedSeconds *int `json:"estimatedSeconds,omitempty"`
	// Next tells a client what to ask next and when, while the state is neither ready nor failed.
	Next *Next `json:"next,omitempty"`

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

// LocationFor is where to send a visitor who asked for pathAndQuery, when ready.
func (s Status) LocationFor(pathAndQuery string) string {
	if s.target == nil {
		return ""
	}
	return Join(s.target, pathAndQuery)
}

// Join puts a visitor's path and query onto a base URL; the host comes only from base.
func Join(base *url.URL, pathAndQuery string) string {
	u := *base
	p, q, _ := strings.Cut(CleanPath(pathAndQuery), "?")
	pu, err := url.Parse(p)
	if err != nil {
		pu = &url.URL{Path: "/"}
	}
	u.Path = strings.TrimRight(base.Path, "/") + pu.Path
	u.RawPath = strings.TrimRight(base.EscapedPath(), "/") + pu.EscapedPath()
	u.RawQuery = q
	return u.String()
}

// CleanPath keeps a visitor's path and query only when it is a plain
// absolute path; anything that could name another host, or that a Location
// header cannot carry (a control character), becomes "/".
func CleanPath(pathAndQuery string) string {
	if !strings.HasPrefix(pathAndQuery, "/") || strings.HasPrefix(pathAndQuery, "//") ||
		strings.HasPrefix(pathAndQuery, "/\\") || strings.ContainsRune(pathAndQuery, '#') ||
		strings.ContainsFunc(pathAndQuery, isControl) {
		return "/"
	}
	p, q, hasQuery := strings.Cut(pathAndQuery, "?")
	if _, err := url.Parse(p); err != nil {
		return "/"
	}
	if hasQuery {
		if _, err := url.ParseQuery(q); err != nil {
			return p
		}
		return p + "?" + q
	}
	return p
}

// isControl reports an ASCII control character: a header value cannot carry one.
func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// describe says the state and stage in words a visitor understands.
func describe(st Status) Status {
	switch st.State {
	case Asleep:
		st.Description = "The service is asleep."
	case Ready:
		st.Description = "Ready. Taking you there…"
	case Failed:
		st.Description = "The service could not start."
	default:
		st.Description = map[string]string{
			StageNoTask:       "Starting a task…",
			StageProvisioning: "Preparing the task's network…",
			StagePending:      "Pulling the image and starting the container…",
			StageActivating:   "Almost there: connecting the task…",
			StageStartingApp:  "The app is starting up…",
			StageChecking:     "Checking on the service…",
		}[st.Stage]
	}
	return st
}

// target is where a ready task answers, for the configured address mode.
func targetOf(svc config.Service, t ecsservice.Task) (probe.Target, *url.URL, bool) {
	host := t.PublicIP
	if svc.Address == config.AddressPrivate {
		host = t.PrivateIP
	}
	if svc.Address == config.AddressURL {
		u, err := url.Parse(svc.URL)
		if err != nil {
			return probe.Target{}, nil, false
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		n, _ := strconv.Atoi(port)
		return probe.Target{Scheme: u.Scheme, Host: u.Hostname(), Port: n, HealthPath: svc.HealthPath}, u, true
	}
	if host == "" {
		return probe.Target{}, nil, false
	}
	pt := probe.Target{Scheme: svc.Scheme, Host: host, Port: svc.Port, HealthPath: svc.HealthPath}
	u := &url.URL{Scheme: svc.Scheme, Host: net.JoinHostPort(host, strconv.Itoa(svc.Port))}
	if (svc.Scheme == "http" && svc.Port == 80) || (svc.Scheme == "https" && svc.Port == 443) {
		// The default port is left out; an IPv6 address keeps its brackets.
		u.Host = strings.TrimSuffix(u.Host, ":"+strconv.Itoa(svc.Port))
	}
	return pt, u, true
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
		return st
	}
	if start != nil && now.Sub(*start) > svc.WakeTimeout {
		st.State = Failed
		st.Message = fmt.Sprintf("The service did not become ready within %s.", humanDuration(svc.WakeTimeout))
		return st
	}
	st.State, st.Stage = Waking, stageOf(obs.Tasks)
	st.EstimatedSeconds = estimate(obs.WakeSeconds, st.ElapsedSeconds)
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
	order := []string{"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"}
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

// plainReason says why a task stopped, in words a visitor can read, without
// ARNs: from the task's stoppedReason and stop code and, where ECS puts the
// detail, its containers' reasons and exit codes (an out-of-memory kill says
// only "Essential container in task exited" in the task, and
// "OutOfMemoryError: Container killed due to memory usage" in the container).
// The cases are those of ECS's stopped-task error list.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html
func plainReason(t ecsservice.Task) string {
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
		return "Fargate Spot took the task back (a Spot interruption). Try again: a new task will start."
	case says("capacity is unavailable", "resource:fargate"):
		return "AWS had no Fargate capacity for the task just then. Try again in a minute."
	case says("cannotpullcontainer", "pull image", "imagepull"):
		return "The app's container image could not be downloaded."
	case says("outofmemory", "out of memory", "oomkilled"):
		return "The app ran out of memory while starting."
	case says("resourceinitializationerror") && says("secret", "registry auth", "ssm", "parameter"):
		return "The task's secrets could not be read (Secrets Manager or Parameter Store)."
	case says("resourceinitializationerror") && says("log"):
		return "The task's logging could not be set up."
	case says("network interface", "configure eni", "network configuration"):
		return "The task's network could not be set up in time."
	case says("resourceinitializationerror"):
		return "The task could not be set up (secrets, logs or network)."
	case says("elb health checks"):
		return "The app did not pass the load balancer's health checks."
	case says("container health checks", "health check"):
		return "The app did not pass its own health check."
	case says("cannotstartcontainer", "cannotcreatecontainer", "containerruntimeerror"):
		return "The app's container could not be started."
	case exited != nil && *exited == 137:
		return "The app was killed while starting (exit code 137)."
	case exited != nil:
		return fmt.Sprintf("The app exited with code %d while starting.", *exited)
	case strings.Contains(r, "essential container in task exited"), strings.TrimSpace(t.StoppedReason) == "":
		return "The app stopped while starting."
	}
	clean := idPattern.ReplaceAllString(arnPattern.ReplaceAllString(t.StoppedReason, "…"), "…")
	if len(clean) > 200 {
		clean = clean[:200] + "…"
	}
	return "The app stopped while starting: " + strings.TrimSpace(clean)
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
