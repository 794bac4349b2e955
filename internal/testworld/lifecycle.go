package testworld

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// captured holds a proxied answer so the gate can change it before passing it on.
type captured struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header { return c.header }
func (c *captured) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}
func (c *captured) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return c.body.Write(p)
}

func (c *captured) forward(w http.ResponseWriter, body []byte) {
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if c.code == 0 {
		c.code = http.StatusOK
	}
	w.WriteHeader(c.code)
	_, _ = w.Write(body)
}

// applyLifecycle rewrites the lastStatus (and startedAt) of the RUNNING tasks
// in a DescribeTasks answer; anything it cannot read passes unchanged.
func applyLifecycle(body []byte, l Lifecycle, now time.Time) []byte {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return body
	}
	tasks, ok := doc["tasks"].([]any)
	if !ok {
		return body
	}
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
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}
