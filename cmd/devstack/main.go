// Command devstack is the project's local stack, behind `make run`: the AWS
// emulator on loopback, a demo cluster with a sleeping service, a stand-in for
// the ECS scheduler that runs the demo app as real processes on 127.0.0.N,
// and the Wake and Auto-Sleep functions as local programs. Ctrl-C stops all.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

const (
	cluster = "demo"
	service = "demo-app"
	appPort = 8081
)

// options are the stack's settings, from its flags.
type options struct {
	wakeBin, sleepBin, appBin string
	listen                    string
	startup                   time.Duration
	sleepAfter, grace         int
	every                     time.Duration
	logs                      string
	envs                      int
}

func main() {
	var o options
	flag.StringVar(&o.wakeBin, "wake-bin", "build/wake", "the built Wake function")
	flag.StringVar(&o.sleepBin, "autosleep-bin", "build/autosleep", "the built Auto-Sleep function (empty: do not run it)")
	flag.StringVar(&o.appBin, "demoapp-bin", "build/demoapp", "the built demo app")
	flag.StringVar(&o.listen, "listen", "127.0.0.1:8080", "where Wake serves visitors")
	flag.DurationVar(&o.startup, "startup-delay", 4*time.Second, "how long the demo app takes to start")
	flag.IntVar(&o.sleepAfter, "sleep-after", 2, "minutes without traffic before Auto-Sleep puts the demo to sleep")
	flag.IntVar(&o.grace, "grace", 1, "minutes after a wake during which the demo is kept whatever its traffic")
	flag.DurationVar(&o.every, "evaluate-every", 20*time.Second, "how often Auto-Sleep looks")
	flag.StringVar(&o.logs, "logs", "build/logs", "folder for the functions' logs")
	flag.IntVar(&o.envs, "lambda-envs", 4, "run Wake as Lambda does, one request per execution environment, at most this many at once (0: one local HTTP server)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

// run starts the stack, prints where to look, and stops it all on Ctrl-C or
// when a part of it exits on its own.
func run(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := consoleLogger()
	if err := o.check(); err != nil {
		return err
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
	stopScheduler, err := startDemo(ctx, emu.URL, o, log)
	if err != nil {
		return err
	}
	defer stopScheduler()
	fns, err := startFunctions(ctx, emu.Env(), o, log)
	if err != nil {
		return err
	}
	defer fns.stop()
	printBanner(o)

	select {
	case <-ctx.Done():
		log.Info("stopping")
		return nil
	case <-exited(ctx, emu.Pid()):
		return fmt.Errorf("the AWS emulator (pid %d) exited unexpectedly; its last output:\n%s", emu.Pid(), tail(emu.Output(), 2000))
	case ch := <-fns.died:
		return fmt.Errorf("%s exited unexpectedly (see %s/%s.log)", ch.name, o.logs, ch.name)
	}
}

// consoleLogger writes the stack's own lines for a person: text, the time of day only.
func consoleLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			a.Value = slog.StringValue(a.Value.Time().Format("15:04:05"))
		}
		return a
	}}))
}

// check makes the logs folder and fails early when a binary is not built or
// the address is taken.
func (o options) check() error {
	if err := os.MkdirAll(o.logs, 0o755); err != nil {
		return err
	}
	for _, bin := range []string{o.wakeBin, o.sleepBin, o.appBin} {
		if bin == "" {
			continue
		}
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("%s is not built (run make build): %w", bin, err)
		}
	}
	if c, err := net.DialTimeout("tcp", o.listen, 200*time.Millisecond); err == nil {
		c.Close()
		return fmt.Errorf("%s is already in use: is another devstack running?", o.listen)
	}
	return nil
}

// printBanner tells the person at the console where to go.
func printBanner(o options) {
	sleepLine := fmt.Sprintf("Auto-Sleep puts it back to sleep after %d minutes without traffic (checked every %s).", o.sleepAfter, o.every)
	logFiles := o.logs + "/wake.log, " + o.logs + "/autosleep.log"
	if o.sleepBin == "" {
		sleepLine, logFiles = "Auto-Sleep is not running (-autosleep-bin is empty).", o.logs+"/wake.log"
	}
	fmt.Printf(`
  Open  http://%[1]s/some/path?x=1  — the demo service is asleep: the visit wakes it.
  State curl -s 'http://%[1]s/_wake/status?path=/some/path'
  %[2]s
  Logs  %[3]s
  Ctrl-C stops everything.

`, o.listen, sleepLine, logFiles)
}
