package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestCallsPerTick counts the AWS calls of one tick for 1, 100 and 1,000
// services, all asleep and all awake (awake ones with no metric data, so
// nothing is slept). Each tick here is a new process, which first reads its
// clusters' Container Insights setting (one DescribeClusters for up to 100
// clusters; on Lambda once per execution environment). Run with -v for the table.
func TestCallsPerTick(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 1,000 services in the emulator")
	}
	w := testworld.Start(t)
	// Disjoint sets of 1, 100 and 1,000, so each starts asleep.
	names := make([]string, 1101)
	for i := range names {
		names[i] = fmt.Sprintf("t%04d", i)
	}
	w.CreateServices(t, names)
	rows := []string{"| services | awake | DescribeServices | GetMetricData | other | tick wall time |", "|---|---|---|---|---|---|"}
	first := 0
	for _, n := range []int{1, 100, 1000} {
		set := names[first : first+n]
		first += n
		var services []map[string]any
		for _, name := range set {
			services = append(services, service(name, 5))
		}
		for _, awake := range []bool{false, true} {
			if awake {
				w.AwakeMany(t, set, time.Hour)
			}
			w.Gate.ResetCounts()
			start := time.Now()
			tick(t, w, services)
			took := time.Since(start)
			calls := w.Gate.Calls()
			wantDescribe := (n + 9) / 10
			wantMetric := 0
			if awake {
				wantMetric = (2*n + 499) / 500 // two queries a service (bytes in, bytes out), 500 a call
			}
			other := 0
			for op, c := range calls {
				if op != "DescribeServices" && op != "GetMetricData" && op != "DescribeClusters" {
					other += c
				}
			}
			if calls["DescribeServices"] != wantDescribe || calls["GetMetricData"] != wantMetric || calls["DescribeClusters"] != 1 || other != 0 {
				t.Errorf("%d services, awake %v: calls %v; want %d DescribeServices, %d GetMetricData, 1 DescribeClusters at start, nothing else", n, awake, calls, wantDescribe, wantMetric)
			}
			rows = append(rows, fmt.Sprintf("| %d | %v | %d | %d | %d | %s |", n, awake, calls["DescribeServices"], calls["GetMetricData"], other, took.Round(time.Millisecond)))
		}
	}
	t.Logf("AWS calls per tick\n%s", strings.Join(rows, "\n"))
}
