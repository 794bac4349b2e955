package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/lambdafront"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// BenchmarkStartToFirstAnswer measures the time from starting the binary to
// its first answer of the status endpoint (which reads ECS in the emulator).
func BenchmarkStartToFirstAnswer(b *testing.B) {
	w := testworld.Start(b)
	w.CreateService(b, "bench", 0)
	var took []time.Duration
	for b.Loop() {
		addr := testworld.FreeAddr(b)
		start := time.Now()
		p := testworld.StartProcess(b, wakeBin, w.Env("CLUSTER_NAME="+testworld.Cluster, "SERVICE_NAME=bench", "LISTEN_ADDR="+addr))
		for {
			resp, err := http.Get("http://" + addr + "/_wake/status")
			if err == nil {
				resp.Body.Close()
				break
			}
			if p.Exited() || time.Since(start) > 10*time.Second {
				b.Fatalf("no answer: %s", p.Output())
			}
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(start))
		p.Stop()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms-to-first-answer")
}

// BenchmarkInitUnderLambdaRuntime measures Lambda's Init phase — from starting
// the bootstrap to its first request for an event on the Runtime API — of
// Wake and Auto-Sleep beside the smallest aws-lambda-go function and one that
// only loads the AWS configuration and builds Wake's SDK clients, each built
// as for Lambda (stripped, lambda.norpc). The three start in turn in every
// round, so the machine's noise falls on all of them alike; the ratios are of
// medians measured in the same run.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
func BenchmarkInitUnderLambdaRuntime(b *testing.B) {
	w := testworld.Start(b)
	w.CreateService(b, "bench", 0)
	dir := b.TempDir()
	bins := []struct{ name, pkg string }{
		{"empty", "./testdata/emptyfunction"},
		{"sdk", "./testdata/sdkfunction"},
		{"wake", "."},
		{"autosleep", "../autosleep"},
	}
	paths := map[string]string{}
	for _, f := range bins {
		out := filepath.Join(dir, f.name)
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, f.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", f.name, err, msg)
		}
		paths[f.name] = out
	}
	env := w.Env("CLUSTER_NAME="+testworld.Cluster, "SERVICE_NAME=bench", "LOG_LEVEL=warn")
	took := map[string][]time.Duration{}
	for b.Loop() {
		for _, f := range bins {
			took[f.name] = append(took[f.name], initTime(b, paths[f.name], env))
		}
	}
	median := func(name string) float64 {
		d := slices.Clone(took[name])
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	for _, f := range bins {
		b.ReportMetric(median(f.name), f.name+"-init-ms")
	}
	b.ReportMetric(median("wake")/median("empty"), "wake/empty")
	b.ReportMetric(median("wake")/median("sdk"), "wake/sdk")
	b.ReportMetric(median("autosleep")/median("empty"), "autosleep/empty")
}

// initTime starts bin under a Runtime API and returns how long it took to ask
// for its first event; the process is stopped by its pid before returning.
func initTime(b *testing.B, bin string, env []string) time.Duration {
	b.Helper()
	api, err := lambdafront.NewRuntimeAPI()
	if err != nil {
		b.Fatal(err)
	}
	defer api.Close()
	start := time.Now()
	p := testworld.StartProcess(b, bin, append(slices.Clone(env), "AWS_LAMBDA_RUNTIME_API="+api.Addr, "AWS_LAMBDA_FUNCTION_NAME=bench"))
	defer p.Stop()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	select {
	case <-api.Ready():
		return time.Since(start)
	case <-deadline.C:
		b.Fatalf("%s did not ask for an event within 10 s: %s", bin, p.Output())
	}
	return 0
}
