package testworld

import (
	"context"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/demo"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
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
	rds    *rds.Client // databases.go
}

// Start starts the emulator and the gate, creates a cluster, a network and a
// task definition, and stops it all when the test ends. With -short the test
// is skipped: `make unit` is the unit tests alone.
func Start(t testing.TB) *World {
	t.Helper()
	if testing.Short() {
		t.Skip("end to end against the emulator: not with -short (make unit)")
	}
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
