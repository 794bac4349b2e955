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

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/rdsmodel"
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
	proxy    *httputil.ReverseProxy

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
	// rds models RDS's database lifecycle (rds.go).
	rds *rdsmodel.Model
}

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
	g.proxy = httputil.NewSingleHostReverseProxy(u)
	g.rds = rdsmodel.New(g.proxy)
	g.srv = &http.Server{Handler: http.HandlerFunc(g.serve)}
	go func() { _ = g.srv.Serve(l) }()
	return g, nil
}

// serve counts the call, then answers as AWS would: throttled when the
// model's bucket is empty, with the injected fault, or with the emulator's
// answer, edited where ECS would answer otherwise.
func (g *Gate) serve(w http.ResponseWriter, r *http.Request) {
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
	th, ed := g.throttle, edits{g.lifecycle, g.services, g.stops}
	g.mu.Unlock()
	now := time.Now()
	throttled := false
	var bucket *modelBucket
	if th != nil && !faulty {
		bucket, throttled = th.take(op, now)
	}
	moto := strings.HasPrefix(r.URL.Path, "/moto-api")
	if !moto {
		g.mu.Lock()
		g.log = append(g.log, Call{Op: op, At: now, Throttled: throttled})
		g.mu.Unlock()
	}
	switch {
	case throttled:
		th.answer(w, bucket)
	case faulty && !moto && ec2Request(r):
		writeEC2Error(w, f.Status, f.Code, "injected by the test gate", "fault")
	case faulty && !moto && rdsmodel.IsRDS(r):
		rdsmodel.WriteError(w, f.Status, f.Code, "injected by the test gate")
	case faulty && !moto:
		writeJSONError(w, f.Status, f.Code, "injected by the test gate", "fault")
	case faulty:
		g.proxy.ServeHTTP(w, r)
	default:
		g.pass(w, r, op, ed)
	}
}

// edits are the gate's changes to the emulator's answers, as they were when a call arrived.
type edits struct {
	lifecycle Lifecycle
	services  map[string]ServiceOverride
	stops     map[string]Stop
}

// pass hands the call to the emulator and its answer back, edited where ECS
// would answer otherwise.
func (g *Gate) pass(w http.ResponseWriter, r *http.Request, op string, ed edits) {
	if (ed.lifecycle != nil || len(ed.stops) > 0) && op == "DescribeTasks" {
		rec := httptest.NewRecorder()
		g.proxy.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if ed.lifecycle != nil {
			body = applyLifecycle(body, ed.lifecycle, time.Now())
		}
		forward(w, rec, applyStops(body, ed.stops))
		return
	}
	if op == "TagResource" && refuseTags(w, r) {
		return
	}
	if rdsmodel.IsRDS(r) {
		g.rds.ServeHTTP(w, r)
		return
	}
	if len(ed.services) > 0 && op == "DescribeServices" {
		rec := httptest.NewRecorder()
		g.proxy.ServeHTTP(rec, r)
		forward(w, rec, applyServices(rec.Body.Bytes(), ed.services))
		return
	}
	g.proxy.ServeHTTP(w, r)
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

// Close stops the gate.
func (g *Gate) Close() error { return g.srv.Close() }
