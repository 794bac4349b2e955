package standin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// fakeAWS records the calls the scheduler makes and answers as ECS and EC2 would.
type fakeAWS struct {
	mu       sync.Mutex
	desired  int32
	fail     map[string]error // by operation
	runs     []*ecs.RunTaskInput
	stops    []*ecs.StopTaskInput
	allocs   []string // addresses allocated
	released []string // allocation ids released
	next     int
	// stoppedOutside are tasks someone else stopped through the API.
	stoppedOutside map[string]bool
	metrics        []*cloudwatch.PutMetricDataInput
}

func (f *fakeAWS) DescribeTasks(_ context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	if err := f.err("DescribeTasks"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &ecs.DescribeTasksOutput{}
	for _, arn := range in.Tasks {
		status := "RUNNING"
		if f.stoppedOutside[arn] {
			status = "STOPPED"
		}
		out.Tasks = append(out.Tasks, ecstypes.Task{TaskArn: aws.String(arn), LastStatus: aws.String(status), DesiredStatus: aws.String(status)})
	}
	return out, nil
}

func (f *fakeAWS) err(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail[op]
}

func (f *fakeAWS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	if err := f.err("DescribeServices"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return &ecs.DescribeServicesOutput{Services: []ecstypes.Service{{ServiceName: aws.String(in.Services[0]), DesiredCount: f.desired}}}, nil
}

func (f *fakeAWS) RunTask(_ context.Context, in *ecs.RunTaskInput, _ ...func(*ecs.Options)) (*ecs.RunTaskOutput, error) {
	if err := f.err("RunTask"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs = append(f.runs, in)
	f.next++
	return &ecs.RunTaskOutput{Tasks: []ecstypes.Task{{
		TaskArn:     aws.String("arn:task/" + string(rune('a'+f.next))),
		Attachments: []ecstypes.Attachment{{Details: []ecstypes.KeyValuePair{{Name: aws.String("networkInterfaceId"), Value: aws.String("eni-1")}}}},
	}}}, nil
}

func (f *fakeAWS) StopTask(_ context.Context, in *ecs.StopTaskInput, _ ...func(*ecs.Options)) (*ecs.StopTaskOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stops = append(f.stops, in)
	return &ecs.StopTaskOutput{}, nil
}

func (f *fakeAWS) AllocateAddress(_ context.Context, in *ec2.AllocateAddressInput, _ ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error) {
	if err := f.err("AllocateAddress"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.allocs = append(f.allocs, aws.ToString(in.Address))
	return &ec2.AllocateAddressOutput{AllocationId: aws.String("eipalloc-" + aws.ToString(in.Address))}, nil
}

func (f *fakeAWS) AssociateAddress(context.Context, *ec2.AssociateAddressInput, ...func(*ec2.Options)) (*ec2.AssociateAddressOutput, error) {
	if err := f.err("AssociateAddress"); err != nil {
		return nil, err
	}
	return &ec2.AssociateAddressOutput{AssociationId: aws.String("eipassoc-1")}, nil
}

func (f *fakeAWS) DisassociateAddress(context.Context, *ec2.DisassociateAddressInput, ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error) {
	return &ec2.DisassociateAddressOutput{}, nil
}

func (f *fakeAWS) ReleaseAddress(_ context.Context, in *ec2.ReleaseAddressInput, _ ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released = append(f.released, aws.ToString(in.AllocationId))
	return &ec2.ReleaseAddressOutput{}, nil
}

func (f *fakeAWS) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.metrics = append(f.metrics, in)
	return &cloudwatch.PutMetricDataOutput{}, nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newScheduler returns a scheduler whose "app" is cmd, stopped when the test ends.
func newScheduler(t *testing.T, f *fakeAWS, app ...string) (*Scheduler, Service) {
	t.Helper()
	// A port of its own: other tests and local stacks on this machine use the same address pool.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	svc := Service{Cluster: "c", Name: "web", TaskDefinition: "td:1", Port: port,
		Network: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}},
		Launch:  func(string, int, string) *exec.Cmd { return exec.Command(app[0], app[1:]...) },
	}
	s := New(f, f, f, t.TempDir(), quiet, svc)
	t.Cleanup(s.Close)
	return s, svc
}

func pids(s *Scheduler, service string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, t := range s.tasks[service] {
		out = append(out, t.cmd.Process.Pid)
	}
	return out
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestReconcileStartsATaskWhenFewerRunThanDesired(t *testing.T) {
	f := &fakeAWS{desired: 1}
	s, svc := newScheduler(t, f, "sleep", "60")
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	if len(f.runs) != 1 {
		t.Fatalf("%d RunTask calls, want 1", len(f.runs))
	}
	run := f.runs[0]
	if aws.ToString(run.Group) != "service:web" || run.LaunchType != ecstypes.LaunchTypeFargate || run.NetworkConfiguration != svc.Network {
		t.Errorf("RunTask %+v: want group service:web, FARGATE and the service's network", run)
	}
	if len(f.allocs) != 1 || f.allocs[0] != "127.0.0.10" {
		t.Errorf("allocated %v, want the first pool address 127.0.0.10", f.allocs)
	}
	if p := pids(s, "web"); len(p) != 1 || !alive(p[0]) {
		t.Fatalf("app processes %v, want one alive", p)
	}
	// A second round with the task up starts nothing more.
	if err := s.Reconcile(context.Background(), svc); err != nil || len(f.runs) != 1 {
		t.Fatalf("second round: err %v, %d RunTask calls, want 1", err, len(f.runs))
	}
}

func TestReconcileGivesEachTaskItsOwnAddress(t *testing.T) {
	f := &fakeAWS{desired: 3}
	s, svc := newScheduler(t, f, "sleep", "60")
	for range 3 {
		if err := s.Reconcile(context.Background(), svc); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(f.allocs, ","); got != "127.0.0.10,127.0.0.11,127.0.0.12" {
		t.Fatalf("allocated %s, want three distinct addresses", got)
	}
}

func TestReconcileSkipsAnAddressSomeoneElseListensOn(t *testing.T) {
	f := &fakeAWS{desired: 1}
	s, svc := newScheduler(t, f, "sleep", "60")
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.10", strconv.Itoa(svc.Port)))
	if err != nil {
		t.Fatalf("cannot hold 127.0.0.10:%d for the test: %v", svc.Port, err)
	}
	defer l.Close()
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	if len(f.allocs) != 1 || f.allocs[0] != "127.0.0.11" {
		t.Fatalf("allocated %v, want 127.0.0.11 past the address in use", f.allocs)
	}
}

func TestReconcileStopsATaskOnScaleIn(t *testing.T) {
	f := &fakeAWS{desired: 1}
	s, svc := newScheduler(t, f, "sleep", "60")
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	pid := pids(s, "web")[0]
	f.desired = 0
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	if len(f.stops) != 1 || !strings.HasPrefix(aws.ToString(f.stops[0].Reason), "Scaling activity initiated by (deployment ecs-svc/") {
		t.Fatalf("StopTask calls %+v, want one with ECS's scale-in reason", f.stops)
	}
	if alive(pid) {
		t.Errorf("app process %d still runs after scale-in", pid)
	}
	if len(f.released) != 1 {
		t.Errorf("released %v, want the task's address", f.released)
	}
	// The address is free again for the next task.
	f.desired = 1
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	if last := f.allocs[len(f.allocs)-1]; last != "127.0.0.10" {
		t.Errorf("next task got %s, want the released 127.0.0.10", last)
	}
}

func TestReconcileStopsTheTaskOfAnAppThatExitedAndBacksOff(t *testing.T) {
	f := &fakeAWS{desired: 1}
	s, svc := newScheduler(t, f, "sh", "-c", "exit 3")
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(f.stops) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the exited app's task was not stopped within 10 s")
		}
		if err := s.Reconcile(context.Background(), svc); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := aws.ToString(f.stops[0].Reason); got != "Essential container in task exited (exit code 3)" {
		t.Errorf("stopped reason %q", got)
	}
	if len(f.runs) != 1 {
		t.Errorf("%d RunTask calls right after the crash, want none more until the back-off passes", len(f.runs))
	}
}

func TestReconcileErrors(t *testing.T) {
	boom := errors.New("throttled")
	tests := []struct {
		name      string
		failing   string
		wantStops int // a task already run in ECS must not stay RUNNING there
	}{
		{"a DescribeServices failure starts nothing", "DescribeServices", 0},
		{"a RunTask failure gives its address back", "RunTask", 0},
		{"an AllocateAddress failure stops the task it ran", "AllocateAddress", 1},
		{"an AssociateAddress failure stops the task and releases the address", "AssociateAddress", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeAWS{desired: 1, fail: map[string]error{tt.failing: boom}}
			s, svc := newScheduler(t, f, "sleep", "60")
			err := s.Reconcile(context.Background(), svc)
			if !errors.Is(err, boom) {
				t.Fatalf("error %v, want it to wrap the cause", err)
			}
			if len(pids(s, "web")) != 0 {
				t.Error("an app process runs for a task that failed to start")
			}
			if len(f.stops) != tt.wantStops {
				t.Errorf("%d StopTask calls, want %d", len(f.stops), tt.wantStops)
			}
			f.mu.Lock()
			f.fail = nil
			f.mu.Unlock()
			if err := s.Reconcile(context.Background(), svc); err != nil {
				t.Fatal(err)
			}
			if last := f.allocs[len(f.allocs)-1]; last != "127.0.0.10" {
				t.Errorf("the retry got %s, want the first pool address back", last)
			}
		})
	}
}

func TestCloseStopsEveryAppProcess(t *testing.T) {
	f := &fakeAWS{desired: 2}
	s, svc := newScheduler(t, f, "sleep", "60")
	for range 2 {
		if err := s.Reconcile(context.Background(), svc); err != nil {
			t.Fatal(err)
		}
	}
	p := pids(s, "web")
	s.Close()
	for _, pid := range p {
		if alive(pid) {
			t.Errorf("process %d still runs after Close", pid)
		}
	}
}

func TestATaskStoppedThroughTheAPILosesItsProcessAndIsReplaced(t *testing.T) {
	f := &fakeAWS{desired: 1, stoppedOutside: map[string]bool{}}
	s, svc := newScheduler(t, f, "sleep", "60")
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	pid := pids(s, "web")[0]
	f.mu.Lock()
	f.stoppedOutside["arn:task/"+string(rune('a'+1))] = true
	f.mu.Unlock()
	if err := s.Reconcile(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Errorf("the stopped task's process %d still runs", pid)
	}
	if len(f.released) != 1 || len(f.runs) != 2 {
		t.Fatalf("released %v, %d RunTask calls; want the address back and a replacement task", f.released, len(f.runs))
	}
	if len(f.stops) != 0 {
		t.Fatalf("StopTask called %d times for a task ECS already stopped", len(f.stops))
	}
}

// TestPublishWritesEachTasksRateAsContainerInsightsDoes: one datapoint per
// task per minute, in Bytes/Second, stamped with the minute it covers.
func TestPublishWritesEachTasksRateAsContainerInsightsDoes(t *testing.T) {
	f := &fakeAWS{}
	s, svc := newScheduler(t, f)
	dir := t.TempDir()
	for i, counts := range []string{"600 1200", "60 0"} {
		file := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(file, []byte(counts), 0o600); err != nil {
			t.Fatal(err)
		}
		s.tasks[svc.Name] = append(s.tasks[svc.Name], &task{stats: file})
	}
	minute := time.Date(2026, 11, 25, 10, 41, 0, 0, time.UTC)
	s.Publish(context.Background(), minute)
	s.Publish(context.Background(), minute.Add(time.Minute)) // nothing moved since: zero, still published
	var got []string
	for _, in := range f.metrics {
		for _, d := range in.MetricData {
			got = append(got, fmt.Sprintf("%s %s %s %v %s", aws.ToString(in.Namespace), aws.ToString(d.MetricName), d.Timestamp.Format("15:04"), aws.ToFloat64(d.Value), d.Unit))
		}
	}
	want := []string{
		"ECS/ContainerInsights NetworkRxBytes 10:41 10 Bytes/Second", "ECS/ContainerInsights NetworkTxBytes 10:41 20 Bytes/Second",
		"ECS/ContainerInsights NetworkRxBytes 10:41 1 Bytes/Second", "ECS/ContainerInsights NetworkTxBytes 10:41 0 Bytes/Second",
		"ECS/ContainerInsights NetworkRxBytes 10:42 0 Bytes/Second", "ECS/ContainerInsights NetworkTxBytes 10:42 0 Bytes/Second",
		"ECS/ContainerInsights NetworkRxBytes 10:42 0 Bytes/Second", "ECS/ContainerInsights NetworkTxBytes 10:42 0 Bytes/Second",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("datapoints:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
