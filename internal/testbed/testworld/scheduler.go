package testworld

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Timing is how long a Fargate task takes, from the moment the scheduler
// places it: PROVISIONING (its network interface is attached), then PENDING
// (the image is pulled, the containers start), then RUNNING; its app answers
// some time later still.
type Timing struct {
	Pending, Running, App time.Duration
}

// Scheduler plays the ECS service scheduler for many services at once, in this
// process: it turns each service's desiredCount into tasks (RunTask and an
// Elastic IP 127.0.0.N, which is the task's "public IP"), has DescribeTasks
// report them PROVISIONING, PENDING and RUNNING on the Timing (through the
// gate), and opens the app on the task's address when the Timing says so.
type Scheduler struct {
	w       *World
	port    int
	timing  Timing
	names   []string
	stopped chan struct{}
	wg      sync.WaitGroup

	mu     sync.Mutex
	tasks  map[string][]*placed // by service
	byARN  map[string]*placed
	errors int
	// placing counts tasks between RunTask and their registration here: the
	// emulator already lists them RUNNING, ECS would say PROVISIONING.
	placing int
}

type placed struct {
	Task
	service string
	created time.Time
	srv     *http.Server
	opened  time.Time
}

// StartScheduler schedules the services' tasks until the test ends. Their apps
// listen on port and answer 200 to any path.
func (w *World) StartScheduler(t testing.TB, services []string, port int, timing Timing) *Scheduler {
	t.Helper()
	s := &Scheduler{w: w, port: port, timing: timing, names: slices.Clone(services), stopped: make(chan struct{}),
		tasks: map[string][]*placed{}, byARN: map[string]*placed{}}
	w.Gate.SetLifecycle(s.status)
	s.wg.Go(s.run)
	t.Cleanup(s.stop)
	return s
}

// status is the lifecycle the gate applies to DescribeTasks.
func (s *Scheduler) status(arn string, now time.Time) (string, *time.Time) {
	s.mu.Lock()
	p := s.byARN[arn]
	placing := s.placing
	s.mu.Unlock()
	if p == nil {
		if placing > 0 {
			return "PROVISIONING", nil
		}
		return "", nil
	}
	age := now.Sub(p.created)
	switch {
	case age < s.timing.Pending:
		return "PROVISIONING", nil
	case age < s.timing.Running:
		return "PENDING", nil
	}
	started := p.created.Add(s.timing.Running)
	return "RUNNING", &started
}

func (s *Scheduler) run() {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.stopped:
			return
		case <-tick.C:
			s.reconcile()
		}
	}
}

func (s *Scheduler) reconcile() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for batch := range slices.Chunk(s.names, 10) {
		out, err := s.w.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(Cluster), Services: batch})
		if err != nil {
			s.mu.Lock()
			s.errors++
			s.mu.Unlock()
			continue
		}
		for _, d := range out.Services {
			s.scale(ctx, aws.ToString(d.ServiceName), int(d.DesiredCount))
		}
	}
	s.openApps(time.Now())
}

// scale places or stops tasks until the service has as many as it wants.
func (s *Scheduler) scale(ctx context.Context, service string, desired int) {
	s.mu.Lock()
	have := len(s.tasks[service])
	s.mu.Unlock()
	for ; have < desired; have++ {
		s.mu.Lock()
		s.placing++
		s.mu.Unlock()
		task, err := s.w.runTask(ctx, service)
		if err != nil {
			s.mu.Lock()
			s.placing--
			s.errors++
			s.mu.Unlock()
			return
		}
		p := &placed{Task: task, service: service, created: time.Now()}
		s.mu.Lock()
		s.placing--
		s.tasks[service] = append(s.tasks[service], p)
		s.byARN[task.ARN] = p
		s.mu.Unlock()
	}
	for ; have > desired; have-- {
		s.mu.Lock()
		list := s.tasks[service]
		p := list[len(list)-1]
		s.tasks[service] = list[:len(list)-1]
		delete(s.byARN, p.ARN)
		s.mu.Unlock()
		if p.srv != nil {
			_ = p.srv.Close()
		}
		_, _ = s.w.ECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(Cluster), Task: aws.String(p.ARN),
			Reason: aws.String("Scaling activity initiated by (deployment ecs-svc/0000000000000000000)")})
	}
}

// openApps starts the apps whose time has come.
func (s *Scheduler) openApps(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.byARN {
		if p.srv != nil || now.Sub(p.created) < s.timing.App {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(p.IP, strconv.Itoa(s.port)))
		if err != nil {
			s.errors++
			continue
		}
		p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("app " + p.service + "\n"))
		})}
		p.opened = now
		go func(srv *http.Server) { _ = srv.Serve(l) }(p.srv)
	}
}

// AppAt reports when the app of the service's first task began to answer (zero: not yet).
func (s *Scheduler) AppAt(service string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.tasks[service] {
		if p.srv != nil {
			return p.opened
		}
	}
	return time.Time{}
}

// Errors is how many emulator calls of the scheduler failed.
func (s *Scheduler) Errors() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errors
}

func (s *Scheduler) stop() {
	close(s.stopped)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.byARN {
		if p.srv != nil {
			_ = p.srv.Close()
		}
	}
}
