package wake

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	woken := now.Add(-30 * time.Second)
	longAgo := now.Add(-time.Hour)
	ready, _ := url.Parse("http://127.0.0.10:8080")
	running := ecsservice.Task{ID: "t1", LastStatus: "RUNNING", DesiredStatus: "RUNNING", PublicIP: "127.0.0.10"}

	tests := []struct {
		name      string
		obs       ecsservice.Service
		ready     *url.URL
		wantState string
		wantStage string
		wantMsg   string
		// wantElapsed is checked when set.
		wantElapsed int
	}{
		{name: "desired 0 is asleep", obs: ecsservice.Service{DesiredCount: 0}, wantState: Asleep},
		{name: "scaled up with no task yet is waking with no task", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken}, wantState: Waking, wantStage: StageNoTask},
		{name: "a provisioning task is the provisioning stage", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Tasks: []ecsservice.Task{{LastStatus: "PROVISIONING"}}}, wantState: Waking, wantStage: StageProvisioning},
		{name: "a pending task is the pending stage", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Tasks: []ecsservice.Task{{LastStatus: "PROVISIONING"}, {LastStatus: "PENDING"}}}, wantState: Waking, wantStage: StagePending},
		{name: "an activating task is the activating stage", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Tasks: []ecsservice.Task{{LastStatus: "ACTIVATING"}}}, wantState: Waking, wantStage: StageActivating},
		{name: "a running task whose app does not answer is still waking", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Tasks: []ecsservice.Task{running}}, wantState: Waking, wantStage: StageStartingApp},
		{name: "a running task whose app answers is ready", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Tasks: []ecsservice.Task{running}}, ready: ready, wantState: Ready},
		{name: "ready wins over a stopped task and the budget", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &longAgo, Tasks: []ecsservice.Task{running}, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited"}}}, ready: ready, wantState: Ready},
		{name: "a task of this wake that stopped fails the wake in plain words", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Stopped: []ecsservice.Task{{StoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): arn:aws:ecr:us-east-1:123456789012:repository/app not found"}}}, wantState: Failed, wantMsg: "container image could not be downloaded"},
		{name: "a task that stopped before this wake is ignored", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited", StoppedAt: &longAgo}}}, wantState: Waking, wantStage: StageNoTask},
		{name: "a task stopped by scale-in is not a failure", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Stopped: []ecsservice.Task{{StoppedReason: "Scaling activity initiated by (deployment ecs-svc/123)"}}}, wantState: Waking, wantStage: StageNoTask},
		{name: "without a wake time stopped tasks say nothing", obs: ecsservice.Service{DesiredCount: 1, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited"}}}, wantState: Waking, wantStage: StageNoTask},
		{name: "past the wait budget the wake has failed", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &longAgo}, wantState: Failed, wantMsg: "within 5 minutes"},
		{name: "a stopped task with a running replacement is not a failure", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Tasks: []ecsservice.Task{running}, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited"}}}, wantState: Waking, wantStage: StageStartingApp},
		{name: "without a wake tag the wake began with its oldest task", obs: ecsservice.Service{DesiredCount: 1, Tasks: []ecsservice.Task{{LastStatus: "PENDING", CreatedAt: &woken}}}, wantState: Waking, wantStage: StagePending, wantElapsed: 30},
		{name: "a wake tag from an earlier wake is not believed", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &longAgo, Tasks: []ecsservice.Task{{LastStatus: "PENDING", CreatedAt: &woken}}}, wantState: Waking, wantStage: StagePending, wantElapsed: 30},
		{name: "without any time a stopped task of this wake cannot be dated", obs: ecsservice.Service{DesiredCount: 1, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited", StoppedAt: &woken}}}, wantState: Waking, wantStage: StageNoTask},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := decide(testService(), &tc.obs, tc.ready, now)
			if st.State != tc.wantState || st.Stage != tc.wantStage {
				t.Fatalf("state %q stage %q, want %q %q", st.State, st.Stage, tc.wantState, tc.wantStage)
			}
			if tc.wantElapsed != 0 && st.ElapsedSeconds != tc.wantElapsed {
				t.Fatalf("elapsed %d s, want %d", st.ElapsedSeconds, tc.wantElapsed)
			}
			if tc.wantMsg != "" && !strings.Contains(st.Message, tc.wantMsg) {
				t.Fatalf("message %q, want it to contain %q", st.Message, tc.wantMsg)
			}
			if strings.Contains(st.Message, "arn:") || strings.Contains(st.Description, "arn:") {
				t.Fatalf("message shows an ARN: %q", st.Message)
			}
			if st.Description == "" {
				t.Fatal("no description")
			}
		})
	}
}

func TestPlainReasonNeverShowsARNs(t *testing.T) {
	got := plainReason(ecsservice.Task{StoppedReason: "Task stopped: arn:aws:ecs:us-east-1:123456789012:task/demo/0123456789abcdef0123456789abcdef went away (0123456789abcdef0123456789abcdef)"})
	if strings.Contains(got, "arn:") || strings.Contains(got, "0123456789abcdef0123456789abcdef") {
		t.Fatalf("plainReason kept an identifier: %q", got)
	}
}

func TestLocationKeepsPathAndQueryAndTakesHostOnlyFromTheTask(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.10:8080")
	tests := []struct {
		name, in, want string
	}{
		{"root", "/", "http://127.0.0.10:8080/"},
		{"path and query kept", "/some/path?x=1&y=%20z", "http://127.0.0.10:8080/some/path?x=1&y=%20z"},
		{"escaped path kept", "/a%20b/c", "http://127.0.0.10:8080/a%20b/c"},
		{"scheme-relative path cannot name a host", "//evil.example/x", "http://127.0.0.10:8080/"},
		{"backslash trick cannot name a host", "/\\evil.example", "http://127.0.0.10:8080/"},
		{"absolute URL cannot name a host", "http://evil.example/", "http://127.0.0.10:8080/"},
		{"header injection is dropped", "/a\r\nSet-Cookie: x", "http://127.0.0.10:8080/"},
		{"a control character in the query is dropped", "/a?b=\x0f", "http://127.0.0.10:8080/"},
		{"a tab is dropped", "/\t/evil.example", "http://127.0.0.10:8080/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Join(base, tc.in); got != tc.want {
				t.Fatalf("Join(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTargetFollowsTheAddressMode(t *testing.T) {
	task := ecsservice.Task{PublicIP: "127.0.0.10", PrivateIP: "10.1.2.3"}
	tests := []struct {
		name    string
		svc     config.Service
		task    ecsservice.Task
		want    string
		wantOK  bool
		probeAt string
	}{
		{"public IP by default", config.Service{Address: config.AddressPublic, Scheme: "http", Port: 8080}, task, "http://127.0.0.10:8080", true, "127.0.0.10:8080"},
		{"private IP when asked", config.Service{Address: config.AddressPrivate, Scheme: "http", Port: 8080}, task, "http://10.1.2.3:8080", true, "10.1.2.3:8080"},
		{"no public IP is no target, never the private one", config.Service{Address: config.AddressPublic, Scheme: "http", Port: 8080}, ecsservice.Task{PrivateIP: "10.1.2.3"}, "", false, ""},
		{"default port is left out", config.Service{Address: config.AddressPublic, Scheme: "https", Port: 443}, task, "https://127.0.0.10", true, "127.0.0.10:443"},
		{"fixed URL", config.Service{Address: config.AddressURL, URL: "https://app.example.com/base"}, task, "https://app.example.com/base", true, "app.example.com:443"},
		{"an IPv6 address in brackets", config.Service{Address: config.AddressPrivate, Scheme: "http", Port: 8080}, ecsservice.Task{PrivateIP: "2001:db8::7"}, "http://[2001:db8::7]:8080", true, "[2001:db8::7]:8080"},
		{"an IPv6 address keeps its brackets without the default port", config.Service{Address: config.AddressPrivate, Scheme: "http", Port: 80}, ecsservice.Task{PrivateIP: "2001:db8::7"}, "http://[2001:db8::7]", true, "[2001:db8::7]:80"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, u, ok := targetOf(tc.svc, tc.task)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if u.String() != tc.want || pt.Addr() != tc.probeAt {
				t.Fatalf("target %s probing %s, want %s probing %s", u, pt.Addr(), tc.want, tc.probeAt)
			}
		})
	}
}

func TestEstimateFromEarlierWakes(t *testing.T) {
	tests := []struct {
		history []int
		elapsed int
		want    int // -1: none
	}{
		{nil, 5, -1},
		{[]int{30}, 10, 20},
		{[]int{20, 90, 30}, 5, 25}, // the median, not the mean: one slow wake does not skew it
		{[]int{30}, 45, 1},         // overdue: "almost there", never negative
	}
	for _, tc := range tests {
		got := estimate(tc.history, tc.elapsed)
		if (got == nil) != (tc.want < 0) || (got != nil && *got != tc.want) {
			t.Errorf("estimate(%v, %d) = %v, want %d", tc.history, tc.elapsed, got, tc.want)
		}
	}
}

func TestPace(t *testing.T) {
	far, near := 40, 5
	tests := []struct {
		name   string
		status Status
		token  bool
		want   time.Duration // 0: no next poll
	}{
		{"ready: nothing more to ask", Status{State: Ready}, false, 0},
		{"failed: nothing more to ask", Status{State: Failed}, false, 0},
		{"asleep: slowly", Status{State: Asleep}, false, paceAsleep},
		{"AWS unreadable: back off", Status{State: Waking, Stage: StageChecking}, false, paceChecking},
		{"no task yet", Status{State: Waking, Stage: StageNoTask}, false, paceEarly},
		{"no task yet, the end far off", Status{State: Waking, Stage: StageProvisioning, EstimatedSeconds: &far}, false, paceLong},
		{"no task yet, the end near", Status{State: Waking, Stage: StageProvisioning, EstimatedSeconds: &near}, false, paceEarly},
		{"a task with its address, no token", Status{State: Waking, Stage: StagePending}, false, paceStarting},
		{"a task with its address and a token: only the app is asked", Status{State: Waking, Stage: StageStartingApp}, true, paceAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 {
				got := time.Duration(pace(tc.status, tc.token)) * time.Millisecond
				lo, hi := time.Duration(float64(tc.want)*(1-jitter)), time.Duration(float64(tc.want)*(1+jitter))
				if got < lo || got > hi {
					t.Fatalf("pace %s, want %s ±%.0f%%", got, tc.want, jitter*100)
				}
			}
		})
	}
}

func TestPlainReasonsOfECSStoppedTaskErrors(t *testing.T) {
	code := func(n int32) *int32 { return &n }
	tests := []struct {
		name string
		task ecsservice.Task
		want string
	}{
		{"out of memory in the container's reason", ecsservice.Task{StoppedReason: "Essential container in task exited", StopCode: "EssentialContainerExited",
			Containers: []ecsservice.Container{{Name: "app", Reason: "OutOfMemoryError: Container killed due to memory usage", ExitCode: code(137)}}}, "ran out of memory"},
		{"killed without a reason", ecsservice.Task{StoppedReason: "Essential container in task exited", Containers: []ecsservice.Container{{ExitCode: code(137)}}}, "killed while starting (exit code 137)"},
		{"an exit code of a sidecar after the app's 0", ecsservice.Task{StoppedReason: "Essential container in task exited", Containers: []ecsservice.Container{{ExitCode: code(0)}, {ExitCode: code(3)}}}, "exited with code 3"},
		{"the container cannot start", ecsservice.Task{StoppedReason: "CannotStartContainerError: Error response from daemon: failed to create shim task", StopCode: "TaskFailedToStart"}, "could not be started"},
		{"access denied to a secret is about secrets, not the network", ecsservice.Task{StoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth: AccessDeniedException"}, "secrets could not be read"},
		{"logging", ecsservice.Task{StoppedReason: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 time(s): failed to create Cloudwatch log stream"}, "logging could not be set up"},
		{"an unknown reason is shown without identifiers", ecsservice.Task{StoppedReason: "Host EC2 (instance i-0abc) stopped/terminated."}, "The app stopped while starting: Host EC2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := plainReason(tc.task); !strings.Contains(got, tc.want) {
				t.Fatalf("%q, want %q", got, tc.want)
			}
		})
	}
}

func TestAFailedWakeSaysWhenItFailedAndStopsCounting(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	woken := now.Add(-20 * time.Minute)
	stopped := woken.Add(612*time.Second + 400*time.Millisecond)
	created := woken.Add(5 * time.Second)
	tests := []struct {
		name        string
		obs         ecsservice.Service
		wantAt      time.Time // zero: not known
		wantElapsed int
	}{
		{name: "a task that stopped: when it stopped", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited", CreatedAt: &created, StoppedAt: &stopped}}},
			wantAt: woken.Add(612 * time.Second), wantElapsed: 612},
		{name: "a task with only its creation: when it was created", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited", CreatedAt: &created}}},
			wantAt: created, wantElapsed: 5},
		{name: "the wait budget ran out: when it ran out", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken},
			wantAt: woken.Add(5 * time.Minute), wantElapsed: 300},
		{name: "a stopped task without any time: not known", obs: ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited"}}},
			wantElapsed: 1200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := decide(testService(), &tc.obs, nil, now)
			if st.State != Failed {
				t.Fatalf("state %q, want failed", st.State)
			}
			if !st.FailedAt.Equal(tc.wantAt) || st.ElapsedSeconds != tc.wantElapsed {
				t.Fatalf("failed at %s after %d s, want %s after %d s", st.FailedAt, st.ElapsedSeconds, tc.wantAt, tc.wantElapsed)
			}
			later := decide(testService(), &tc.obs, nil, now.Add(time.Hour))
			if !tc.wantAt.IsZero() && later.ElapsedSeconds != st.ElapsedSeconds {
				t.Fatalf("an hour later the failed wake reads %d s elapsed, want it to stay %d", later.ElapsedSeconds, st.ElapsedSeconds)
			}
		})
	}
}

func TestOnlyAFailedWakeCarriesAFailureTime(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	woken := now.Add(-30 * time.Second)
	st := decide(testService(), &ecsservice.Service{DesiredCount: 1, WokenAt: &woken}, nil, now)
	body, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "failedAt") {
		t.Fatalf("a waking service reports a failure time: %s", body)
	}
	failed := decide(testService(), &ecsservice.Service{DesiredCount: 1, WokenAt: &woken, Stopped: []ecsservice.Task{{StoppedReason: "Essential container in task exited", StoppedAt: &now}}}, nil, now)
	if body, _ = json.Marshal(failed); !strings.Contains(string(body), `"failedAt":"2026-11-24T12:00:00Z"`) {
		t.Fatalf("a failed wake's JSON lacks its failure time in RFC 3339: %s", body)
	}
}

func TestTheDescriptionSaysTheStateInAnOperatorsWords(t *testing.T) {
	base, _ := url.Parse("http://203.0.113.7:8080")
	tests := []struct {
		name string
		st   Status
		says string
	}{
		{"asleep", describe(Status{State: Asleep}), "desired count is 0"},
		{"ready names where the app answers", ReadyAt("web", base), "Ready: the app answers at http://203.0.113.7:8080."},
		{"failed points at the message", describe(Status{State: Failed, Message: "The app stopped while starting."}), "message says why"},
		{"no task yet", describe(Status{State: Waking, Stage: StageNoTask}), "no task yet"},
		{"provisioning names the task state", describe(Status{State: Waking, Stage: StageProvisioning}), "PROVISIONING"},
		{"pending names the task state", describe(Status{State: Waking, Stage: StagePending}), "Starting: the task is PENDING"},
		{"activating names the task state", describe(Status{State: Waking, Stage: StageActivating}), "ACTIVATING"},
		{"starting-app says the app does not answer yet", describe(Status{State: Waking, Stage: StageStartingApp}), "RUNNING; the app does not answer"},
		{"checking says ECS could not be read", describe(Status{State: Waking, Stage: StageChecking}), "ECS could not be read"},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.st.Description
			if !strings.Contains(d, tc.says) {
				t.Fatalf("description %q, want it to say %q", d, tc.says)
			}
			// A visitor's words belong on the wait page (waitpage.Words), not in an API answer.
			for _, visitor := range []string{"…", "Taking you there", "you", "Almost there"} {
				if strings.Contains(d, visitor) {
					t.Fatalf("description %q has the visitor's words %q", d, visitor)
				}
			}
			if other, ok := seen[d]; ok {
				t.Fatalf("description %q is also %s's", d, other)
			}
			seen[d] = tc.name
		})
	}
}
