package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// sleepNow puts the service to sleep as an operator would (Auto-Sleep's
// direct invocation, outside Lambda).
func sleepNow(t *testing.T, w *testworld.World, services []map[string]any, name string) {
	t.Helper()
	env := servicesEnv(t, w, services)
	code, stdout, stderr := testworld.RunOnce(t, autosleepBin, env, "invoke", `{"action":"sleep","service":"`+name+`"}`)
	if code != 0 || !strings.Contains(stdout, `"slept"`) {
		t.Fatalf("sleep %s: exit %d\n%s\n%s", name, code, stdout, stderr)
	}
}

// history is the service's last two days (today may have just begun) as its
// tag has them: minutes awake and wakes, summed.
func history(t *testing.T, value string, now time.Time) (awake time.Duration, wakes int) {
	t.Helper()
	days, err := ledger.History(value, now, 2, ledger.Now{})
	if err != nil {
		t.Fatalf("history %q: %v", value, err)
	}
	for _, d := range days {
		awake, wakes = awake+d.Awake, wakes+d.Wakes
	}
	return awake, wakes
}

// getAny makes one request of the Wake environment at addr: the environment
// that woke a service writes the wake's start with its next request.
func getAny(t *testing.T, addr string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/_wake/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// checkHistoryCycles goes on from a service Auto-Sleep put to sleep and the
// Wake environment at addr just woke (at `woke`): the wake and the operator's
// sleep that follows go into the history tag, which shows the wake and the
// service awake through it; then a wake whose tag write is throttled is
// counted all the same when the next sleep mends the history from what ECS
// says. The history began with Auto-Sleep's sleep, which found the service
// woken an hour before: awake since the start of that day.
func checkHistoryCycles(t *testing.T, w *testworld.World, services []map[string]any, name, addr string, woke time.Time) {
	t.Helper()
	first := woke.Add(-time.Hour).UTC().Truncate(24 * time.Hour)
	slept := w.Tags(t, name)[ledger.Tag]
	if !strings.HasPrefix(slept, "v1 asleep ") || !ledger.Valid(slept) {
		t.Fatalf("after Auto-Sleep's sleep the history is %q", slept)
	}
	getAny(t, addr)
	testworld.Eventually(t, 10*time.Second, "the wake in the history", func() bool {
		return strings.HasPrefix(w.Tags(t, name)[ledger.Tag], "v1 awake ")
	})
	sleepNow(t, w, services, name)
	cycled := w.Tags(t, name)[ledger.Tag]
	_, wakes := history(t, slept, time.Now())
	wakes = awakeThrough(t, cycled, first, woke, wakes+1)

	// A wake whose tag write is throttled: the history is not written...
	w.Gate.SetFault("TagResource", testworld.Fault{Status: http.StatusBadRequest, Code: "ThrottlingException"})
	lost := time.Now()
	// The environment sees the sleep once its last reading of the service is stale.
	testworld.Eventually(t, 15*time.Second, "the second wake", func() bool {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return w.Desired(t, name) == 2
	})
	getAny(t, addr)
	if w.Desired(t, name) != 2 || w.Gate.Faulted() == 0 || w.Tags(t, name)[ledger.Tag] != cycled {
		t.Fatalf("desired %d, %d writes refused, history %q", w.Desired(t, name), w.Gate.Faulted(), w.Tags(t, name)[ledger.Tag])
	}
	w.Gate.ClearFaults()
	// ...and the next sleep counts it from what ECS says: the service is awake.
	sleepNow(t, w, services, name)
	awakeThrough(t, w.Tags(t, name)[ledger.Tag], first, lost, wakes+1)
}

// awakeThrough checks a history that ended with a sleep just now: asleep,
// with the wakes wanted, and awake from the first day's start through the
// minute of the last wake (a wake's minute counts whole), no more than up to
// now. It returns the wakes.
func awakeThrough(t *testing.T, value string, first, woke time.Time, wantWakes int) int {
	t.Helper()
	now := time.Now()
	awake, wakes := history(t, value, now)
	least := woke.Truncate(time.Minute).Add(time.Minute).Sub(first)
	most := now.Truncate(time.Minute).Add(time.Minute).Sub(first)
	if !strings.HasPrefix(value, "v1 asleep ") || wakes != wantWakes || awake < least || awake > most {
		t.Fatalf("history %q: %d wakes, want %d; %v awake, want %v to %v", value, wakes, wantWakes, awake, least, most)
	}
	return wakes
}
