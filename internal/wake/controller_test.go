package wake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/waketoken"
)

var ctx = context.Background()

func TestFiftyConcurrentFirstVisitsScaleUpOnce(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 0}, observeDelay: 20 * time.Millisecond}
	c := newController(svcs, &fakeProber{}, nil, time.Second, "")
	var wg sync.WaitGroup
	states := make([]string, 50)
	for i := range 50 {
		wg.Go(func() { states[i] = c.Wake(ctx, testService()).State })
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
	c := newController(svcs, &fakeProber{}, nil, time.Second, "")
	c.Wake(ctx, testService())
	if n := svcs.setDesired.Load(); n != 0 || svcs.svc.DesiredCount != 3 {
		t.Fatalf("UpdateService called %d times, desired now %d; want untouched 3", n, svcs.svc.DesiredCount)
	}
}

func TestWakeRestoresTheCountTheServiceHadBeforeSleeping(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 0, SleptFrom: 4}}
	c := newController(svcs, &fakeProber{}, nil, time.Second, "")
	c.Wake(ctx, testService())
	if svcs.svc.DesiredCount != 4 {
		t.Fatalf("desired %d after wake, want the 4 it had before sleeping", svcs.svc.DesiredCount)
	}
}

func TestTheNextRequestRecordsWhenTheWakeBeganFromTheObservedHistory(t *testing.T) {
	history := "v1 asleep 2026-12-05T12:20Z QbBEEB"
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", Tags: map[string]string{ledger.Tag: history}}}
	c := newController(svcs, &fakeProber{}, nil, time.Second, "")
	c.Wake(ctx, testService())
	if svcs.markedWoken.Load() != 0 {
		t.Fatal("the first visitor's answer waited for the tag write too")
	}
	c.Status(ctx, other()) // any request of this environment
	if svcs.markedWoken.Load() != 1 || svcs.svc.WokenAt == nil {
		t.Fatal("the woken-at tag was not written")
	}
	// The wake goes into the history the service carried, in the same write.
	if from := svcs.wokenFrom; from == nil || from.ARN != "arn:svc" || from.Tags[ledger.Tag] != history {
		t.Fatalf("the wake start was written from %+v, not the observed service", from)
	}
}

func TestAScaleUpIsDecidedOnARecentView(t *testing.T) {
	// This environment saw the service asleep 1.5 s ago; another one has woken it since.
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	c := newController(svcs, &fakeProber{}, clk, 2*time.Second, "")
	if st := c.Status(ctx, testService()); st.State != Asleep {
		t.Fatalf("state %q, want asleep", st.State)
	}
	svcs.mu.Lock()
	svcs.svc.DesiredCount = 1
	svcs.mu.Unlock()
	clk.Advance(1500 * time.Millisecond)
	if st := c.Wake(ctx, testService()); st.State != Waking {
		t.Fatalf("state %q, want waking", st.State)
	}
	if n := svcs.setDesired.Load(); n != 0 {
		t.Fatalf("UpdateService called %d times on a service another environment woke", n)
	}
	if n := svcs.markedWoken.Load(); n != 0 {
		t.Fatal("the wake time was written again by an environment that did not wake the service")
	}
}

func TestStatusNeverScales(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	c := newController(svcs, &fakeProber{}, nil, time.Second, "")
	if st := c.Status(ctx, testService()); st.State != Asleep {
		t.Fatalf("state %q, want asleep", st.State)
	}
	if svcs.setDesired.Load() != 0 || svcs.markedWoken.Load() != 0 {
		t.Fatal("Status changed the service")
	}
}

func runningService(woken time.Time, status string) *fakeServices {
	return &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1, WokenAt: &woken,
		Tasks: []ecsservice.Task{{ID: "t1", LastStatus: status, PublicIP: "127.0.0.10", PrivateIP: "10.0.0.5"}}}}
}

func TestReadyWhenTheAppAnswersAtItsPublicIP(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-10*time.Second), "RUNNING")
	prober := &fakeProber{}
	c := newController(svcs, prober, clk, time.Second, "")
	if st := c.Status(ctx, testService()); st.State != Waking || st.Stage != StageStartingApp {
		t.Fatalf("before the app answers: %q/%q, want waking/starting-app", st.State, st.Stage)
	}
	prober.set("127.0.0.10", true)
	clk.Advance(probeFailFor)
	st := c.Status(ctx, testService())
	if st.State != Ready {
		t.Fatalf("state %q, want ready", st.State)
	}
	if got := st.LocationFor("/some/path?x=1"); got != "http://127.0.0.10:8080/some/path?x=1" {
		t.Fatalf("location %q", got)
	}
	if n := svcs.observes.Load(); n != 1 {
		t.Fatalf("ECS read %d times; with the task's address known, readiness is the app answering", n)
	}
}

func TestATaskStillPendingWithItsAddressIsProbed(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-10*time.Second), "PENDING")
	prober := &fakeProber{}
	prober.set("127.0.0.10", true)
	c := newController(svcs, prober, clk, time.Second, "")
	if st := c.Status(ctx, testService()); st.State != Ready {
		t.Fatalf("an app answering at a PENDING task's address: %q, want ready", st.State)
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
			c := newController(svcs, &fakeProber{}, nil, time.Second, "")
			st := c.Wake(ctx, testService())
			if st.State != tc.wantState || st.Stage != tc.wantStage {
				t.Fatalf("got %q/%q, want %q/%q", st.State, st.Stage, tc.wantState, tc.wantStage)
			}
			if st.State == Waking && (st.Next == nil || st.Next.AfterMs < 1000) {
				t.Fatalf("next %+v: a client must be told to come back, not hammer", st.Next)
			}
		})
	}
}

func TestAFailedScaleUpIsTriedAgainByTheNextVisit(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}, setErr: &smithy.GenericAPIError{Code: "ThrottlingException"}}
	c := newController(svcs, &fakeProber{}, nil, time.Hour, "")
	c.Wake(ctx, testService())
	svcs.mu.Lock()
	svcs.setErr = nil
	svcs.mu.Unlock()
	if st := c.Wake(ctx, testService()); st.State != Waking || st.Stage != StageNoTask {
		t.Fatalf("second visit: %q/%q, want waking/no-task", st.State, st.Stage)
	}
	if svcs.svc.DesiredCount != 1 {
		t.Fatalf("desired %d, want 1", svcs.svc.DesiredCount)
	}
}

func TestOneServiceIsReadAtMostOncePerObserveEvery(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1}}
	c := newController(svcs, &fakeProber{}, clk, 2*time.Second, "")
	for range 10 {
		c.Status(ctx, testService())
		clk.Advance(100 * time.Millisecond)
	}
	if n := svcs.observes.Load(); n != 1 {
		t.Fatalf("observed %d times in 1 s, want 1", n)
	}
	clk.Advance(time.Second)
	c.Status(ctx, testService())
	if n := svcs.observes.Load(); n != 2 {
		t.Fatalf("observed %d times after 2 s, want 2", n)
	}
}

func TestReadsStayWithinTheEnvironmentsBudget(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1}}
	c := budgeted(svcs, clk, 1, 3, "")
	// Requests for 20 services, 10 times each, over 5 seconds: a bot walking every route.
	var checking int
	for range 10 {
		for i := range 20 {
			svc := testService()
			svc.Name = fmt.Sprintf("svc-%d", i)
			if st := c.Status(ctx, svc); st.Stage == StageChecking {
				checking++
			}
		}
		clk.Advance(500 * time.Millisecond)
	}
	// 3 at once, then one a second for the 4.5 s that passed.
	if n := svcs.observes.Load(); n > 3+5 {
		t.Fatalf("%d ECS reads in 5 s from one environment, want at most 8", n)
	}
	if checking == 0 {
		t.Fatal("services never read were not answered as checking")
	}
	// Over its budget an environment asks the client back soon: the next poll may land in another.
	spent := budgeted(svcs, clk, 0.001, 1, "")
	spent.Status(ctx, testService())
	if st := spent.Status(ctx, other()); st.Stage != StageChecking || st.Next == nil || st.Next.AfterMs > 1200 {
		t.Fatalf("over the budget: %+v", st)
	}
}

func TestOverTheBudgetTheLastKnownStateIsAnswered(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 1}}
	c := budgeted(svcs, clk, 0.001, 1, "")
	first := c.Status(ctx, testService())
	clk.Advance(10 * time.Second)
	if st := c.Status(ctx, testService()); st.State != first.State || st.Stage != first.Stage {
		t.Fatalf("over the budget: %q/%q, want the last known %q/%q", st.State, st.Stage, first.State, first.Stage)
	}
	if n := svcs.observes.Load(); n != 1 {
		t.Fatalf("%d reads, want 1", n)
	}
}

func TestSleepRemembersTheCount(t *testing.T) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc", DesiredCount: 2}}
	c := newController(svcs, &fakeProber{}, nil, time.Hour, "")
	st, err := c.Sleep(ctx, testService())
	if err != nil || st.State != Asleep {
		t.Fatalf("sleep: %v %q", err, st.State)
	}
	if svcs.svc.DesiredCount != 0 || svcs.svc.SleptFrom != 2 {
		t.Fatalf("desired %d slept-from %d, want 0 and 2", svcs.svc.DesiredCount, svcs.svc.SleptFrom)
	}
	// The next visit reads ECS again instead of the view from before the sleep.
	if st := c.Status(ctx, testService()); st.State != Asleep {
		t.Fatalf("after sleep %q, want asleep", st.State)
	}
}

func TestTheEnvironmentThatWokeTheServiceRecordsTheWakeOnce(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	prober := &fakeProber{}
	c := newController(svcs, prober, clk, time.Second, "")
	c.Wake(ctx, testService())
	clk.Advance(30 * time.Second)
	svcs.mu.Lock()
	svcs.svc.Tasks = []ecsservice.Task{{ID: "t1", LastStatus: "RUNNING", PublicIP: "127.0.0.10"}}
	svcs.mu.Unlock()
	c.Status(ctx, testService()) // waking
	prober.set("127.0.0.10", true)
	clk.Advance(time.Second)
	for range 3 {
		if st := c.Status(ctx, testService()); st.State != Ready {
			t.Fatalf("state %q, want ready", st.State)
		}
	}
	if len(svcs.svc.WakeSeconds) != 1 || svcs.svc.WakeSeconds[0] != 31 {
		t.Fatalf("recorded %v, want one duration of 31 s", svcs.svc.WakeSeconds)
	}
}

func TestAWakeAnotherEnvironmentStartedIsNotRecordedHere(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-30*time.Second), "RUNNING")
	prober := &fakeProber{}
	c := newController(svcs, prober, clk, time.Second, "")
	c.Status(ctx, testService())
	prober.set("127.0.0.10", true)
	clk.Advance(time.Second)
	if st := c.Status(ctx, testService()); st.State != Ready {
		t.Fatalf("state %q, want ready", st.State)
	}
	if n := svcs.recorded.Load(); n != 0 {
		t.Fatalf("recorded %d wakes this environment did not start (every environment would)", n)
	}
}

// twoEnvironments are two execution environments of one function: same key, own memory.
func twoEnvironments(svcs Services, prober Prober, clk *clock) (*Controller, *Controller) {
	return newController(svcs, prober, clk, time.Second, testKey), newController(svcs, prober, clk, time.Second, testKey)
}

func TestOnceTheAddressIsKnownPollsInAnyEnvironmentOnlyAskTheApp(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-20*time.Second), "RUNNING")
	prober := &fakeProber{}
	a, b := twoEnvironments(svcs, prober, clk)
	st := a.Status(ctx, testService())
	if st.State != Waking || st.Next == nil || st.Next.Token == "" {
		t.Fatalf("a task running with its address: %+v, want waking with a token", st)
	}
	if st.Next.AfterMs < 500 || st.Next.AfterMs > 900 {
		t.Fatalf("next poll in %d ms, want about 700", st.Next.AfterMs)
	}
	reads := svcs.observes.Load()
	for range 30 { // 9 s of polls, inside the token's life
		clk.Advance(300 * time.Millisecond)
		p := b.Poll(ctx, testService(), st.Next.Token)
		if p.State != Waking || p.Stage != StageStartingApp || p.ElapsedSeconds < 20 || p.Next == nil || p.Next.Token != st.Next.Token {
			t.Fatalf("poll with the token: %+v", p)
		}
	}
	prober.set("127.0.0.10", true)
	clk.Advance(probeFailFor)
	p := b.Poll(ctx, testService(), st.Next.Token)
	if p.State != Ready || p.LocationFor("/x") != "http://127.0.0.10:8080/x" {
		t.Fatalf("the app answers: %+v, want ready at the task", p)
	}
	if n := svcs.observes.Load(); n != reads {
		t.Fatalf("%d ECS reads for polls carrying a token, want 0", n-reads)
	}
}

func TestABadTokenFallsBackToReadingECS(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-20*time.Second), "RUNNING")
	a, _ := twoEnvironments(svcs, &fakeProber{}, clk)
	good := a.Status(ctx, testService()).Next.Token
	other := testService()
	other.Name = "other"
	signer := waketoken.New([]byte(testKey))
	forgedHost := signer.Sign(waketoken.Claims{Service: testService().ID(), Task: "t1", Host: "not-an-ip", Issued: clk.Now().UnixMilli(), Expires: clk.Now().Add(time.Second).UnixMilli()})
	tests := []struct {
		name    string
		token   func() string
		advance time.Duration
		svc     config.Service
	}{
		{"signed with another key", func() string {
			return waketoken.New([]byte("another key, sixteen or more")).Sign(waketoken.Claims{Service: testService().ID(), Task: "t1", Host: "127.0.0.9",
				Issued: clk.Now().UnixMilli(), Expires: clk.Now().Add(time.Second).UnixMilli()})
		}, 0, testService()},
		{"tampered", func() string { return strings.Replace(good, good[:4], "AAAA", 1) }, 0, testService()},
		{"expired", func() string { return good }, tokenLife + time.Second, testService()},
		{"for another service", func() string { return good }, 0, other},
		{"naming a host that is no address", func() string { return forgedHost }, 0, testService()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, b := twoEnvironments(svcs, &fakeProber{}, clk)
			tok := tc.token()
			clk.Advance(tc.advance)
			before := svcs.observes.Load()
			b.Poll(ctx, tc.svc, tok)
			if svcs.observes.Load() != before+1 {
				t.Fatal("the poll did not fall back to reading ECS")
			}
		})
	}
}

func TestATokenWhoseHostFellSilentIsCheckedAgainstECS(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-20*time.Second), "RUNNING")
	prober := &fakeProber{}
	a, b := twoEnvironments(svcs, prober, clk)
	tok := a.Status(ctx, testService()).Next.Token
	reads := svcs.observes.Load()
	// The host refuses connections (the app is starting): the token holds for its whole life.
	clk.Advance(addressFresh + time.Second)
	if st := b.Poll(ctx, testService(), tok); st.State != Waking || svcs.observes.Load() != reads {
		t.Fatalf("host refusing: %q after %d reads, want waking on the token alone", st.State, svcs.observes.Load()-reads)
	}
	// The host no longer answers at all (its task may be gone): ECS is read.
	prober.mu.Lock()
	prober.silent = true
	prober.mu.Unlock()
	clk.Advance(probeFailFor)
	b.Poll(ctx, testService(), tok)
	if svcs.observes.Load() != reads+1 {
		t.Fatal("a token whose host fell silent was believed without a read")
	}
}

func TestOverTheReadBudgetAnExpiredTokenIsStillTheBestKnowledge(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-20*time.Second), "PENDING")
	a := newController(svcs, &fakeProber{}, clk, time.Second, testKey)
	tok := a.Status(ctx, testService()).Next.Token
	clk.Advance(tokenLife + time.Second)
	b := budgeted(svcs, clk, 0.001, 1, testKey)
	b.Status(ctx, other()) // spends the environment's one read on another service
	st := b.Poll(ctx, testService(), tok)
	if st.State != Waking || st.Stage != StagePending || st.Next == nil || st.Next.Token != tok {
		t.Fatalf("over the budget with an expired token: %+v, want the token's stage, not checking", st)
	}
}

func other() config.Service {
	s := testService()
	s.Name = "other"
	return s
}

func TestATokenForATaskThatStoppedSinceIsNotBelieved(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-20*time.Second), "RUNNING")
	prober := &fakeProber{}
	c := newController(svcs, prober, clk, time.Second, testKey)
	tok := c.Status(ctx, testService()).Next.Token
	// The task stops; this environment reads ECS after the token was issued.
	svcs.mu.Lock()
	stopped := clk.Now().Add(time.Second)
	svcs.svc.Tasks = nil
	svcs.svc.Stopped = []ecsservice.Task{{ID: "t1", LastStatus: "STOPPED", StoppedReason: "Essential container in task exited", StoppedAt: &stopped}}
	svcs.mu.Unlock()
	clk.Advance(addressFresh + time.Second)
	if st := c.Status(ctx, testService()); st.State != Failed {
		t.Fatalf("after the task stopped: %q, want failed", st.State)
	}
	prober.set("127.0.0.10", true) // something else answers at the old address
	if st := c.Poll(ctx, testService(), tok); st.State != Failed {
		t.Fatalf("poll with the old token: %q, want the failure this environment knows", st.State)
	}
}

func TestWithoutAKeyThereAreNoTokens(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-20*time.Second), "RUNNING")
	c := newController(svcs, &fakeProber{}, clk, time.Second, "")
	st := c.Status(ctx, testService())
	if st.Next == nil || st.Next.Token != "" {
		t.Fatalf("next %+v, want a pace and no token", st.Next)
	}
	if c.Poll(ctx, testService(), "anything.at-all").State != Waking {
		t.Fatal("a poll with a token the controller cannot check did not answer")
	}
}

func TestWakeTimesBeyondTheTagBudgetAreWrittenLater(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	// A read budget large enough that only the tag budget holds writes back.
	c := budgeted(svcs, clk, 100, 0, "")
	services := make([]config.Service, 8)
	for i := range services {
		services[i] = testService()
		services[i].Name = fmt.Sprintf("s%d", i)
		svcs.mu.Lock()
		svcs.svc.DesiredCount = 0
		svcs.mu.Unlock()
		c.Wake(ctx, services[i])
	}
	for _, s := range services {
		c.Status(ctx, s)
	}
	if n := svcs.markedWoken.Load(); n != tagBurst {
		t.Fatalf("%d wake times written at once, want the tag burst of %d", n, tagBurst)
	}
	// Later requests of this environment write the rest as the budget refills.
	for range 10 {
		clk.Advance(time.Second)
		for _, s := range services {
			c.Status(ctx, s)
		}
	}
	if n := svcs.markedWoken.Load(); n != int32(len(services)) {
		t.Fatalf("%d wake times written in the end, want %d", n, len(services))
	}
}

func TestWhileTheAppAnswersAReadOnlyAsksWhetherItIsStillWanted(t *testing.T) {
	clk := newClock()
	svcs := runningService(clk.Now().Add(-time.Minute), "RUNNING")
	prober := &fakeProber{}
	prober.set("127.0.0.10", true)
	c := newController(svcs, prober, clk, time.Second, "")
	if st := c.Status(ctx, testService()); st.State != Ready {
		t.Fatalf("state %q, want ready", st.State)
	}
	for range 5 {
		clk.Advance(2 * time.Second)
		if st := c.Status(ctx, testService()); st.State != Ready {
			t.Fatalf("state %q, want ready", st.State)
		}
	}
	if n := countTasks(svcs.needs); n != 1 {
		t.Fatalf("tasks listed %d times in 10 s while the app answered, want once (reads: %+v)", n, svcs.needs)
	}
	// Put to sleep: the next read sees it, without waiting for the app to stop.
	svcs.mu.Lock()
	svcs.svc.DesiredCount = 0
	svcs.mu.Unlock()
	clk.Advance(2 * time.Second)
	if st := c.Status(ctx, testService()); st.State != Asleep {
		t.Fatalf("after the sleep: %q, want asleep", st.State)
	}
}

func countTasks(needs []ecsservice.Need) int {
	n := 0
	for _, need := range needs {
		if need.Tasks {
			n++
		}
	}
	return n
}

func TestOneReadRefreshesTheOtherServicesOfTheClusterWhenItCostsNothing(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}} // asleep: DescribeServices only
	c := newController(svcs, &fakeProber{}, clk, time.Second, "")
	a, b := testService(), other()
	c.Status(ctx, a)
	c.Status(ctx, b)
	if n := svcs.observes.Load(); n != 2 {
		t.Fatalf("%d reads for two services seen the first time, want 2", n)
	}
	clk.Advance(2 * time.Second)
	c.Status(ctx, a) // due again: b comes along, in the same DescribeServices call
	c.Status(ctx, b)
	if n := svcs.observes.Load(); n != 3 {
		t.Fatalf("%d reads, want 3: the read for %s refreshes %s too", n, a.Name, b.Name)
	}
	if len(svcs.needs) != 4 {
		t.Fatalf("%d services read in all, want 4", len(svcs.needs))
	}
}

func TestEnvironmentsThatRaceToWakeAServiceRecordItOnce(t *testing.T) {
	clk := newClock()
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:svc"}}
	prober := &fakeProber{}
	a, b := twoEnvironments(svcs, prober, clk)
	b.Status(ctx, testService()) // b sees it asleep
	a.Wake(ctx, testService())   // a wakes it
	clk.Advance(10 * time.Millisecond)
	b.Wake(ctx, testService()) // b decides on its view of a moment ago, and wakes it too
	if d := svcs.svc.DesiredCount; d != 1 {
		t.Fatalf("desired %d after two environments woke it, want the wake count 1", d)
	}
	a.Status(ctx, other()) // a writes the wake's start
	clk.Advance(4 * time.Second)
	b.Status(ctx, testService()) // b reads a's start, and leaves the wake to a
	if n := svcs.markedWoken.Load(); n != 1 {
		t.Fatalf("the wake's start written %d times, want once", n)
	}
	svcs.mu.Lock()
	svcs.svc.Tasks = []ecsservice.Task{{ID: "t1", LastStatus: "RUNNING", PublicIP: "127.0.0.10"}}
	svcs.mu.Unlock()
	prober.set("127.0.0.10", true)
	clk.Advance(addressFresh)
	for _, env := range []*Controller{a, b, a, b} {
		if st := env.Status(ctx, testService()); st.State != Ready {
			t.Fatalf("state %q, want ready", st.State)
		}
	}
	if n := svcs.recorded.Load(); n != 1 {
		t.Fatalf("the wake's duration recorded %d times, want once", n)
	}
}
