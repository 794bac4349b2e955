package sleepops

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice/taskdef"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// fakeServices answers DescribeBatch from a map of cluster/name, and counts calls.
type fakeServices struct {
	services map[string]*ecsservice.Service
	err      error
	batches  []int
}

func (f *fakeServices) DescribeBatch(_ context.Context, cluster string, names []string) (map[string]*ecsservice.Service, error) {
	f.batches = append(f.batches, len(names))
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]*ecsservice.Service{}
	for _, n := range names {
		if s, ok := f.services[cluster+"/"+n]; ok {
			out[n] = s
		}
	}
	return out, nil
}

// taskDefinitions answers DescribeTaskDefinition: "small" is 0.25 vCPU and 0.5 GB, "arm" 1 vCPU, 2 GB on ARM64.
type taskDefinitions struct{ calls int }

func (f *taskDefinitions) DescribeTaskDefinition(_ context.Context, in *ecs.DescribeTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	f.calls++
	switch aws.ToString(in.TaskDefinition) {
	case "small":
		return &ecs.DescribeTaskDefinitionOutput{TaskDefinition: &ecstypes.TaskDefinition{Cpu: aws.String("256"), Memory: aws.String("512")}}, nil
	case "arm":
		return &ecs.DescribeTaskDefinitionOutput{TaskDefinition: &ecstypes.TaskDefinition{Cpu: aws.String("1024"), Memory: aws.String("2048"),
			RuntimePlatform: &ecstypes.RuntimePlatform{CpuArchitecture: ecstypes.CPUArchitectureArm64}}}, nil
	}
	return nil, errors.New("ClientException: unable to describe task definition")
}

var reportNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// twoHoursADay is a history that knows every day, each awake 2 hours.
func twoHoursADay(value string, now time.Time, n int, _ ledger.Now) ([]ledger.Day, error) {
	if value == "garbled" {
		return nil, errors.New("ledger: malformed")
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var out []ledger.Day
	for i := n - 1; i >= 0; i-- {
		out = append(out, ledger.Day{Date: today.AddDate(0, 0, -i), Awake: 2 * time.Hour, Wakes: 1, Known: true})
	}
	return out, nil
}

func ecsService(name, td string, desired int32, publicIP bool, strategy ...ecstypes.CapacityProviderStrategyItem) *ecsservice.Service {
	return &ecsservice.Service{Name: name, Cluster: "c", DesiredCount: desired, TaskDefinition: td, AssignPublicIP: publicIP,
		CapacityProviders: strategy, Tags: map[string]string{ledger.Tag: "x"}}
}

// reportJSON is the report as a tool reads it.
func reportJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// at reads a value by path: "services.0.size.vcpu".
func at(m any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch v := m.(type) {
		case map[string]any:
			m = v[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			if i >= len(v) {
				return nil
			}
			m = v[i]
		default:
			return nil
		}
	}
	return m
}

func TestTheReportAnswersJSONThatToolsRead(t *testing.T) {
	spot := ecstypes.CapacityProviderStrategyItem{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}
	tests := []struct {
		name    string
		service *ecsservice.Service
		readErr error
		want    map[string]any
	}{
		{"a Fargate service with a public IP", ecsService("web", "small", 0, true), nil, map[string]any{
			"services.0.service": "web", "services.0.cluster": "c", "services.0.size.vcpu": 0.25, "services.0.size.memoryGB": 0.5,
			"services.0.size.architecture": "X86_64", "services.0.capacityProvider": "FARGATE", "services.0.publicIp": true,
			"services.0.tasks": 1.0, "services.0.awake": false,
			// 0.25 × 0.04048 + 0.5 × 0.004445 + 0.005 = 0.0173425 an hour.
			"services.0.hourlyPrice": 0.0173425,
			// 4 whole days and today's 12 h: 108 h, 10 awake; saved 98 × 0.0173425 = 1.699565.
			"services.0.thisMonth.daysCovered": 5.0, "services.0.thisMonth.awakeHours": 10.0, "services.0.thisMonth.saved": 1.699565,
			"services.0.last30Days.days": 30.0, "services.0.days.29.date": "2026-12-05", "services.0.days.29.hours": 12.0,
			"total.services": 1.0, "total.thisMonth.saved": 1.699565, "region": "us-east-1", "prices.asOf": pricing.AsOf,
		}},
		{"on Fargate Spot, awake at two tasks", ecsService("web", "small", 2, false, spot), nil, map[string]any{
			"services.0.capacityProvider": "FARGATE_SPOT", "services.0.tasks": 2.0, "services.0.awake": true, "services.0.publicIp": false,
			"services.0.placement.0.provider": "FARGATE_SPOT", "services.0.placement.0.tasks": 2.0,
		}},
		{"ARM64 on Spot has no price, and says why", ecsService("web", "arm", 0, false, spot), nil, map[string]any{
			"services.0.hourlyPrice": nil, "services.0.thisMonth.saved": nil, "services.0.notes.0": "price unknown: Fargate Spot does not run ARM64 tasks",
			"total.servicesPriceUnknown": 1.0, "total.thisMonth.saved": 0.0, "services.0.thisMonth.awakeHours": 10.0,
		}},
		{"a task definition that cannot be read", ecsService("web", "gone", 0, false), nil, map[string]any{
			"services.0.size": nil, "services.0.hourlyPrice": nil, "services.0.capacityProvider": "FARGATE",
		}},
		{"a history that cannot be read: its days unknown", func() *ecsservice.Service {
			s := ecsService("web", "small", 0, false)
			s.Tags[ledger.Tag] = "garbled"
			return s
		}(), nil, map[string]any{
			"services.0.last30Days.daysWithoutHistory": 30.0, "services.0.last30Days.daysCovered": 0.0, "services.0.last30Days.saved": nil,
			"services.0.hourlyPrice": 0.0123425, "total.last30Days.serviceDaysWithoutHistory": 30.0,
		}},
		{"a service ECS does not know", nil, nil, map[string]any{
			"services.0.service": "web", "services.0.size": nil, "services.0.hourlyPrice": nil, "services.0.last30Days.daysWithoutHistory": 30.0,
		}},
		{"ECS unreadable", nil, errors.New("ThrottlingException"), map[string]any{
			"services.0.notes.0": "not read from ECS: ThrottlingException",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			services := &fakeServices{services: map[string]*ecsservice.Service{}, err: tt.readErr}
			if tt.service != nil {
				services.services["c/web"] = tt.service
			}
			s := &Savings{Services: services, Sizes: taskdef.New(&taskDefinitions{}), Prices: pricing.Default(), Region: "us-east-1",
				Now: func() time.Time { return reportNow }, History: twoHoursADay}
			m := reportJSON(t, s.Report(context.Background(), []config.Service{{Name: "web", Cluster: "c", WakeCount: 1}}))
			for path, want := range tt.want {
				got := at(m, path)
				if f, ok := want.(float64); ok {
					if g, ok := got.(float64); !ok || math.Abs(g-f) > 1e-9 {
						t.Errorf("%s = %v, want %v", path, got, want)
					}
					continue
				}
				if s, ok := want.(string); ok && strings.Contains(path, "notes") {
					if g, _ := got.(string); !strings.Contains(g, s) {
						t.Errorf("%s = %q, want it to say %q", path, got, s)
					}
					continue
				}
				if got != want {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
		})
	}
}

func TestTheReportReadsTenServicesACallAndEachTaskDefinitionOnce(t *testing.T) {
	services := &fakeServices{services: map[string]*ecsservice.Service{}}
	var configured []config.Service
	for i := range 12 {
		name := string(rune('a' + i))
		td := "small"
		if i%2 == 1 {
			td = "arm"
		}
		services.services["c/"+name] = ecsService(name, td, 0, false)
		configured = append(configured, config.Service{Name: name, Cluster: "c", WakeCount: 1})
	}
	tds := &taskDefinitions{}
	s := &Savings{Services: services, Sizes: taskdef.New(tds), Prices: pricing.Default(), Region: "us-east-1",
		Now: func() time.Time { return reportNow }, History: twoHoursADay}
	r := s.Report(context.Background(), configured)
	if len(services.batches) != 2 || services.batches[0] != 10 || services.batches[1] != 2 {
		t.Errorf("DescribeServices batches %v, want [10 2]", services.batches)
	}
	if tds.calls != 2 {
		t.Errorf("%d DescribeTaskDefinition calls for 2 task definitions", tds.calls)
	}
	if len(r.Services) != 12 || r.Total.Services != 12 {
		t.Errorf("%d services reported", len(r.Services))
	}
}

func TestTheReportActionTakesAServiceAndNoDryRun(t *testing.T) {
	services := &fakeServices{services: map[string]*ecsservice.Service{"c/web": ecsService("web", "small", 0, false), "c/api": ecsService("api", "small", 1, false)}}
	o := ops(&fakeEval{}, false)
	o.Savings = &Savings{Services: services, Sizes: taskdef.New(&taskDefinitions{}), Prices: pricing.Default(), Region: "us-east-1",
		Now: func() time.Time { return reportNow }, History: twoHoursADay}
	tests := []struct {
		name     string
		cmd      invoke.Command
		services int
		err      string
	}{
		{"every service", invoke.Command{Action: "report"}, 2, ""},
		{"one service", invoke.Command{Action: "report", Service: "api"}, 1, ""},
		{"an unknown service", invoke.Command{Action: "report", Service: "nope"}, 0, "unknown service"},
		{"no dryRun", invoke.Command{Action: "report", DryRun: yes()}, 0, "never changes anything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := o.Operator(context.Background(), tt.cmd)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := len(at(reportJSON(t, got), "services").([]any)); n != tt.services {
				t.Errorf("%d services, want %d", n, tt.services)
			}
		})
	}
}

func TestTheReportAsksTheHistoryWithWhatECSSaysNow(t *testing.T) {
	woken := reportNow.Add(-time.Hour)
	svc := ecsService("web", "small", 1, false)
	svc.WokenAt, svc.Changed = &woken, &woken
	svc.Tags[ledger.Tag] = "the-tag"
	var gotValue string
	var gotState ledger.Now
	var gotN int
	s := &Savings{Services: &fakeServices{services: map[string]*ecsservice.Service{"c/web": svc}}, Sizes: taskdef.New(&taskDefinitions{}),
		Prices: pricing.Default(), Region: "us-east-1", Now: func() time.Time { return reportNow },
		History: func(value string, _ time.Time, n int, state ledger.Now) ([]ledger.Day, error) {
			gotValue, gotN, gotState = value, n, state
			return nil, nil
		}}
	s.Report(context.Background(), []config.Service{{Name: "web", Cluster: "c"}})
	if gotValue != "the-tag" || gotN != ledger.Days || !gotState.Awake || gotState.WokenAt != &woken || gotState.Changed != &woken {
		t.Errorf("history asked with %q, %d days, %+v", gotValue, gotN, gotState)
	}
}
