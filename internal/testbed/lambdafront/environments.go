package lambdafront

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/cpushare"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
)

// environment is one execution environment: a bootstrap process and its Runtime API.
type environment struct {
	api  *RuntimeAPI
	cmd  *exec.Cmd
	cpu  *cpushare.Group
	done chan struct{}
}

var errThrottled = errors.New("throttled: every environment is busy and the concurrency limit is reached")

// acquire hands out an idle environment, picked at random (Lambda routes by
// no key of ours), or starts one while under the concurrency limit.
func (f *Front) acquire() (*environment, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, errors.New("lambda front closed")
	}
	if n := len(f.idle); n > 0 {
		i := rand.IntN(n)
		env := f.idle[i]
		f.idle[i] = f.idle[n-1]
		f.idle = f.idle[:n-1]
		f.took()
		f.mu.Unlock()
		return env, nil
	}
	if len(f.envs)+f.starting >= f.opts.Concurrency {
		f.mu.Unlock()
		return nil, errThrottled
	}
	f.starting++
	f.took()
	f.mu.Unlock()

	env, err := f.start()
	f.mu.Lock()
	f.starting--
	closed := f.closed
	if err != nil || closed {
		f.busy--
	} else {
		f.envs = append(f.envs, env)
		f.stats.ColdStarts++
	}
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if closed {
		// Close did not see this one: it must not outlive the front.
		env.stop()
		return nil, errors.New("lambda front closed")
	}
	return env, nil
}

// took counts one more busy environment; f.mu is held.
func (f *Front) took() {
	f.busy++
	f.stats.Invocations++
	f.stats.MostBusy = max(f.stats.MostBusy, f.busy)
}

// release takes back an environment after an invocation: idle again, or
// forgotten when its process has exited meanwhile.
func (f *Front) release(env *environment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.busy--
	select {
	case <-env.done:
		f.drop(env)
	default:
		f.idle = append(f.idle, env)
	}
}

// retire stops an environment that failed or overran and forgets it.
func (f *Front) retire(env *environment) {
	env.stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.busy--
	f.drop(env)
}

// drop forgets an environment; f.mu is held.
func (f *Front) drop(env *environment) {
	for i, e := range f.envs {
		if e == env {
			f.envs = append(f.envs[:i], f.envs[i+1:]...)
			break
		}
	}
}

// start starts an execution environment: a bootstrap process with its own
// Runtime API, the variables Lambda sets and its memory's share of a CPU.
func (f *Front) start() (*environment, error) {
	var cpu *cpushare.Group
	memory := DefaultMemoryMB
	if f.opts.MemoryMB != 0 {
		memory = f.opts.MemoryMB
		g, err := cpushare.New("lambda-env", cpushare.ForMemory(memory))
		if err != nil {
			return nil, fmt.Errorf("start an execution environment: %w", err)
		}
		cpu = g
	}
	api, err := NewRuntimeAPI()
	if err != nil {
		_ = cpu.Close()
		return nil, err
	}
	cmd := exec.Command(f.opts.Bin)
	cmd.Env = append(append([]string(nil), f.opts.Env...),
		"AWS_LAMBDA_RUNTIME_API="+api.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=wake",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(memory),
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
	)
	cmd.Stdout, cmd.Stderr = f.opts.Output, f.opts.Output
	cpu.Wrap(cmd)
	// Its own process group, dying with this process however it ends.
	if err := procgroup.Start(cmd); err != nil {
		_ = api.Close()
		_ = cpu.Close()
		return nil, fmt.Errorf("start an execution environment: %w", err)
	}
	env := &environment{api: api, cmd: cmd, cpu: cpu, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		waited := env.cpuWaited()
		_ = cpu.Close()
		f.mu.Lock()
		f.cpuGone += waited
		close(env.done) // under f.mu: Stats counts it once, here or live
		f.mu.Unlock()
	}()
	if f.opts.Started != nil {
		f.opts.Started(cmd.Process.Pid)
	}
	return env, nil
}

// cpuWaited is how long the environment has waited for its share of a CPU.
func (e *environment) cpuWaited() time.Duration {
	us, err := e.cpu.Throttled()
	if err != nil {
		return 0
	}
	return time.Duration(us) * time.Microsecond
}

// stop ends the environment's process group by its id and its Runtime API.
func (e *environment) stop() {
	procgroup.Stop(e.cmd.Process.Pid, e.done, 5*time.Second)
	_ = e.api.Close()
}
