package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestADatabaseStopsOnceEveryServiceThatUsesItSleeps: two services share a
// database; it keeps running while one of them is awake, stops once both
// sleep, and is stopped again when RDS starts it by itself.
func TestADatabaseStopsOnceEveryServiceThatUsesItSleeps(t *testing.T) {
	w := testworld.Start(t)
	w.Gate.SetDBTimes(testworld.DBTimes{Start: time.Second, Stop: time.Second})
	w.CreateDBInstance(t, "shared-db")
	for _, s := range []string{"shop", "admin"} {
		w.CreateService(t, s, 0)
		w.Awake(t, s, 1, time.Hour)
	}
	w.NetworkBytes(t, "shop", 10, 60)
	w.NetworkBytes(t, "admin", 10, 5_000_000)
	services := []map[string]any{service("shop", 5), service("admin", 5)}
	for _, s := range services {
		s["dependsOn"] = []map[string]string{{"rdsInstance": "shared-db"}}
	}
	database := func(rep report) string {
		if len(rep.Databases) != 1 || rep.Databases[0].ID != "shared-db" {
			t.Fatalf("report's databases %+v, want shared-db", rep.Databases)
		}
		return rep.Databases[0].Action + ": " + rep.Databases[0].Reason
	}

	rep := tick(t, w, services)
	if got := actions(rep); !strings.HasPrefix(got["shop"], "slept") || !strings.HasPrefix(got["admin"], "kept") {
		t.Fatalf("services: %v", got)
	}
	if got := database(rep); !strings.HasPrefix(got, "kept: in use: admin is awake") || w.DBStatus(t, testworld.DBInstance, "shared-db") != "available" {
		t.Fatalf("one service awake: database %q, %s", got, w.DBStatus(t, testworld.DBInstance, "shared-db"))
	}

	w.SetDesired(t, "admin", 0)
	if got := database(tick(t, w, services, "DRY_RUN=true")); !strings.HasPrefix(got, "stopped") || w.DBStatus(t, testworld.DBInstance, "shared-db") != "available" {
		t.Fatalf("dry run: database %q, %s; want reported stopped and left available", got, w.DBStatus(t, testworld.DBInstance, "shared-db"))
	}
	w.Gate.ResetCounts()
	if got := database(tick(t, w, services)); !strings.HasPrefix(got, "stopped") || !strings.Contains(got, "(shop, admin)") {
		t.Fatalf("both asleep: database %q", got)
	}
	// One read at start-up (what RDS cannot stop is said then; under Lambda once
	// per execution environment), one for the tick, and the stop.
	if n, m := w.Gate.Count("DescribeDBInstances"), w.Gate.Count("StopDBInstance"); n != 2 || m != 1 {
		t.Fatalf("%d DescribeDBInstances and %d StopDBInstance calls in a start and a tick, want 2 and 1", n, m)
	}
	testworld.Eventually(t, 10*time.Second, "the database stopped", func() bool {
		return w.DBStatus(t, testworld.DBInstance, "shared-db") == "stopped"
	})
	if got := database(tick(t, w, services)); !strings.HasPrefix(got, "skipped: already stopped") {
		t.Fatalf("stopped: database %q", got)
	}

	// Seven days on, RDS starts it by itself while both services sleep.
	w.StartDBNow(t, testworld.DBInstance, "shared-db")
	if got := database(tick(t, w, services)); !strings.HasPrefix(got, "stopped") || !strings.Contains(got, "seven days") {
		t.Fatalf("restarted by RDS: database %q, want stopped again, saying why", got)
	}
	testworld.Eventually(t, 10*time.Second, "the database stopped again", func() bool {
		return w.DBStatus(t, testworld.DBInstance, "shared-db") == "stopped"
	})
	savingsReportShowsTheDatabase(t, w, services)
}

// savingsReportShowsTheDatabase runs `autosleep report` against the same
// world: the shared db.t4g.micro (PostgreSQL, us-east-1, $0.016 an hour) is
// read once, with both its services, in the JSON and in the table.
func savingsReportShowsTheDatabase(t *testing.T, w *testworld.World, services []map[string]any) {
	t.Helper()
	env := servicesEnv(t, w, services)
	w.Gate.ResetCounts()
	code, stdout, stderr := testworld.RunOnce(t, autosleepBin, env, "report", "--json")
	if code != 0 {
		t.Fatalf("report --json: exit %d: %s", code, stderr)
	}
	// One read at start-up (what RDS cannot stop), one for the report.
	if n := w.Gate.Count("DescribeDBInstances"); n != 2 {
		t.Errorf("%d DescribeDBInstances calls, want 2: the start's and one for the report", n)
	}
	var rep struct {
		Databases []struct {
			ID, Class, Engine, Status string
			Services                  []string
			HourlyPrice               *float64
			Last30Days                struct{ Days int }
		}
		Total struct{ Databases int }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Databases) != 1 || rep.Total.Databases != 1 {
		t.Fatalf("report --json: %v\n%s", err, stdout)
	}
	d := rep.Databases[0]
	if d.ID != "shared-db" || d.Class != "db.t4g.micro" || d.Engine != "postgres" || d.Status != "stopped" || len(d.Services) != 2 ||
		d.HourlyPrice == nil || *d.HourlyPrice != 0.016 || d.Last30Days.Days != 30 {
		t.Errorf("the database in the report: %+v", d)
	}
	code, stdout, stderr = testworld.RunOnce(t, autosleepBin, env, "report")
	if code != 0 || !strings.Contains(stdout, "shared-db") || !strings.Contains(stdout, "db.t4g.micro") || !strings.Contains(stdout, "$0.0160") ||
		!strings.Contains(stdout, "storage and backups") {
		t.Errorf("report: exit %d, table:\n%s\n%s", code, stdout, stderr)
	}
}

// TestADatabaseRDSCannotStopIsSaidAtStartUp: a read replica is reported when
// Auto-Sleep starts, and each report says why it runs on.
func TestADatabaseRDSCannotStopIsSaidAtStartUp(t *testing.T) {
	w := testworld.Start(t)
	w.CreateDBInstance(t, "reports-source")
	w.CreateDBReadReplica(t, "reports-db", "reports-source")
	w.CreateService(t, "reports", 0)
	svc := service("reports", 5)
	svc["dependsOn"] = []map[string]string{{"rdsInstance": "reports-db"}}
	env := servicesEnv(t, w, []map[string]any{svc})
	p := testworld.StartProcess(t, autosleepBin, env)
	if !p.Wait(60 * time.Second) {
		t.Fatal("the tick did not finish within 60 s")
	}
	out := p.Output()
	if !strings.Contains(out, `"msg":"this database cannot be stopped: it keeps running while its services sleep"`) || !strings.Contains(out, "read replica") {
		t.Fatalf("no start-up warning for the read replica:\n%s", out)
	}
	var rep report
	if err := json.Unmarshal([]byte(printed(out)), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Databases) != 1 || rep.Databases[0].Action != "kept" || !strings.Contains(rep.Databases[0].Reason, "cannot be stopped: it is a read replica") {
		t.Fatalf("report's databases %+v", rep.Databases)
	}
}
