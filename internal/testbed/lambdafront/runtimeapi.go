package lambdafront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RuntimeAPI serves the Lambda Runtime API on loopback for one execution
// environment, so a built bootstrap is driven exactly as Lambda drives it: it
// asks for the next event and posts the answer or the error.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
type RuntimeAPI struct {
	Addr string // host:port, for AWS_LAMBDA_RUNTIME_API

	srv    *http.Server
	events chan invocation

	mu      sync.Mutex
	waiting map[string]chan Result
	seq     int

	ready     chan struct{}
	readyOnce sync.Once
	// initErrors holds what the function reported as its start-up error.
	initErrors chan Result
}

// Result is what the function answered to one invocation.
type Result struct {
	Body    []byte
	IsError bool
}

type invocation struct {
	id    string
	event []byte
}

// ErrEnvironmentGone means the function's process ended before it answered.
var ErrEnvironmentGone = errors.New("the execution environment's process exited")

// NewRuntimeAPI starts the Runtime API on a free loopback port.
func NewRuntimeAPI() (*RuntimeAPI, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api listen: %w", err)
	}
	r := &RuntimeAPI{Addr: l.Addr().String(), events: make(chan invocation), waiting: map[string]chan Result{}, ready: make(chan struct{}), initErrors: make(chan Result, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, req *http.Request) {
		r.readyOnce.Do(func() { close(r.ready) })
		select {
		case inv := <-r.events:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:wake")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
			_, _ = w.Write(inv.event)
		case <-req.Context().Done():
		}
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/{kind}", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		ch := r.waiting[req.PathValue("id")]
		delete(r.waiting, req.PathValue("id"))
		r.mu.Unlock()
		if ch != nil {
			ch <- Result{Body: body, IsError: req.PathValue("kind") == "error"}
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		select {
		case r.initErrors <- Result{Body: body, IsError: true}:
		default: // one start, one report: a second is dropped
		}
		w.WriteHeader(http.StatusAccepted)
	})
	r.srv = &http.Server{Handler: mux}
	go func() { _ = r.srv.Serve(l) }()
	return r, nil
}

// Ready is closed when the function first asks for an event: its
// initialisation (Lambda's Init phase) is over.
func (r *RuntimeAPI) Ready() <-chan struct{} { return r.ready }

// InitError delivers the error the function reported when it could not
// start (Lambda answers the invocation that started it with that error).
func (r *RuntimeAPI) InitError() <-chan Result { return r.initErrors }

// Invoke hands the function one event and waits for its answer, up to within for each step.
func (r *RuntimeAPI) Invoke(event []byte, within time.Duration) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*within)
	defer cancel()
	return r.InvokeContext(ctx, event, nil)
}

// InvokeContext hands the function one event and waits for its answer, until
// ctx ends or gone is closed (the process exited).
func (r *RuntimeAPI) InvokeContext(ctx context.Context, event []byte, gone <-chan struct{}) (Result, error) {
	r.mu.Lock()
	r.seq++
	id := "req-" + strconv.Itoa(r.seq)
	ch := make(chan Result, 1)
	r.waiting[id] = ch
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.waiting, id)
		r.mu.Unlock()
	}()
	select {
	case r.events <- invocation{id: id, event: event}:
	case <-gone:
		return Result{}, ErrEnvironmentGone
	case <-ctx.Done():
		return Result{}, fmt.Errorf("the function did not ask for the next event: %w", ctx.Err())
	}
	select {
	case res := <-ch:
		return res, nil
	case <-gone:
		return Result{}, ErrEnvironmentGone
	case <-ctx.Done():
		return Result{}, fmt.Errorf("no answer: %w", ctx.Err())
	}
}

// Close stops the Runtime API.
func (r *RuntimeAPI) Close() error { return r.srv.Close() }

// Decode unmarshals a result body into v.
func (res Result) Decode(v any) error {
	if err := json.NewDecoder(strings.NewReader(string(res.Body))).Decode(v); err != nil {
		return fmt.Errorf("decode %q: %w", res.Body, err)
	}
	return nil
}
