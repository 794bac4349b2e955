package insights

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

type fakeECS struct {
	settings map[string]string
	calls    [][]string
	err      error
}

func (f *fakeECS) DescribeClusters(_ context.Context, in *ecs.DescribeClustersInput, _ ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	f.calls = append(f.calls, in.Clusters)
	if f.err != nil {
		return nil, f.err
	}
	out := &ecs.DescribeClustersOutput{}
	for _, c := range in.Clusters {
		if v, ok := f.settings[c]; ok {
			out.Clusters = append(out.Clusters, ecstypes.Cluster{ClusterName: aws.String(c), Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String(v)}}})
		}
	}
	return out, nil
}

func svc(cluster, signal string) config.Service {
	return config.Service{Name: "s", Cluster: cluster, Sleep: config.SleepPolicy{Signal: signal}}
}

func TestOffNamesTheClustersWhoseNetworkSignalWouldHaveNoData(t *testing.T) {
	f := &fakeECS{settings: map[string]string{"a": "disabled", "b": "enabled", "c": "enhanced", "d": "disabled"}}
	off, err := Off(context.Background(), f, []config.Service{svc("a", config.SignalNetwork), svc("a", config.SignalNetwork), svc("b", config.SignalNetwork), svc("c", config.SignalCPU), svc("d", config.SignalRequests)})
	if err != nil {
		t.Fatal(err)
	}
	if len(off) != 1 || !off["a"] {
		t.Fatalf("off %v, want only a (d's services do not read Container Insights)", off)
	}
	if len(f.calls) != 1 || len(f.calls[0]) != 3 {
		t.Fatalf("calls %v, want one call for a, b and c", f.calls)
	}
}

func TestOffAsksAHundredClustersACall(t *testing.T) {
	f := &fakeECS{settings: map[string]string{}}
	var services []config.Service
	for i := range 250 {
		services = append(services, svc(fmt.Sprint("c", i), config.SignalNetwork))
	}
	if _, err := Off(context.Background(), f, services); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 3 || len(f.calls[0]) != 100 || len(f.calls[2]) != 50 {
		t.Fatalf("%d calls", len(f.calls))
	}
}

func TestOffReportsAReadError(t *testing.T) {
	f := &fakeECS{err: errors.New("AccessDeniedException")}
	if _, err := Off(context.Background(), f, []config.Service{svc("a", config.SignalNetwork)}); err == nil {
		t.Fatal("no error")
	}
}
