package testworld

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/demo"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/emulator"
)

// Cluster is the cluster every test service lives in.
const Cluster = "test"

// World is a running emulator with a gate and the clients to set it up.
type World struct {
	Emulator *emulator.Server
	Gate     *Gate
	// ECS and EC2 talk to the emulator directly: set-up calls are not counted.
	ECS *ecs.Client
	EC2 *ec2.Client

	cluster *demo.Cluster

	mu     sync.Mutex
	nextIP int
}

// Start starts the emulator and the gate, creates a cluster, a network and a
// task definition, and stops it all when the test ends.
func Start(t testing.TB) *World {
	t.Helper()
	ctx := context.Background()
	emu, err := emulator.Start(ctx)
	if err != nil {
		t.Fatalf("start the AWS emulator: %v", err)
	}
	t.Cleanup(func() {
		emu.Stop()
		if t.Failed() {
			out := emu.Output()
			t.Logf("emulator output (last 3000 bytes):\n%s", out[max(0, len(out)-3000):])
		}
	})
	if err := emu.KeepTasksAsTheyAre(ctx); err != nil {
		t.Fatal(err)
	}
	gate, err := NewGate(emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gate.Close() })
	w := &World{Emulator: emu, Gate: gate, nextIP: 10}
	cfg := aws.Config{
		Region:      emulator.Region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	w.ECS = ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(emu.URL) })
	w.EC2 = ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(emu.URL) })
	if err := w.setUp(ctx); err != nil {
		t.Fatalf("set up the test world: %v", err)
	}
	return w
}

func (w *World) setUp(ctx context.Context) error {
	c, err := demo.NewCluster(ctx, w.ECS, w.EC2, Cluster, 8080)
	if err != nil {
		return err
	}
	w.cluster = c
	return nil
}

// CreateService creates a Fargate service with the given desired count.
func (w *World) CreateService(t testing.TB, name string, desired int32) {
	t.Helper()
	if err := w.cluster.NewService(context.Background(), w.ECS, name, desired); err != nil {
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

// Task is a task the test started for a service, at a loopback "public IP".
type Task struct {
	ARN, IP string
	// Created is when RunTask made it (the emulator reports no createdAt).
	Created time.Time
}

// RunTask starts a task for the service as the ECS scheduler would, and gives
// its network interface an Elastic IP 127.0.0.N, so ECS and EC2 report it
// as a Fargate task with a public IP that the test controls.
func (w *World) RunTask(t testing.TB, service string) Task {
	t.Helper()
	task, err := w.runTask(context.Background(), service)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (w *World) runTask(ctx context.Context, service string) (Task, error) {
	created := time.Now()
	out, err := w.ECS.RunTask(ctx, &ecs.RunTaskInput{
		Cluster: aws.String(Cluster), TaskDefinition: aws.String(w.cluster.TaskDefinition), Group: aws.String("service:" + service),
		LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: w.cluster.Network,
	})
	if err != nil || len(out.Tasks) != 1 {
		return Task{}, fmt.Errorf("run task for %s: %v", service, err)
	}
	task := out.Tasks[0]
	var eni string
	for _, a := range task.Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "networkInterfaceId" {
				eni = aws.ToString(d.Value)
			}
		}
	}
	if eni == "" {
		return Task{}, fmt.Errorf("task for %s has no network interface", service)
	}
	w.mu.Lock()
	ip := "127.0.0." + strconv.Itoa(w.nextIP)
	w.nextIP++
	w.mu.Unlock()
	alloc, err := w.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, Address: aws.String(ip)})
	if err != nil {
		return Task{}, fmt.Errorf("allocate %s: %w", ip, err)
	}
	if _, err := w.EC2.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: alloc.AllocationId, NetworkInterfaceId: aws.String(eni)}); err != nil {
		return Task{}, fmt.Errorf("associate %s: %w", ip, err)
	}
	return Task{ARN: aws.ToString(task.TaskArn), IP: ip, Created: created}, nil
}

// StopTask stops a task with the reason ECS would give.
func (w *World) StopTask(t testing.TB, task Task, reason string) {
	t.Helper()
	if _, err := w.ECS.StopTask(context.Background(), &ecs.StopTaskInput{Cluster: aws.String(Cluster), Task: aws.String(task.ARN), Reason: aws.String(reason)}); err != nil {
		t.Fatalf("stop task: %v", err)
	}
}

// FailTask stops a task as ECS does when it fails: its stoppedReason, and
// the stop code and containers' reasons and exit codes the gate reports.
func (w *World) FailTask(t testing.TB, task Task, reason string, s Stop) {
	t.Helper()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = task.Created
	}
	if s.StoppedAt.IsZero() {
		s.StoppedAt = time.Now()
	}
	w.Gate.SetStop(task.ARN, s)
	w.StopTask(t, task, reason)
}

// Listen opens the app's port on the task's address: from now on the app answers.
// The listener is closed when the test ends.
func Listen(t testing.TB, ip string, port int) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listen on %s:%d: %v", ip, port, err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// Env is the environment for a function binary that talks to the emulator through the gate.
func (w *World) Env(extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.TempDir(),
		"AWS_ENDPOINT_URL=" + w.Gate.URL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=" + emulator.Region,
		"AWS_EC2_METADATA_DISABLED=true",
		// The emulator reports made-up task addresses: never dial outside loopback.
		"PROBE_ALLOWED_NETWORKS=127.0.0.0/8",
	}
	return append(env, extra...)
}

// Eventually polls cond every 50 ms until it holds or the deadline passes.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
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
