// Command devstack is the project's local stack, behind `make run`: the AWS
// emulator on loopback, a demo cluster with a sleeping service, a stand-in for
// the ECS scheduler that runs the demo app as real processes on 127.0.0.N,
// and the Wake and Auto-Sleep functions as local programs. Ctrl-C stops all.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/scale-to-zero/fargate-scale-to-zero/api"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/demo"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/emulator"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/lambdafront"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/procgroup"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/standin"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

const (
	cluster = "demo"
	service = "demo-app"
	appPort = 8081
)

func main() {
	wakeBin := flag.String("wake-bin", "build/wake", "the built Wake function")
	sleepBin := flag.String("autosleep-bin", "build/autosleep", "the built Auto-Sleep function (empty: do not run it)")
	appBin := flag.String("demoapp-bin", "build/demoapp", "the built demo app")
	listen := flag.String("listen", "127.0.0.1:8080", "where Wake serves visitors")
	startup := flag.Duration("startup-delay", 4*time.Second, "how long the demo app takes to start")
	sleepAfter := flag.Int("sleep-after", 2, "minutes without traffic before Auto-Sleep puts the demo to sleep")
	grace := flag.Int("grace", 1, "minutes after a wake during which the demo is kept whatever its traffic")
	every := flag.Duration("evaluate-every", 20*time.Second, "how often Auto-Sleep looks")
	logs := flag.String("logs", "build/logs", "folder for the functions' logs")
	envs := flag.Int("lambda-envs", 4, "run Wake as Lambda does, one request per execution environment, at most this many at once (0: one local HTTP server)")
	flag.Parse()
	if err := run(*wakeBin, *sleepBin, *appBin, *listen, *startup, *sleepAfter, *grace, *every, *logs, *envs); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run(wakeBin, sleepBin, appBin, listen string, startup time.Duration, sleepAfter, grace int, every time.Duration, logs string, envs int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			a.Value = slog.StringValue(a.Value.Time().Format("15:04:05"))
		}
		return a
	}}))
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return err
	}
	for _, bin := range []string{wakeBin, sleepBin, appBin} {
		if bin == "" {
			continue
		}
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("%s is not built (run make build): %w", bin, err)
		}
	}
	if c, err := net.DialTimeout("tcp", listen, 200*time.Millisecond); err == nil {
		c.Close()
		return fmt.Errorf("%s is already in use: is another devstack running?", listen)
	}

	emu, err := emulator.Start(ctx)
	if err != nil {
		return err
	}
	defer emu.Stop()
	log.Info("AWS emulator started", "endpoint", emu.URL, "pid", emu.Pid())
	if err := emu.KeepTasksAsTheyAre(ctx); err != nil {
		return err
	}
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	ecsClient := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(emu.URL) })
	ec2Client := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(emu.URL) })
	cwClient := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		o.BaseEndpoint = aws.String(emu.URL)
		activity.SpeakJSON(o)
	})
	c, err := demo.NewCluster(ctx, ecsClient, ec2Client, cluster, appPort)
	if err != nil {
		return err
	}
	if err := c.NewService(ctx, ecsClient, service, 0); err != nil {
		return err
	}
	log.Info("demo service created, asleep", "cluster", cluster, "service", service)

	dir, err := os.MkdirTemp("", "devstack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sched := standin.New(ecsClient, ec2Client, cwClient, dir, log.With("part", "scheduler"), standin.Service{
		Cluster: cluster, Name: service, TaskDefinition: c.TaskDefinition, Network: c.Network, Port: appPort,
		Launch: func(ip string, port int, stats string) *exec.Cmd {
			cmd := exec.Command(appBin, "-addr", net.JoinHostPort(ip, strconv.Itoa(port)), "-startup-delay", startup.String(),
				"-health-path", "/healthz", "-name", service, "-stats-file", stats)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			return cmd
		},
	})
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() { sched.Run(schedCtx); close(schedDone) }()
	defer func() { stopSched(); <-schedDone }()

	common := append(emu.Env(),
		"PATH="+os.Getenv("PATH"),
		"CLUSTER_NAME="+cluster, "SERVICE_NAME="+service, "APP_PORT="+strconv.Itoa(appPort), "HEALTH_PATH=/healthz",
		"SLEEP_AFTER_MINUTES="+strconv.Itoa(sleepAfter), "GRACE_MINUTES="+strconv.Itoa(grace),
		// The emulator reports made-up private addresses: the prober dials loopback only.
		"PROBE_ALLOWED_NETWORKS=127.0.0.0/8", "LOG_LEVEL=info")
	wakeEnv := append(common, "TOKEN_KEY="+randomKey())
	var children []*child
	if envs > 0 {
		front, err := startFront(listen, wakeBin, wakeEnv, envs, logs, log)
		if err != nil {
			return err
		}
		defer front.Close()
	} else {
		children = append(children, &child{name: "wake", bin: wakeBin, env: append(wakeEnv, "LISTEN_ADDR="+listen)})
	}
	if sleepBin != "" {
		children = append(children, &child{name: "autosleep", bin: sleepBin, env: append(common, "EVALUATE_EVERY="+every.String())})
	}
	died := make(chan *child, len(children))
	for _, ch := range children {
		if err := ch.start(logs, log, died); err != nil {
			return err
		}
		defer ch.stop()
	}
	if envs == 0 {
		if err := waitListening(ctx, listen, children[0]); err != nil {
			return err
		}
	}

	sleepLine := fmt.Sprintf("Auto-Sleep puts it back to sleep after %d minutes without traffic (checked every %s).", sleepAfter, every)
	logFiles := logs + "/wake.log, " + logs + "/autosleep.log"
	if sleepBin == "" {
		sleepLine, logFiles = "Auto-Sleep is not running (-autosleep-bin is empty).", logs+"/wake.log"
	}
	fmt.Printf(`
  Open  http://%[1]s/some/path?x=1  — the demo service is asleep: the visit wakes it.
  State curl -s 'http://%[1]s/_wake/status?path=/some/path'
  %[2]s
  Logs  %[3]s
  Ctrl-C stops everything.

`, listen, sleepLine, logFiles)

	select {
	case <-ctx.Done():
		log.Info("stopping")
		return nil
	case <-exited(ctx, emu.Pid()):
		return fmt.Errorf("the AWS emulator (pid %d) exited unexpectedly; its last output:\n%s", emu.Pid(), tail(emu.Output(), 2000))
	case ch := <-died:
		return fmt.Errorf("%s exited unexpectedly (see %s/%s.log)", ch.name, logs, ch.name)
	}
}

// startFront serves Wake on listen as API Gateway and Lambda would: each
// request an event, one request per execution environment, at most envs.
func startFront(listen, bin string, env []string, envs int, logs string, log *slog.Logger) (*lambdafront.Front, error) {
	routes, err := lambdafront.RoutesFromOpenAPI(api.OpenAPI)
	if err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(logs, "wake.log"))
	if err != nil {
		return nil, err
	}
	front, err := lambdafront.Start(listen, lambdafront.Options{
		Bin: bin, Env: env, Concurrency: envs, Routes: routes,
		Output:  io.MultiWriter(f, &notable{name: "wake", log: log}),
		Started: func(pid int) { log.Info("wake execution environment started", "pid", pid) },
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	log.Info("wake serves as on Lambda", "url", front.URL, "environments", envs)
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
	c.cmd.SysProcAttr = procgroup.Attr()
	if err := c.cmd.Start(); err != nil {
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

// notable prints the log lines a person watching the demo cares about.
type notable struct {
	name string
	log  *slog.Logger
	buf  []byte
}

var shown = map[string]bool{"waking service": true, "service put to sleep": true, "wake retried by a visitor": true, "scale-up failed": true, "service not found": true}

func (n *notable) Write(p []byte) (int, error) {
	n.buf = append(n.buf, p...)
	for {
		i := strings.IndexByte(string(n.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := n.buf[:i]
		n.buf = n.buf[i+1:]
		var rec map[string]any
		if json.Unmarshal(line, &rec) != nil {
			continue
		}
		msg, _ := rec["msg"].(string)
		if shown[msg] || (msg == "evaluated" && rec["action"] != "skipped") {
			args := []any{"part", n.name}
			for _, k := range []string{"service", "from", "to", "action", "reason"} {
				if v, ok := rec[k]; ok {
					args = append(args, k, v)
				}
			}
			n.log.Info(msg, args...)
		}
	}
}

// exited is closed once the process pid no longer exists; the emulator reaps
// its own process, so a failed signal 0 means it is gone.
func exited(ctx context.Context, pid int) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if syscall.Kill(pid, 0) != nil {
					close(ch)
					return
				}
			}
		}
	}()
	return ch
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }
