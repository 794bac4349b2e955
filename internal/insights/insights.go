// Package insights tells, at start-up, which clusters have Container
// Insights off: their services' network signal would have no data, and a
// signal with no data never sleeps a service.
package insights

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// ECS is the one call this package makes.
type ECS interface {
	DescribeClusters(ctx context.Context, params *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
}

var _ ECS = (*ecs.Client)(nil)

// describeClustersBatch: DescribeClusters takes at most 100 clusters a call.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeClusters.html
const describeClustersBatch = 100

// Off returns the clusters, among those of services whose signal reads
// Container Insights (network, and cpu beside it), where the cluster's
// containerInsights setting is "disabled" ("enabled" and "enhanced" both
// publish the service-level network metrics).
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterSetting.html
func Off(ctx context.Context, e ECS, services []config.Service) (map[string]bool, error) {
	var clusters []string
	for _, s := range services {
		if (s.Sleep.Signal == config.SignalNetwork || s.Sleep.Signal == config.SignalCPU) && !slices.Contains(clusters, s.Cluster) {
			clusters = append(clusters, s.Cluster)
		}
	}
	off := map[string]bool{}
	for batch := range slices.Chunk(clusters, describeClustersBatch) {
		out, err := e.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: batch, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings}})
		if err != nil {
			return off, fmt.Errorf("describe clusters: %w", err)
		}
		for _, c := range out.Clusters {
			for _, st := range c.Settings {
				if st.Name == ecstypes.ClusterSettingNameContainerInsights && aws.ToString(st.Value) == "disabled" {
					off[aws.ToString(c.ClusterName)] = true
				}
			}
		}
	}
	return off, nil
}

// Check is Off at start-up: each cluster that is off, and a failed read, is
// logged as a warning with what to do; the answer is what could be read.
func Check(ctx context.Context, e ECS, services []config.Service, log *slog.Logger) map[string]bool {
	off, err := Off(ctx, e, services)
	if err != nil {
		log.Warn("could not read the clusters' Container Insights setting (ecs:DescribeClusters)", "error", err)
	}
	for c := range off {
		log.Warn("Container Insights is off for the cluster: its services' network signal has no data, so they never sleep",
			"cluster", c, "fix", "aws ecs update-cluster-settings --cluster "+c+" --settings name=containerInsights,value=enabled")
	}
	return off
}
