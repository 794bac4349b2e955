// Package lambdafront plays API Gateway's HTTP API and the Lambda service in
// front of a built bootstrap, on loopback, the way they behave on AWS: each
// request becomes a payload format 2.0 event; an idle execution environment
// (a process of the bootstrap, driven through its own Runtime API) handles it,
// one request at a time; when every environment is busy a new one starts (a
// cold start), up to the function's concurrency limit, past which the request
// gets the answer API Gateway gives for a throttled function. Requests are not
// routed to an environment by their service or path. Environments stay warm
// and are reused. Every process is stopped by its process group id.
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
	"sync"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/cpushare"
)

// Options describe the function behind the front.
type Options struct {
	// Bin is the built bootstrap; Env its environment (the Runtime API address
	// and the AWS_LAMBDA_* variables are added per environment).
	Bin string
	Env []string
	// Concurrency is the most environments that may run at once (the
	// function's reserved concurrency); at least 1.
	Concurrency int
	// MemoryMB is the function's memory. Lambda gives CPU in proportion to
	// it, a vCPU at 1,769 MB, so each environment runs in a cpu cgroup with
	// that share of one CPU (internal/testbed/cpushare): a cold start at
	// 128 MB takes as long as 7% of a CPU makes it. Lambda takes 128 to
	// 10,240 MB: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
	// Zero: no share (the environments use this machine's CPU as they find
	// it) and Lambda's default, 128, in AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
	MemoryMB int
	// Routes are the HTTP API's routes ("GET /", "GET /{proxy+}", "ANY /x");
	// a request no route matches gets API Gateway's 404 and invokes nothing.
	// Empty: every request goes to the function (the $default route).
	Routes []string
	// Timeout is the integration timeout (API Gateway's maximum, 30 s, when zero).
	Timeout time.Duration
	// Output receives what the environments print (nil: discarded).
	Output io.Writer
	// Started, when set, is told the process id of each environment started.
	Started func(pid int)
}

// Stats are what the front saw.
type Stats struct {
	Requests     int
	Invocations  int
	ColdStarts   int // environments started
	Throttled    int // requests refused at the concurrency limit
	MostBusy     int // the most environments busy at once
	Environments int // alive now
	// CPUWaited is how long environments waited for their share of a CPU.
	CPUWaited time.Duration
	Codes     map[int]int
	// Durations are how long each invocation took, cold starts included, in order.
	Durations []time.Duration
}

// Front is a running HTTP API + Lambda stand-in.
type Front struct {
	URL string

	opts     Options
	srv      *http.Server
	listener net.Listener

	mu       sync.Mutex
	envs     []*environment
	idle     []*environment
	starting int
	busy     int
	closed   bool
	stats    Stats
	cpuGone  time.Duration // CPUWaited by environments that have exited
	seq      int
}

// API Gateway's own answers (HTTP API, Lambda proxy integration):
//   - a function Lambda throttles at its concurrency limit, or one that fails,
//     is an integration failure: 500 {"message":"Internal Server Error"}
//     (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html);
//   - no matching route: 404 {"message":"Not Found"};
//   - an integration that does not answer within the timeout: 504
//     (https://repost.aws/knowledge-center/api-gateway-504-errors).
var (
	answerThrottled = gatewayAnswer{http.StatusInternalServerError, "Internal Server Error"}
	answerFailed    = gatewayAnswer{http.StatusInternalServerError, "Internal Server Error"}
	answerNoRoute   = gatewayAnswer{http.StatusNotFound, "Not Found"}
	answerTimeout   = gatewayAnswer{http.StatusGatewayTimeout, "Gateway Timeout"}
)

type gatewayAnswer struct {
	code    int
	message string
}

// DefaultTimeout is API Gateway's integration timeout.
const DefaultTimeout = 30 * time.Second

// DefaultMemoryMB is a Lambda function's memory when none is set.
const DefaultMemoryMB = 128

// Start serves the front on a free loopback port (or addr, when given).
func Start(addr string, opts Options) (*Front, error) {
	if opts.Bin == "" {
		return nil, errors.New("lambda front: no bootstrap given")
	}
	if opts.Concurrency < 1 {
		return nil, fmt.Errorf("lambda front: concurrency %d, want at least 1", opts.Concurrency)
	}
	if opts.MemoryMB != 0 {
		if opts.MemoryMB < 128 || opts.MemoryMB > 10240 {
			return nil, fmt.Errorf("lambda front: memory %d MB, want 128 to 10240 (Lambda's range)", opts.MemoryMB)
		}
		if err := cpushare.Available(); err != nil {
			return nil, fmt.Errorf("lambda front: %d MB's share of a CPU: %w", opts.MemoryMB, err)
		}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	for _, r := range opts.Routes {
		if _, _, err := parseRoute(r); err != nil {
			return nil, err
		}
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("lambda front: listen on %s: %w", addr, err)
	}
	if opts.Output == nil {
		opts.Output = io.Discard
	}
	opts.Output = &lockedWriter{w: opts.Output}
	f := &Front{URL: "http://" + l.Addr().String(), opts: opts, listener: l, stats: Stats{Codes: map[int]int{}}}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(l) }()
	return f, nil
}

// ServeHTTP handles one visitor request as API Gateway and Lambda would.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.stats.Requests++
	f.seq++
	id := f.seq
	f.mu.Unlock()

	routeKey, params, ok := f.route(r)
	if !ok {
		f.gateway(w, answerNoRoute)
		return
	}
	event, err := eventOf(r, routeKey, params, id, time.Now())
	if err != nil {
		f.gateway(w, gatewayAnswer{http.StatusBadRequest, "Bad Request"})
		return
	}
	env, err := f.acquire()
	if err != nil {
		f.gateway(w, answerThrottled)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.opts.Timeout)
	defer cancel()
	began := time.Now()
	res, err := env.api.InvokeContext(ctx, event, env.done)
	f.mu.Lock()
	f.stats.Durations = append(f.stats.Durations, time.Since(began))
	f.mu.Unlock()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		// Lambda ends an environment that overran its invocation.
		f.retire(env)
		f.gateway(w, answerTimeout)
		return
	case err != nil:
		f.retire(env)
		f.gateway(w, answerFailed)
		return
	}
	f.release(env)
	if res.IsError {
		f.gateway(w, answerFailed)
		return
	}
	code, err := writeResponse(w, res.Body)
	if err != nil {
		f.gateway(w, answerFailed)
		return
	}
	f.count(code)
}

// gateway answers as API Gateway itself does, without the function.
func (f *Front) gateway(w http.ResponseWriter, a gatewayAnswer) {
	body, _ := json.Marshal(map[string]string{"message": a.message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(a.code)
	_, _ = w.Write(body)
	f.mu.Lock()
	if a == answerThrottled {
		f.stats.Throttled++
	}
	f.mu.Unlock()
	f.count(a.code)
}

// count notes the status code a visitor got.
func (f *Front) count(code int) {
	f.mu.Lock()
	f.stats.Codes[code]++
	f.mu.Unlock()
}

// Stats returns what the front saw so far.
func (f *Front) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Codes = make(map[int]int, len(f.stats.Codes))
	for k, v := range f.stats.Codes {
		s.Codes[k] = v
	}
	s.Environments = len(f.envs)
	s.CPUWaited = f.cpuGone
	for _, e := range f.envs {
		select {
		case <-e.done: // counted in cpuGone
		default:
			s.CPUWaited += e.cpuWaited()
		}
	}
	s.Durations = append([]time.Duration(nil), f.stats.Durations...)
	return s
}

// Pids are the process ids of the environments alive now.
func (f *Front) Pids() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var pids []int
	for _, e := range f.envs {
		pids = append(pids, e.cmd.Process.Pid)
	}
	return pids
}

// Close stops serving and stops every environment by its process group id.
func (f *Front) Close() error {
	f.mu.Lock()
	f.closed = true
	envs := append([]*environment(nil), f.envs...)
	f.mu.Unlock()
	err := f.srv.Close()
	for _, e := range envs {
		e.stop()
	}
	return err
}
