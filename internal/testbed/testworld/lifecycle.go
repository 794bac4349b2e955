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

// Lifecycle tells the status ECS would report for a task the emulator calls
// RUNNING (the emulator starts every task RUNNING at once; a Fargate task goes
// through PROVISIONING and PENDING first), and when it started.
type Lifecycle func(taskARN string, now time.Time) (lastStatus string, startedAt *time.Time)

// SetLifecycle makes DescribeTasks report each task's status by l.
func (g *Gate) SetLifecycle(l Lifecycle) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lifecycle = l
}
