package testworld

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// forward passes a recorded answer on with a new body.
func forward(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// rewrite decodes a JSON answer, lets edit change it, and encodes it again;
// an answer it cannot read passes unchanged.
func rewrite(body []byte, edit func(doc map[string]any)) []byte {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return body
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// applyLifecycle rewrites the lastStatus (and startedAt) of the RUNNING tasks
// in a DescribeTasks answer.
func applyLifecycle(body []byte, l Lifecycle, now time.Time) []byte {
	return rewrite(body, func(doc map[string]any) {
		tasks, _ := doc["tasks"].([]any)
		for _, t := range tasks {
			task, ok := t.(map[string]any)
			if !ok || task["lastStatus"] != "RUNNING" {
				continue
			}
			arn, _ := task["taskArn"].(string)
			status, started := l(arn, now)
			if status == "" {
				continue
			}
			task["lastStatus"] = status
			if started == nil {
				delete(task, "startedAt")
			} else {
				task["startedAt"] = json.Number(strconv.FormatFloat(float64(started.UnixMilli())/1000, 'f', 3, 64))
			}
		}
	})
}

// ServiceOverride is what ECS would report of a service where the emulator
// reports otherwise.
type ServiceOverride struct {
	// RunningCount: ECS counts the tasks in RUNNING; the emulator sets
	// runningCount to desiredCount whatever tasks exist.
	RunningCount *int32
	// Deploying: after UpdateService with a new task definition ECS reports a
	// new PRIMARY deployment with rolloutState IN_PROGRESS beside the ACTIVE
	// one it replaces; the emulator keeps the one deployment it had.
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
	Deploying bool
	// ShortARN: the service's ARN in the old format, without the cluster
	// (services created before the account opted in to long ARNs). ECS
	// refuses to tag it; the gate does too.
	ShortARN bool
	// FailedTasks is the primary deployment's count of consecutively failed tasks.
	FailedTasks int32
}

// SetService makes DescribeServices report the service as o says.
func (g *Gate) SetService(service string, o ServiceOverride) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.services == nil {
		g.services = map[string]ServiceOverride{}
	}
	g.services[service] = o
}

// Stop is what ECS reports of a stopped task beyond its stoppedReason: the
// stop code, and each container's reason and exit code. An out-of-memory
// kill, for one, says "Essential container in task exited" in the task's
// stoppedReason and "OutOfMemoryError: Container killed due to memory usage"
// with exit code 137 in the container's reason.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Container.html
type Stop struct {
	StopCode   string // TaskFailedToStart, EssentialContainerExited, SpotInterruption, …
	Containers []StoppedContainer
	// CreatedAt and StoppedAt: ECS reports both for a stopped task; the emulator neither.
	CreatedAt, StoppedAt time.Time
}

// StoppedContainer is one container of a stopped task.
type StoppedContainer struct {
	Name     string
	Reason   string
	ExitCode *int32
}

// SetStop makes DescribeTasks report the stopped task as s says.
func (g *Gate) SetStop(taskARN string, s Stop) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stops == nil {
		g.stops = map[string]Stop{}
	}
	g.stops[taskARN] = s
}

// applyServices rewrites the named services in a DescribeServices answer.
func applyServices(body []byte, overrides map[string]ServiceOverride) []byte {
	return rewrite(body, func(doc map[string]any) {
		services, _ := doc["services"].([]any)
		for _, s := range services {
			svc, ok := s.(map[string]any)
			if !ok {
				continue
			}
			name, _ := svc["serviceName"].(string)
			o, ok := overrides[name]
			if !ok {
				continue
			}
			if o.RunningCount != nil {
				svc["runningCount"] = *o.RunningCount
			}
			if arn, _ := svc["serviceArn"].(string); o.ShortARN {
				if head, rest, ok := strings.Cut(arn, ":service/"); ok {
					svc["serviceArn"] = head + ":service/" + rest[strings.LastIndex(rest, "/")+1:]
				}
			}
			if deps, _ := svc["deployments"].([]any); o.FailedTasks > 0 && len(deps) > 0 {
				if primary, ok := deps[0].(map[string]any); ok {
					primary["failedTasks"] = o.FailedTasks
				}
			}
			deps, _ := svc["deployments"].([]any)
			if o.Deploying && len(deps) == 1 {
				if old, ok := deps[0].(map[string]any); ok {
					primary := maps.Clone(old)
					primary["id"] = "ecs-svc/new"
					primary["rolloutState"] = "IN_PROGRESS"
					primary["runningCount"] = 0
					old["status"] = "ACTIVE"
					svc["deployments"] = []any{primary, old}
				}
			}
		}
	})
}

// applyStops adds stop codes and container reasons to the stopped tasks of a DescribeTasks answer.
func applyStops(body []byte, stops map[string]Stop) []byte {
	if len(stops) == 0 {
		return body
	}
	return rewrite(body, func(doc map[string]any) {
		tasks, _ := doc["tasks"].([]any)
		for _, t := range tasks {
			task, ok := t.(map[string]any)
			if !ok {
				continue
			}
			arn, _ := task["taskArn"].(string)
			st, ok := stops[arn]
			if !ok {
				continue
			}
			if st.StopCode != "" {
				task["stopCode"] = st.StopCode
			}
			for field, at := range map[string]time.Time{"createdAt": st.CreatedAt, "stoppedAt": st.StoppedAt} {
				if _, has := task[field]; !has && !at.IsZero() {
					task[field] = json.Number(strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64))
				}
			}
			var containers []any
			for _, c := range st.Containers {
				m := map[string]any{"name": c.Name, "lastStatus": "STOPPED", "reason": c.Reason}
				if c.ExitCode != nil {
					m["exitCode"] = *c.ExitCode
				}
				containers = append(containers, m)
			}
			if containers != nil {
				task["containers"] = containers
			}
		}
	})
}
