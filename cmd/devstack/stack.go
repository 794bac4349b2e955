package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// run starts the stack, prints where to look, and stops it all on Ctrl-C,
// SIGTERM or SIGHUP, or when a part of it exits on its own.
func run(o options) error {
	// Ctrl-C through a pipe (make run | tee) ends the reader too: a write to
	// standard output then fails with EPIPE instead of ending devstack with
	// SIGPIPE before it has stopped what it started (os/signal: "SIGPIPE").
	signal.Ignore(syscall.SIGPIPE)
	// SIGHUP: the terminal closed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	log := consoleLogger()
	if err := o.check(); err != nil {
		return err
	}
	log.Info("local stack starting", "pid", os.Getpid())
	err := serve(ctx, o, log)
	if err != nil && ctx.Err() != nil {
		// Stopped while starting: the error is the stop's own doing.
		log.Info("stopped while starting", "because", context.Cause(ctx), "error", err)
		err = nil
	}
	log.Info("stopped: nothing it started runs on")
	return err
}

// serve starts every part of the stack, waits for the end, and stops them all
// (deferred, in reverse order) before it returns.
func serve(ctx context.Context, o options, log *slog.Logger) error {
	emu, err := emulator.Start(ctx)
	if err != nil {
		return err
	}
	defer emu.Stop()
	log.Info("AWS emulator started", "endpoint", emu.URL, "pid", emu.Pid())
	if err := emu.KeepTasksAsTheyAre(ctx); err != nil {
		return err
	}
	endpoint, stopDB, err := startDatabase(ctx, emu.URL, o, log)
	if err != nil {
		return err
	}
	defer stopDB()
	stopScheduler, err := startDemo(ctx, emu.URL, o, log)
	if err != nil {
		return err
	}
	defer stopScheduler()
	env, tokenKey := functionEnv(withEndpoint(emu.Env(), endpoint), o), randomKey()
	fns, err := startFunctions(ctx, env, tokenKey, o, log)
	if err != nil {
		return err
	}
	defer fns.stop()
	removeEnvFile, err := writeEnvFile(o.envFile, append(env, "TOKEN_KEY="+tokenKey))
	if err != nil {
		return err
	}
	defer removeEnvFile()
	printBanner(o)

	select {
	case <-ctx.Done():
		log.Info("stopping", "because", context.Cause(ctx))
		printReport(o, env, log)
		return nil
	case <-exited(ctx, emu.Pid()):
		return fmt.Errorf("the AWS emulator (pid %d) exited unexpectedly; its last output:\n%s", emu.Pid(), tail(emu.Output(), 2000))
	case ch := <-fns.died:
		return fmt.Errorf("%s exited unexpectedly (see %s/%s.log)", ch.name, o.logs, ch.name)
	}
}

// consoleLogger writes the stack's own lines for a person: text, the time of day only.
func consoleLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(console{}, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			a.Value = slog.StringValue(a.Value.Time().Format("15:04:05"))
		}
		return a
	}}))
}

// console is standard output for everything the stack shows, where a write
// never fails: once the terminal or the pipe's reader is gone there is no one
// to tell, and a failed write must not stop a demo app or a copy from its logs.
type console struct{}

func (console) Write(p []byte) (int, error) {
	_, _ = os.Stdout.Write(p)
	return len(p), nil
}
