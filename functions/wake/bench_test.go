package main

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testworld"
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
