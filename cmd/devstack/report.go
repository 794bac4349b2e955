package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/procgroup"
)

// reportFor bounds the savings report at the stop: two reads of the emulator.
const reportFor = 10 * time.Second

// printReport prints the demo's savings report as the stack stops: the built
// Auto-Sleep's `report` with the stack's environment env, while the emulator
// still answers. It dies with devstack, and is stopped after 10 s.
func printReport(o options, env []string, log *slog.Logger) {
	if o.sleepBin == "" {
		return
	}
	cmd := exec.Command(o.sleepBin, "report")
	cmd.Env = slices.Concat(env, []string{"PATH=" + os.Getenv("PATH"), "LOG_LEVEL=error"})
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := procgroup.Start(cmd); err != nil {
		log.Warn("no savings report", "error", err)
		return
	}
	done := make(chan struct{})
	var err error
	go func() { err = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(reportFor):
		procgroup.Stop(cmd.Process.Pid, done, time.Second)
	}
	if err != nil {
		log.Warn("no savings report", "error", err, "output", tail(out.String(), 500))
		return
	}
	fmt.Fprintf(console{}, "\n%s\n", out.String())
}
