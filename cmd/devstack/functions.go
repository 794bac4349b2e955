package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/api"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/cpushare"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/lambdafront"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
)

// functions are Wake and Auto-Sleep as the stack runs them: Wake behind the
// Lambda stand-in, or as a local HTTP server (a child), and Auto-Sleep as a child.
type functions struct {
	front    *lambdafront.Front
	children []*child
	// died receives a child that exited on its own.
	died chan *child
}

// functionEnv is what both functions are given to work on this stack: the
// emulator's environment awsEnv, the demo service and its rules.
func functionEnv(awsEnv []string, o options) []string {
	env := slices.Concat(awsEnv, []string{
		"CLUSTER_NAME=" + cluster, "SERVICE_NAME=" + service, "APP_PORT=" + strconv.Itoa(appPort), "HEALTH_PATH=/healthz",
		"SLEEP_AFTER_MINUTES=" + strconv.Itoa(o.sleepAfter), "GRACE_MINUTES=" + strconv.Itoa(o.grace),
		// The emulator reports made-up private addresses: the prober dials loopback only.
		"PROBE_ALLOWED_NETWORKS=127.0.0.0/8"})
	if o.dbStart > 0 {
		env = append(env, "DEPENDS_ON=rdsInstance:"+database)
	}
	return env
}

// startFunctions starts the functions with the environment env (and Wake
// with tokenKey); on an error, what it started is stopped.
func startFunctions(ctx context.Context, env []string, tokenKey string, o options, log *slog.Logger) (_ *functions, err error) {
	common := slices.Concat(env, []string{"PATH=" + os.Getenv("PATH"), "LOG_LEVEL=info"})
	wakeEnv := slices.Concat(common, []string{"TOKEN_KEY=" + tokenKey})
	fns := &functions{}
	defer func() {
		if err != nil {
			fns.stop()
		}
	}()
	if o.envs > 0 {
		if fns.front, err = startFront(o.listen, o.wakeBin, wakeEnv, o.envs, o.wakeMemory, o.logs, log); err != nil {
			return nil, err
		}
	} else {
		fns.children = append(fns.children, &child{name: "wake", bin: o.wakeBin, env: slices.Concat(wakeEnv, []string{"LISTEN_ADDR=" + o.listen})})
	}
	if o.sleepBin != "" {
		fns.children = append(fns.children, &child{name: "autosleep", bin: o.sleepBin, env: slices.Concat(common, []string{"EVALUATE_EVERY=" + o.every.String()})})
	}
	fns.died = make(chan *child, len(fns.children))
	for _, ch := range fns.children {
		if err := ch.start(o.logs, log, fns.died); err != nil {
			return nil, err
		}
	}
	if o.envs == 0 {
		if err := waitListening(ctx, o.listen, fns.children[0]); err != nil {
			return nil, err
		}
	}
	return fns, nil
}

// stop stops the children, the last started first, then the Lambda stand-in.
func (f *functions) stop() {
	for _, ch := range slices.Backward(f.children) {
		ch.stop()
	}
	if f.front != nil {
		f.front.Close()
	}
}

// startFront serves Wake on listen as API Gateway and Lambda would: each
// request an event, one request per execution environment, at most envs, each
// on memoryMB's share of a CPU where this machine lets it.
func startFront(listen, bin string, env []string, envs, memoryMB int, logs string, log *slog.Logger) (*lambdafront.Front, error) {
	if err := cpushare.Available(); err != nil {
		log.Warn("wake's execution environments run on this machine's whole CPU, not on their memory's share as on Lambda: cold starts are quicker here", "memoryMB", memoryMB, "reason", err)
		memoryMB = 0
	}
	routes, err := lambdafront.RoutesFromOpenAPI(api.OpenAPI)
	if err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(logs, "wake.log"))
	if err != nil {
		return nil, err
	}
	front, err := lambdafront.Start(listen, lambdafront.Options{
		Bin: bin, Env: env, Concurrency: envs, Routes: routes, MemoryMB: memoryMB,
		Output:  io.MultiWriter(f, &notable{name: "wake", log: log}),
		Started: func(pid int) { log.Info("wake execution environment started", "pid", pid) },
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	log.Info("wake serves as on Lambda", "url", front.URL, "environments", envs, "memoryMB", memoryMB)
	return front, nil
}

// randomKey signs the local stack's status tokens.
func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// child is a function binary run as a local program.
type child struct {
	name, bin string
	env       []string
	cmd       *exec.Cmd
	done      chan struct{}
	// stopping is set by stop and read by the goroutine that waits on the process.
	stopping atomic.Bool
}

func (c *child) start(logs string, log *slog.Logger, died chan<- *child) error {
	f, err := os.Create(filepath.Join(logs, c.name+".log"))
	if err != nil {
		return err
	}
	c.cmd = exec.Command(c.bin)
	c.cmd.Env = c.env
	c.cmd.Stdout = f
	// Its JSON log lines go to the file; the notable ones also to the console.
	c.cmd.Stderr = io.MultiWriter(f, &notable{name: c.name, log: log})
	// Its own process group, dying with devstack however devstack ends.
	if err := procgroup.Start(c.cmd); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", c.name, err)
	}
	c.done = make(chan struct{})
	go func() {
		_ = c.cmd.Wait()
		f.Close()
		close(c.done)
		if !c.stopping.Load() {
			died <- c
		}
	}()
	log.Info(c.name+" started", "pid", c.cmd.Process.Pid)
	return nil
}

// stop ends the child's process group by its id: SIGTERM, then SIGKILL after 5 s.
func (c *child) stop() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	c.stopping.Store(true)
	procgroup.Stop(c.cmd.Process.Pid, c.done, 5*time.Second)
}

func waitListening(ctx context.Context, addr string, c *child) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-c.done:
			return errors.New(c.name + " exited before listening")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not listen on %s within 15 s", c.name, addr)
		}
	}
}
