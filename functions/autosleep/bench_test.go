package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// BenchmarkStartToReport measures a cold start: from starting the binary to
// its printed report of one tick over one awake service (reads ECS and
// CloudWatch in the emulator).
func BenchmarkStartToReport(b *testing.B) {
	w := testworld.Start(b)
	w.CreateService(b, "bench", 0)
	w.Awake(b, "bench", 1, time.Hour)
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		p := testworld.StartProcess(b, autosleepBin, w.Env("CLUSTER_NAME="+testworld.Cluster, "SERVICE_NAME=bench", "LOG_LEVEL=error"))
		if !p.Wait(30*time.Second) || !strings.Contains(p.Output(), `"evaluatedAt"`) {
			b.Fatalf("no report: %s", p.Output())
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms-to-report")
}
