package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// dbStart is how long the modelled RDS takes to start a database here.
const dbStart = 2 * time.Second

// followLikeThePage polls the status as the wait page does, loading the page
// again when the status says asleep (which wakes the service), until the
// service is scaled; it returns the stages it saw.
func followLikeThePage(t *testing.T, w *testworld.World, base, service string, within time.Duration) []string {
	t.Helper()
	var stages []string
	testworld.Eventually(t, within, "the service scaled after its database", func() bool {
		st := getStatus(t, base, "/")
		if len(stages) == 0 || stages[len(stages)-1] != st.State+"/"+st.Stage {
			stages = append(stages, st.State+"/"+st.Stage)
		}
		if st.State == "asleep" {
			visit(t, base, "/", "text/html")
		}
		time.Sleep(200 * time.Millisecond) // a poll's pace, far quicker than the page's
		return w.Desired(t, service) == 1
	})
	return stages
}

func firstCall(log []testworld.Call, op string) (time.Time, bool) {
	for _, c := range log {
		if c.Op == op && !c.Throttled {
			return c.At, true
		}
	}
	return time.Time{}, false
}

// countCalls counts the calls of a log by operation, for the test's log.
func countCalls(log []testworld.Call) map[string]int {
	n := map[string]int{}
	for _, c := range log {
		n[c.Op]++
	}
	return n
}

func TestAWakeStartsTheDatabaseThenTheService(t *testing.T) {
	w := testworld.Start(t)
	w.Gate.SetDBTimes(testworld.DBTimes{Start: dbStart, Stop: dbStart})

	t.Run("a stopped database is started, and the service scaled once it is available", func(t *testing.T) {
		w.CreateService(t, "shop", 0)
		w.CreateDBInstance(t, "shop-db")
		w.StopDBNow(t, testworld.DBInstance, "shop-db")
		base := startWake(t, w, "shop", "DEPENDS_ON=rdsInstance:shop-db")
		from := time.Now()
		resp, body := visit(t, base, "/", "text/html")
		if resp.StatusCode != 200 || !strings.Contains(body, "Starting the database") {
			t.Fatalf("first visit: %d, want the wait page at the database stage\n%.500s", resp.StatusCode, body)
		}
		if st := getStatus(t, base, "/"); st.State != "waking" || st.Stage != "starting-database" || w.Desired(t, "shop") != 0 {
			t.Fatalf("after the first visit: %+v, desired %d; want the database stage and the service at 0", st, w.Desired(t, "shop"))
		}
		if got := w.DBStatus(t, testworld.DBInstance, "shop-db"); got != "starting" {
			t.Fatalf("database %s, want starting", got)
		}
		stages := followLikeThePage(t, w, base, "shop", 25*time.Second)
		log := w.Gate.Log(from)
		started, ok1 := firstCall(log, "StartDBInstance")
		scaled, ok2 := firstCall(log, "UpdateService")
		if !ok1 || !ok2 || scaled.Sub(started) < dbStart-100*time.Millisecond {
			t.Fatalf("StartDBInstance at %v, UpdateService at %v: want the scale-up after the database is available (%s later)", started, scaled, dbStart)
		}
		if st := getStatus(t, base, "/"); st.Stage == "starting-database" || st.ElapsedSeconds < 2 {
			t.Fatalf("after the scale-up: %+v; want the task stages, the clock going on from the database's start", st)
		}
		t.Logf("stages seen: %v; database started %s before the scale-up; AWS calls of the wake: %v", stages, scaled.Sub(started).Round(time.Millisecond), countCalls(log))
	})

	t.Run("a database stuck stopping is waited for, then started", func(t *testing.T) {
		w.CreateService(t, "admin", 0)
		w.CreateDBInstance(t, "admin-db")
		w.StopDBNow(t, testworld.DBInstance, "admin-db")
		const stuck = 3 * time.Second
		w.Gate.SetDBStatus(testworld.DBInstance, "admin-db", "stopping", stuck)
		until := time.Now().Add(stuck)
		base := startWake(t, w, "admin", "DEPENDS_ON=rdsInstance:admin-db")
		from := time.Now()
		if resp, body := visit(t, base, "/", "text/html"); resp.StatusCode != 200 || !strings.Contains(body, "Starting the database") {
			t.Fatalf("visit while the database is stopping: %d\n%.500s", resp.StatusCode, body)
		}
		followLikeThePage(t, w, base, "admin", 30*time.Second)
		log := w.Gate.Log(from)
		started, ok := firstCall(log, "StartDBInstance")
		if !ok || started.Before(until.Add(-100*time.Millisecond)) {
			t.Fatalf("StartDBInstance at %v, the database stopping until %v: want it started only once stopped", started, until)
		}
		scaled, _ := firstCall(log, "UpdateService")
		if scaled.Sub(started) < dbStart-100*time.Millisecond {
			t.Fatalf("scaled %s after the start, want after the database is available", scaled.Sub(started))
		}
		if w.DBStatus(t, testworld.DBInstance, "admin-db") != "available" {
			t.Fatal("the database is not available after the wake")
		}
	})
}

// TestTheBrowserSeesTheDatabaseStage opens the wake URL of a service whose
// database is stopped: the page says the database is starting, then, once it
// is available, that a task is starting.
func TestTheBrowserSeesTheDatabaseStage(t *testing.T) {
	w := testworld.Start(t)
	w.Gate.SetDBTimes(testworld.DBTimes{Start: dbStart, Stop: dbStart})
	w.CreateService(t, "browse-db", 0)
	w.CreateDBInstance(t, "browse-db")
	w.StopDBNow(t, testworld.DBInstance, "browse-db")
	base := startWake(t, w, "browse-db", "DEPENDS_ON=rdsInstance:browse-db", "HEALTH_PATH=/healthz")
	ctx := browser(t, true)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/some/path?x=1")); err != nil {
		t.Fatal(err)
	}
	if msg := text(t, ctx, "#msg"); msg != "Starting the database…" {
		t.Fatalf("the page says %q, want the database stage", msg)
	}
	if w.Desired(t, "browse-db") != 0 {
		t.Fatal("the service was scaled before its database was available")
	}
	screenshot(t, ctx, "waiting-database.png")
	// The page polls every 5 s or so at this stage, and reloads itself once
	// the database is available, which wakes the service.
	testworld.Eventually(t, 25*time.Second, "the page moves on to the service", func() bool {
		return w.Desired(t, "browse-db") == 1 && strings.Contains(text(t, ctx, "#msg"), "Starting a task")
	})
}
