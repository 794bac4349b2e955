package wake

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

func TestFiftyConcurrentFirstVisitsScaleUpOnce(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 0}, observeDelay: 20 * time.Millisecond}
	c := New(svcs, &fakeProber{}, time.Second, quietLog())
	var wg sync.WaitGroup
	states := make([]string, 50)
	for i := range 50 {
		wg.Go(func() { states[i] = c.Wake(context.Background(), testService()).State })
	}
	wg.Wait()
	if n := svcs.setDesired.Load(); n != 1 {
		t.Fatalf("UpdateService called %d times, want 1", n)
	}
	if svcs.svc.DesiredCount != 1 {
		t.Fatalf("desired count %d, want the wake count 1", svcs.svc.DesiredCount)
	}
	if n := svcs.observes.Load(); n != 1 {
		t.Fatalf("ECS observed %d times for 50 concurrent visits, want 1 shared observation", n)
	}
	for i, s := range states {
		if s != Waking {
			t.Fatalf("visitor %d saw %q, want waking", i, s)
		}
	}
}

func TestWakeNeverLowersTheDesiredCount(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 3}}
	c := New(svcs, &fakeProber{}, time.Second, quietLog())
	c.Wake(context.Background(), testService())
	if n := svcs.setDesired.Load(); n != 0 || svcs.svc.DesiredCount != 3 {
		t.Fatalf("UpdateService called %d times, desired now %d; want untouched 3", n, svcs.svc.DesiredCount)
	}
}

func TestWakeRestoresTheCountTheServiceHadBeforeSleeping(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 0, SleptFrom: 4}}
	c := New(svcs, &fakeProber{}, time.Second, quietLog())
	c.Wake(context.Background(), testService())
	if svcs.svc.DesiredCount != 4 {
		t.Fatalf("desired %d after wake, want the 4 it had before sleeping", svcs.svc.DesiredCount)
	}
}

func TestWakeRecordsWhenItBegan(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	c := New(svcs, &fakeProber{}, time.Second, quietLog())
	c.Wake(context.Background(), testService())
	if svcs.markedWoken.Load() != 1 || svcs.svc.WokenAt == nil {
		t.Fatal("the woken-at tag was not written")
	}
}

func TestStatusNeverScales(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	c := New(svcs, &fakeProber{}, time.Second, quietLog())
	if st := c.Status(context.Background(), testService()); st.State != Asleep {
		t.Fatalf("state %q, want asleep", st.State)
	}
	if svcs.setDesired.Load() != 0 || svcs.markedWoken.Load() != 0 {
		t.Fatal("Status changed the service")
	}
}

func TestReadyWhenTheAppAnswersAtItsPublicIP(t *testing.T) {
	woken := time.Now().Add(-10 * time.Second)
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1, WokenAt: &woken,
		Tasks: []ecsservice.Task{{LastStatus: "RUNNING", PublicIP: "127.0.0.10", PrivateIP: "10.0.0.5"}}}}
	prober := &fakeProber{up: map[string]bool{}}
	c := New(svcs, prober, time.Nanosecond, quietLog())
	if st := c.Status(context.Background(), testService()); st.State != Waking || st.Stage != StageStartingApp {
		t.Fatalf("before the app answers: %q/%q, want waking/starting-app", st.State, st.Stage)
	}
	prober.mu.Lock()
	prober.up["127.0.0.10"] = true
	prober.mu.Unlock()
	st := c.Status(context.Background(), testService())
	if st.State != Ready {
		t.Fatalf("state %q, want ready", st.State)
	}
	if got := st.LocationFor("/some/path?x=1"); got != "http://127.0.0.10:8080/some/path?x=1" {
		t.Fatalf("location %q", got)
	}
}

func TestAWSErrorsShowTheWaitPageNotAFailure(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	tests := []struct {
		name       string
		observeErr error
		setErr     error
		wantState  string
		wantStage  string
	}{
		{"throttled read", fmt.Errorf("describe: %w", throttled), nil, Waking, StageChecking},
		{"server error on read", &smithy.GenericAPIError{Code: "ServerException", Fault: smithy.FaultServer}, nil, Waking, StageChecking},
		{"network error on read", errors.New("dial tcp: connection refused"), nil, Waking, StageChecking},
		{"throttled scale-up", nil, throttled, Waking, StageChecking},
		{"missing service is a plain failure", fmt.Errorf("x: %w", ecsservice.ErrServiceNotFound), nil, Failed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}, observeErr: tc.observeErr, setErr: tc.setErr}
			c := New(svcs, &fakeProber{}, time.Second, quietLog())
			st := c.Wake(context.Background(), testService())
			if st.State != tc.wantState || st.Stage != tc.wantStage {
				t.Fatalf("got %q/%q, want %q/%q", st.State, st.Stage, tc.wantState, tc.wantStage)
			}
		})
	}
}

func TestAFailedScaleUpIsTriedAgainByTheNextVisit(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}, setErr: &smithy.GenericAPIError{Code: "ThrottlingException"}}
	c := New(svcs, &fakeProber{}, time.Hour, quietLog())
	c.Wake(context.Background(), testService())
	svcs.mu.Lock()
	svcs.setErr = nil
	svcs.mu.Unlock()
	if st := c.Wake(context.Background(), testService()); st.State != Waking || st.Stage != StageNoTask {
		t.Fatalf("second visit: %q/%q, want waking/no-task", st.State, st.Stage)
	}
	if svcs.svc.DesiredCount != 1 {
		t.Fatalf("desired %d, want 1", svcs.svc.DesiredCount)
	}
}

func TestOneObservationIsSharedWithinTheTTL(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1}}
	c := New(svcs, &fakeProber{}, time.Hour, quietLog())
	for range 10 {
		c.Status(context.Background(), testService())
	}
	if n := svcs.observes.Load(); n != 1 {
		t.Fatalf("observed %d times, want 1", n)
	}
}

func TestSleepRemembersTheCount(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 2}}
	c := New(svcs, &fakeProber{}, time.Hour, quietLog())
	st, err := c.Sleep(context.Background(), testService())
	if err != nil || st.State != Asleep {
		t.Fatalf("sleep: %v %q", err, st.State)
	}
	if svcs.svc.DesiredCount != 0 || svcs.svc.SleptFrom != 2 {
		t.Fatalf("desired %d slept-from %d, want 0 and 2", svcs.svc.DesiredCount, svcs.svc.SleptFrom)
	}
	// The next visit reads ECS again instead of the view from before the sleep.
	if st := c.Status(context.Background(), testService()); st.State != Asleep {
		t.Fatalf("after sleep %q, want asleep", st.State)
	}
}

func TestAWatchedWakeRecordsItsDurationOnce(t *testing.T) {
	woken := time.Now().Add(-30 * time.Second)
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1, WokenAt: &woken,
		Tasks: []ecsservice.Task{{LastStatus: "RUNNING", PublicIP: "127.0.0.10"}}}}
	prober := &fakeProber{up: map[string]bool{}}
	c := New(svcs, prober, time.Nanosecond, quietLog())
	c.Status(context.Background(), testService()) // waking
	prober.mu.Lock()
	prober.up["127.0.0.10"] = true
	prober.mu.Unlock()
	for range 3 {
		c.Status(context.Background(), testService()) // ready, ready, ready
	}
	if len(svcs.svc.WakeSeconds) != 1 || svcs.svc.WakeSeconds[0] < 29 || svcs.svc.WakeSeconds[0] > 40 {
		t.Fatalf("recorded %v, want one duration of about 30 s", svcs.svc.WakeSeconds)
	}
}

func TestAnUnwatchedWakeRecordsNothing(t *testing.T) {
	woken := time.Now().Add(-time.Hour)
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1, WokenAt: &woken,
		Tasks: []ecsservice.Task{{LastStatus: "RUNNING", PublicIP: "127.0.0.10"}}}}
	c := New(svcs, &fakeProber{up: map[string]bool{"127.0.0.10": true}}, time.Nanosecond, quietLog())
	c.Status(context.Background(), testService())
	if len(svcs.svc.WakeSeconds) != 0 {
		t.Fatalf("recorded %v for a wake nobody saw end", svcs.svc.WakeSeconds)
	}
}
