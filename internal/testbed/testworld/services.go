package testworld

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// CreateService creates a Fargate service with the given desired count.
func (w *World) CreateService(t testing.TB, name string, desired int32) {
	t.Helper()
	if err := w.cluster.NewService(context.Background(), w.ECS, name, desired); err != nil {
		t.Fatal(err)
	}
}

// CreateServices creates many services with desired count 0, a few at a time.
func (w *World) CreateServices(t testing.TB, names []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(names))
	sem := make(chan struct{}, 8)
	for _, name := range names {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := w.cluster.NewService(context.Background(), w.ECS, name, 0); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Desired is the service's desired count as ECS has it.
func (w *World) Desired(t testing.TB, service string) int32 {
	t.Helper()
	out, err := w.ECS.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(Cluster), Services: []string{service}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe service %s: %v", service, err)
	}
	return out.Services[0].DesiredCount
}

// Tags are the service's tags.
func (w *World) Tags(t testing.TB, service string) map[string]string {
	t.Helper()
	out, err := w.ECS.DescribeServices(context.Background(), &ecs.DescribeServicesInput{
		Cluster: aws.String(Cluster), Services: []string{service}, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe service %s: %v", service, err)
	}
	tags := map[string]string{}
	for _, tg := range out.Services[0].Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// SetDesired sets the service's desired count directly, as an operator would.
func (w *World) SetDesired(t testing.TB, service string, n int32) {
	t.Helper()
	if _, err := w.ECS.UpdateService(context.Background(), &ecs.UpdateServiceInput{
		Cluster: aws.String(Cluster), Service: aws.String(service), DesiredCount: aws.Int32(n),
	}); err != nil {
		t.Fatalf("update service %s: %v", service, err)
	}
}

// Tag sets one tag on the service.
func (w *World) Tag(t testing.TB, service, key, value string) {
	t.Helper()
	arn := "arn:aws:ecs:" + emulator.Region + ":123456789012:service/" + Cluster + "/" + service
	if _, err := w.ECS.TagResource(context.Background(), &ecs.TagResourceInput{
		ResourceArn: aws.String(arn), Tags: []ecstypes.Tag{{Key: aws.String(key), Value: aws.String(value)}},
	}); err != nil {
		t.Fatalf("tag %s: %v", service, err)
	}
}

// Awake makes a service look woken some time ago: desired count n, and the wake tag.
func (w *World) Awake(t testing.TB, service string, n int32, wokenAgo time.Duration) {
	t.Helper()
	w.SetDesired(t, service, n)
	w.Tag(t, service, "scale-to-zero:woken-at", time.Now().Add(-wokenAgo).UTC().Format(time.RFC3339))
}

// AwakeMany makes many services look woken some time ago, a few at a time.
func (w *World) AwakeMany(t testing.TB, services []string, wokenAgo time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, s := range services {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			w.Awake(t, s, 1, wokenAgo)
		})
	}
	wg.Wait()
}

// Deploy starts a deployment of the service (a new revision of its task
// definition), as an owner's CI would: ECS reports the rollout in progress.
func (w *World) Deploy(t testing.TB, service string) {
	t.Helper()
	ctx := context.Background()
	td, err := w.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(w.cluster.TaskDefinition)})
	if err != nil {
		t.Fatalf("describe task definition: %v", err)
	}
	d := td.TaskDefinition
	next, err := w.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: d.Family, NetworkMode: d.NetworkMode, RequiresCompatibilities: d.RequiresCompatibilities,
		Cpu: d.Cpu, Memory: d.Memory, ContainerDefinitions: d.ContainerDefinitions,
	})
	if err != nil {
		t.Fatalf("register task definition: %v", err)
	}
	if _, err := w.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: aws.String(Cluster), Service: aws.String(service), TaskDefinition: next.TaskDefinition.TaskDefinitionArn,
	}); err != nil {
		t.Fatalf("deploy %s: %v", service, err)
	}
	w.Gate.SetService(service, ServiceOverride{Deploying: true})
}

// ContainerInsightsSetting sets the cluster's containerInsights setting
// (enabled, enhanced or disabled), as the console or the CLI would.
func (w *World) ContainerInsightsSetting(t testing.TB, value string) {
	t.Helper()
	if _, err := w.ECS.UpdateCluster(context.Background(), &ecs.UpdateClusterInput{
		Cluster: aws.String(Cluster), Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String(value)}},
	}); err != nil {
		t.Fatalf("update cluster: %v", err)
	}
}
