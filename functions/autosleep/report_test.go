package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestTheReportPricesTheDemoServiceFromECS runs `autosleep report` through
// the built binary against the emulator: a Fargate service of 0.25 vCPU and
// 0.5 GB (x86_64) with a public IP in us-east-1 costs 0.25 × 0.04048 +
// 0.5 × 0.004445 + 0.005 = $0.0173425 an hour, read with one
// DescribeServices and one DescribeTaskDefinition. The history is whatever
// the service's tag says: none here, so no day counts on either side.
func TestTheReportPricesTheDemoServiceFromECS(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "demo", 0)
	env := servicesEnv(t, w, []map[string]any{service("demo", 15)})

	w.Gate.ResetCounts()
	code, stdout, stderr := testworld.RunOnce(t, autosleepBin, env, "report", "--json")
	if code != 0 {
		t.Fatalf("report --json: exit %d: %s", code, stderr)
	}
	// DescribeClusters is the start's own question (is Container Insights on?).
	if calls := w.Gate.Calls(); calls["DescribeServices"] != 1 || calls["DescribeTaskDefinition"] != 1 || len(calls) != 3 || calls["DescribeClusters"] != 1 {
		t.Errorf("calls %v, want one DescribeServices and one DescribeTaskDefinition (and the start's DescribeClusters)", calls)
	}
	var rep struct {
		Region   string
		Services []struct {
			Service string
			Size    struct {
				VCPU, MemoryGB float64
				Architecture   string
			}
			CapacityProvider string
			PublicIP         bool `json:"publicIp"`
			HourlyPrice      float64
			Last30Days       struct{ Days, DaysCovered, DaysWithoutHistory int }
			Notes            []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Services) != 1 {
		t.Fatalf("report --json: %v\n%s", err, stdout)
	}
	s := rep.Services[0]
	if s.Size.VCPU != 0.25 || s.Size.MemoryGB != 0.5 || s.Size.Architecture != "X86_64" || s.CapacityProvider != "FARGATE" || !s.PublicIP {
		t.Errorf("demo read as %+v", s)
	}
	if math.Abs(s.HourlyPrice-0.0173425) > 1e-12 || rep.Region != "us-east-1" {
		t.Errorf("demo at $%v an hour in %s, want $0.0173425 in us-east-1", s.HourlyPrice, rep.Region)
	}
	p := s.Last30Days
	if p.Days != 30 || p.DaysCovered+p.DaysWithoutHistory != 30 || (strings.Contains(strings.Join(s.Notes, " "), "history unreadable") && p.DaysCovered != 0) {
		t.Errorf("last 30 days %+v, notes %q", p, s.Notes)
	}

	code, stdout, stderr = testworld.RunOnce(t, autosleepBin, env, "report")
	if code != 0 || !strings.Contains(stdout, "demo") || !strings.Contains(stdout, "0.25 vCPU 0.5 GB x86_64") || !strings.Contains(stdout, "$0.0173") {
		t.Errorf("report: exit %d, table:\n%s\n%s", code, stdout, stderr)
	}
	page := filepath.Join(t.TempDir(), "savings.html")
	code, stdout, stderr = testworld.RunOnce(t, autosleepBin, env, "report", "--html", page)
	html, _ := os.ReadFile(page)
	if code != 0 || !strings.Contains(stdout, page) || strings.Count(string(html), `<g class="day`) != 30 {
		t.Errorf("report --html: exit %d, %s %s, %d bars", code, stdout, stderr, strings.Count(string(html), `<g class="day`))
	}
	code, stdout, _ = testworld.RunOnce(t, autosleepBin, env, "invoke", `{"action":"report","service":"demo"}`)
	if code != 0 || !strings.Contains(stdout, `"hourlyPrice": 0.0173425`) {
		t.Errorf("invoke report: exit %d:\n%s", code, stdout)
	}
	if code, _, stderr = testworld.RunOnce(t, autosleepBin, env, "report", "--json", "--html", page); code != 2 || !strings.Contains(stderr, "choose one") {
		t.Errorf("report --json --html: exit %d, %s; want a usage error", code, stderr)
	}
}
