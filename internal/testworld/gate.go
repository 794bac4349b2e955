// Package testworld builds the world the end-to-end tests run in: the AWS
// emulator behind a gate that counts every API call and can answer with
// throttling or server errors, an ECS service, and tasks whose "public IP" is
// a loopback address where the test decides whether an app answers.
package testworld

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Fault is an error answer the gate gives instead of passing a call on.
type Fault struct {
	Status int    // HTTP status, e.g. 400 for throttling, 500 or 503
	Code   string // e.g. ThrottlingException, ServerException
}

// Gate is a reverse proxy in front of the emulator.
type Gate struct {
	URL string

	srv      *http.Server
	listener net.Listener

	mu      sync.Mutex
	calls   map[string]int
	faults  map[string]Fault // by operation; "*" for every call
	faulted int
	// throttle, when set, answers as AWS does once an account bucket is empty.
	throttle *throttle
	// lifecycle, when set, gives each task the status it would have on ECS by now.
	lifecycle Lifecycle
	// services overrides what DescribeServices reports, by service name.
	services map[string]ServiceOverride
	// stops adds to stopped tasks what ECS reports of them, by task ARN.
	stops map[string]Stop
	// log is every call the gate saw, in order.
	log []Call
}

// Call is one API call the gate saw.
type Call struct {
	Op        string
	At        time.Time
	Throttled bool
}

// Lifecycle tells the status ECS would report for a task the emulator calls
// RUNNING (the emulator starts every task RUNNING at once; a Fargate task goes
// through PROVISIONING and PENDING first), and when it started.
type Lifecycle func(taskARN string, now time.Time) (lastStatus string, startedAt *time.Time)

// NewGate starts a gate on a free loopback port in front of target.
func NewGate(target string) (*Gate, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("gate target: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("gate listen: %w", err)
	}
	g := &Gate{URL: "http://" + l.Addr().String(), listener: l, calls: map[string]int{}, faults: map[string]Fault{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	g.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := operation(r)
		g.mu.Lock()
		g.calls[op]++
		f, faulty := g.faults[op]
		if !faulty {
			f, faulty = g.faults["*"]
		}
		if faulty {
			g.faulted++
		}
		th, lifecycle, services, stops := g.throttle, g.lifecycle, g.services, g.stops
		g.mu.Unlock()
		now := time.Now()
		throttled := false
		var bucket *modelBucket
		if th != nil && !faulty {
			bucket, throttled = th.take(op, now)
		}
		if !strings.HasPrefix(r.URL.Path, "/moto-api") {
			g.mu.Lock()
			g.log = append(g.log, Call{Op: op, At: now, Throttled: throttled})
			g.mu.Unlock()
		}
		if throttled {
			th.answer(w, bucket)
			return
		}
		if (lifecycle != nil || len(stops) > 0) && op == "DescribeTasks" && !faulty {
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if lifecycle != nil {
				body = applyLifecycle(body, lifecycle, time.Now())
			}
			forward(w, rec, applyStops(body, stops))
			return
		}
		if op == "TagResource" && !faulty && refuseTags(w, r) {
			return
		}
		if len(services) > 0 && op == "DescribeServices" && !faulty {
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r)
			forward(w, rec, applyServices(rec.Body.Bytes(), services))
			return
		}
		if faulty && !strings.HasPrefix(r.URL.Path, "/moto-api") {
			if ec2Request(r) {
				writeEC2Error(w, f.Status, f.Code, "injected by the test gate", "fault")
			} else {
				writeJSONError(w, f.Status, f.Code, "injected by the test gate", "fault")
			}
			return
		}
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = g.srv.Serve(l) }()
	return g, nil
}

// operation names the API call: X-Amz-Target for JSON protocols, Action for the EC2 query protocol.
func operation(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:]
	}
	if r.Body != nil && r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			return v.Get("Action")
		}
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	return r.Method + " " + r.URL.Path
}

// Calls returns the calls counted since the last Reset, by operation.
func (g *Gate) Calls() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int, len(g.calls))
	for k, v := range g.calls {
		out[k] = v
	}
	return out
}

// Count is the number of calls of the given operations since the last Reset.
func (g *Gate) Count(ops ...string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, op := range ops {
		n += g.calls[op]
	}
	return n
}

// ResetCounts starts counting from zero.
func (g *Gate) ResetCounts() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = map[string]int{}
}

// SetFault makes every call of op (or "*" for all) fail with f until ClearFaults.
func (g *Gate) SetFault(op string, f Fault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults[op] = f
}

// Faulted is how many calls got an injected error so far.
func (g *Gate) Faulted() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.faulted
}

// ClearFaults lets every call through again.
func (g *Gate) ClearFaults() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults = map[string]Fault{}
}

// Log returns the calls seen since from.
func (g *Gate) Log(from time.Time) []Call {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Call
	for _, c := range g.log {
		if !c.At.Before(from) {
			out = append(out, c)
		}
	}
	return out
}

// Throttle makes the gate answer as AWS does once one of the buckets is empty,
// starting with full buckets now.
func (g *Gate) Throttle(specs []BucketSpec) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.throttle = newThrottle(specs, time.Now())
}

// Usage is what each bucket of the throttle model saw since Throttle.
func (g *Gate) Usage() []BucketUsage {
	g.mu.Lock()
	th := g.throttle
	g.mu.Unlock()
	if th == nil {
		return nil
	}
	return th.usage()
}

// SetLifecycle makes DescribeTasks report each task's status by l.
func (g *Gate) SetLifecycle(l Lifecycle) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lifecycle = l
}

// Close stops the gate.
func (g *Gate) Close() error { return g.srv.Close() }
