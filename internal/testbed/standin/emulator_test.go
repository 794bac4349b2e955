package standin

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/demo"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestSchedulerTurnsDesiredCountIntoAnAppOnItsPublicIP runs the scheduler
// against the emulator: desiredCount 1 gives a RUNNING task whose interface's
// public IP answers HTTP; desiredCount 0 stops the task and its process.
func TestSchedulerTurnsDesiredCountIntoAnAppOnItsPublicIP(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the AWS emulator")
	}
	ctx := context.Background()
	ecsClient, ec2Client := emulatorClients(t)
	c, port := demoService(t, ecsClient, ec2Client)
	s := startScheduler(t, ecsClient, ec2Client, c, port)

	setDesired := func(n int32) {
		t.Helper()
		if _, err := ecsClient.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("local"), Service: aws.String("web"), DesiredCount: aws.Int32(n)}); err != nil {
			t.Fatal(err)
		}
	}
	client := &http.Client{Timeout: time.Second}

	setDesired(1)
	var task ecstypes.Task
	var url string
	testworld.Eventually(t, 30*time.Second, "the service's task answers on its public IP", func() bool {
		running := serviceTasks(t, ecsClient, "local", "web", "RUNNING")
		if len(running) != 1 {
			return false
		}
		task = running[0]
		ip := publicIP(t, ec2Client, task)
		// The emulator could report any address: dial only loopback.
		if a := net.ParseIP(ip); a == nil || !a.IsLoopback() {
			return false
		}
		url = "http://" + net.JoinHostPort(ip, strconv.Itoa(port)) + "/healthz"
		resp, err := client.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	p := pids(s, "web")
	if len(p) != 1 {
		t.Fatalf("app processes %v, want one", p)
	}

	setDesired(0)
	testworld.Eventually(t, 30*time.Second, "the task is stopped", func() bool {
		out, err := ecsClient.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("local"), Tasks: []string{aws.ToString(task.TaskArn)}})
		return err == nil && len(out.Tasks) == 1 && aws.ToString(out.Tasks[0].LastStatus) == "STOPPED" &&
			strings.HasPrefix(aws.ToString(out.Tasks[0].StoppedReason), "Scaling activity initiated by")
	})
	testworld.Eventually(t, 10*time.Second, "the app process is gone", func() bool { return !alive(p[0]) })
	if resp, err := client.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after scale-in", url)
	}
}

// emulatorClients start the AWS emulator for the test and return its ECS and EC2 clients.
func emulatorClients(t *testing.T) (*ecs.Client, *ec2.Client) {
	t.Helper()
	ctx := context.Background()
	emu, err := emulator.Start(ctx)
	if err != nil {
		t.Fatalf("start the AWS emulator: %v", err)
	}
	t.Cleanup(emu.Stop)
	if err := emu.KeepTasksAsTheyAre(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	ecsClient := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(emu.URL) })
	ec2Client := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(emu.URL) })
	return ecsClient, ec2Client
}

// demoService creates cluster "local" with service "web", asleep, whose app
// listens on a port free on this machine.
func demoService(t *testing.T, ecsClient *ecs.Client, ec2Client *ec2.Client) (*demo.Cluster, int) {
	t.Helper()
	ctx := context.Background()
	_, portText, _ := net.SplitHostPort(testworld.FreeAddr(t))
	port, _ := strconv.Atoi(portText)
	c, err := demo.NewCluster(ctx, ecsClient, ec2Client, "local", int32(port))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.NewService(ctx, ecsClient, "web", 0); err != nil {
		t.Fatal(err)
	}
	return c, port
}

// startScheduler runs the scheduler for service "web" with the built demo app
// until the test ends.
func startScheduler(t *testing.T, ecsClient *ecs.Client, ec2Client *ec2.Client, c *demo.Cluster, port int) *Scheduler {
	t.Helper()
	app, err := testworld.Build(t.TempDir(), "../../../cmd/demoapp", "demoapp")
	if err != nil {
		t.Fatal(err)
	}
	s := New(ecsClient, ec2Client, &fakeAWS{}, t.TempDir(), quiet, Service{
		Cluster: "local", Name: "web", TaskDefinition: c.TaskDefinition, Network: c.Network, Port: port,
		Launch: func(ip string, port int, stats string) *exec.Cmd {
			return exec.Command(app, "-addr", net.JoinHostPort(ip, strconv.Itoa(port)), "-startup-delay", "500ms", "-stats-file", stats)
		},
	})
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	return s
}

// serviceTasks are the service's tasks in status; the emulator's ListTasks
// ignores the service filter, so each task's group is checked.
func serviceTasks(t *testing.T, c *ecs.Client, cluster, service, status string) []ecstypes.Task {
	t.Helper()
	ctx := context.Background()
	list, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(cluster)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.TaskArns) == 0 {
		return nil
	}
	out, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: list.TaskArns})
	if err != nil {
		t.Fatal(err)
	}
	var tasks []ecstypes.Task
	for _, task := range out.Tasks {
		if aws.ToString(task.Group) == "service:"+service && aws.ToString(task.LastStatus) == status {
			tasks = append(tasks, task)
		}
	}
	return tasks
}

// publicIP is the public IP EC2 reports on the task's network interface.
func publicIP(t *testing.T, c *ec2.Client, task ecstypes.Task) string {
	t.Helper()
	for _, a := range task.Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) != "networkInterfaceId" {
				continue
			}
			out, err := c.DescribeNetworkInterfaces(context.Background(), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{aws.ToString(d.Value)}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.NetworkInterfaces) == 1 && out.NetworkInterfaces[0].Association != nil {
				return aws.ToString(out.NetworkInterfaces[0].Association.PublicIp)
			}
		}
	}
	return ""
}
