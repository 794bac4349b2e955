// Command devstack is the project's local stack, behind `make run`: the AWS
// emulator on loopback, a demo cluster with a sleeping service, a stand-in for
// the ECS scheduler that runs the demo app as real processes on 127.0.0.N,
// and the Wake and Auto-Sleep functions as local programs. It writes the
// environment an operator needs to an env file, and whatever ends it (Ctrl-C,
// SIGTERM, SIGHUP, its output's reader gone, even SIGKILL) nothing it started
// outlives it.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

const (
	cluster = "demo"
	service = "demo-app"
	appPort = 8081
	// database is the demo's stand-in database, an emulator RDS instance.
	database = "demo-db"
)

// options are the stack's settings, from its flags.
type options struct {
	wakeBin, sleepBin, appBin string
	listen                    string
	startup                   time.Duration
	dbStart                   time.Duration
	sleepAfter, grace         int
	every                     time.Duration
	logs                      string
	envFile                   string
	envs                      int
	wakeMemory                int
}

// wakeMemoryMB is Wake's memory as the Terraform module deploys it (its
// wake_memory_mb default; a test holds the two together).
const wakeMemoryMB = 512

func main() {
	var o options
	flag.StringVar(&o.wakeBin, "wake-bin", "build/wake", "the built Wake function")
	flag.StringVar(&o.sleepBin, "autosleep-bin", "build/autosleep", "the built Auto-Sleep function (empty: do not run it)")
	flag.StringVar(&o.appBin, "demoapp-bin", "build/demoapp", "the built demo app")
	flag.StringVar(&o.listen, "listen", "127.0.0.1:8080", "where Wake serves visitors")
	flag.DurationVar(&o.startup, "startup-delay", 4*time.Second, "how long the demo app takes to start")
	flag.DurationVar(&o.dbStart, "db-start-delay", 10*time.Second, "how long the demo's stand-in database takes to start (stopping takes half); 0: the demo has no database")
	flag.IntVar(&o.sleepAfter, "sleep-after", 2, "minutes without traffic before Auto-Sleep puts the demo to sleep")
	flag.IntVar(&o.grace, "grace", 1, "minutes after a wake during which the demo is kept whatever its traffic")
	flag.DurationVar(&o.every, "evaluate-every", 20*time.Second, "how often Auto-Sleep looks")
	flag.StringVar(&o.logs, "logs", "build/logs", "folder for the functions' logs")
	flag.StringVar(&o.envFile, "env-file", "build/devstack.env", "where to write the environment the functions need to reach this stack, to source (removed on exit)")
	flag.IntVar(&o.envs, "lambda-envs", 4, "run Wake as Lambda does, one request per execution environment, at most this many at once (0: one local HTTP server)")
	flag.IntVar(&o.wakeMemory, "wake-memory-mb", wakeMemoryMB, "Wake's memory: each execution environment gets its share of a CPU, as on Lambda (one vCPU at 1,769 MB), where this machine lets it (a cpu cgroup; otherwise the whole CPU, and a warning)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
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
	return checkListen(o.listen)
}
