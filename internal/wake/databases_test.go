package wake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// fakeDatabases holds each database's status, and answers Start as RDS does:
// only a stopped database starts.
type fakeDatabases struct {
	mu      sync.Mutex
	status  map[string]string // by dependency key; absent: RDS has no such database
	readErr error
	reads   int
	starts  []string
}

func (f *fakeDatabases) Read(_ context.Context, dep config.Dependency) (database.Database, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.readErr != nil {
		return database.Database{}, f.readErr
	}
	s, ok := f.status[dep.Key()]
	if !ok {
		return database.Database{}, fmt.Errorf("describe %s: %w", dep.ID, database.ErrNotFound)
	}
	return database.Database{Dependency: dep, Status: s}, nil
}

func (f *fakeDatabases) Start(_ context.Context, dep config.Dependency) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, dep.Key())
	if f.status[dep.Key()] != database.StatusStopped {
		return fmt.Errorf("start: %w", &smithy.GenericAPIError{Code: "InvalidDBInstanceState"})
	}
	f.status[dep.Key()] = database.StatusStarting
	return nil
}

func (f *fakeDatabases) set(key, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[key] = status
}

var shopDB = config.Dependency{Kind: config.DependencyRDSInstance, ID: "shop-db"}

func databaseService() config.Service {
	s := testService()
	s.DependsOn = []config.Dependency{shopDB}
	return s
}

// databaseWorld is a sleeping service with one database, a controller on a clock.
func databaseWorld(status string) (*fakeServices, *fakeDatabases, *Controller, *clock) {
	svcs := &fakeServices{svc: ecsservice.Service{ARN: "arn:aws:ecs:us-east-1:1:service/demo/web"}}
	dbs := &fakeDatabases{status: map[string]string{shopDB.Key(): status}}
	clk := newClock()
	c := New(svcs, &fakeProber{}, Options{ObserveEvery: time.Second, Databases: dbs}, quietLog())
	c.now = clk.Now
	return svcs, dbs, c, clk
}

func TestAWakeStartsAStoppedDatabaseAndScalesOnlyOnceItIsAvailable(t *testing.T) {
	svcs, dbs, c, clk := databaseWorld(database.StatusStopped)
	svc := databaseService()
	st := c.Wake(ctx, svc)
	if st.State != Waking || st.Stage != StageStartingDatabase || len(st.Databases) != 1 || st.Databases[0].Status != database.StatusStarting {
		t.Fatalf("first visit: %+v, want the database stage with the database starting", st)
	}
	if !slices.Equal(dbs.starts, []string{shopDB.Key()}) || svcs.setDesired.Load() != 0 {
		t.Fatalf("starts %v, UpdateService %d: want the database started and the service left at 0", dbs.starts, svcs.setDesired.Load())
	}
	if svcs.svc.WokenAt == nil {
		t.Fatal("the wake's start was not tagged: other environments cannot tell a wake waits for the database")
	}
	for range 3 {
		clk.Advance(10 * time.Second)
		if st := c.Status(ctx, svc); st.Stage != StageStartingDatabase || st.ElapsedSeconds == 0 || st.Next == nil || st.Next.AfterMs < 4000 {
			t.Fatalf("a poll while the database starts: %+v", st)
		}
		if st := c.Wake(ctx, svc); st.Stage != StageStartingDatabase || svcs.setDesired.Load() != 0 {
			t.Fatalf("a visit while the database starts: %+v, UpdateService %d", st, svcs.setDesired.Load())
		}
	}
	dbs.set(shopDB.Key(), database.StatusAvailable)
	clk.Advance(10 * time.Second)
	if st := c.Status(ctx, svc); st.State != Asleep {
		t.Fatalf("a poll once the database is available: %+v, want asleep so the page loads again and wakes the service", st)
	}
	st = c.Wake(ctx, svc)
	if svcs.setDesired.Load() != 1 || st.State != Waking || st.Stage == StageStartingDatabase {
		t.Fatalf("the visit once the database is available: %+v, UpdateService %d; want the service scaled", st, svcs.setDesired.Load())
	}
	if st.ElapsedSeconds < 40 {
		t.Fatalf("elapsed %ds after the scale-up, want the wake's clock to go on from the database's start", st.ElapsedSeconds)
	}
	if len(svcs.svc.DatabaseSeconds) != 1 || svcs.svc.DatabaseSeconds[0] != 40 {
		t.Fatalf("database start durations %v, want [40]", svcs.svc.DatabaseSeconds)
	}
	if len(dbs.starts) != 1 {
		t.Fatalf("starts %v: want one start", dbs.starts)
	}
}

func TestADatabaseThatIsStoppingIsWaitedForThenStarted(t *testing.T) {
	svcs, dbs, c, clk := databaseWorld(database.StatusStopping)
	svc := databaseService()
	if st := c.Wake(ctx, svc); st.Stage != StageStartingDatabase || len(dbs.starts) != 0 {
		t.Fatalf("visit while stopping: %+v, starts %v; want the database stage and no start", st, dbs.starts)
	}
	clk.Advance(10 * time.Second)
	if st := c.Status(ctx, svc); st.Stage != StageStartingDatabase {
		t.Fatalf("poll while stopping: %+v", st)
	}
	dbs.set(shopDB.Key(), database.StatusStopped)
	clk.Advance(10 * time.Second)
	if st := c.Status(ctx, svc); st.State != Asleep {
		t.Fatalf("poll once stopped: %+v, want asleep (the page loads again, which starts it)", st)
	}
	if st := c.Wake(ctx, svc); st.Stage != StageStartingDatabase || !slices.Equal(dbs.starts, []string{shopDB.Key()}) {
		t.Fatalf("visit once stopped: %+v, starts %v; want it started", st, dbs.starts)
	}
	if svcs.setDesired.Load() != 0 {
		t.Fatal("the service was scaled before its database was available")
	}
}

func TestADatabaseThatCannotBecomeAvailableFailsTheWake(t *testing.T) {
	tests := []struct {
		name, status, says string
	}{
		{"storage full", "storage-full", "RDS reports it storage-full"},
		{"failed", "failed", "RDS reports it failed"},
		{"not found", "", "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svcs, dbs, c, _ := databaseWorld(tt.status)
			if tt.status == "" {
				dbs.status = map[string]string{}
			}
			st := c.Wake(ctx, databaseService())
			if st.State != Failed || !strings.Contains(st.Message, tt.says) || svcs.setDesired.Load() != 0 || len(dbs.starts) != 0 {
				t.Fatalf("%+v, UpdateService %d, starts %v", st, svcs.setDesired.Load(), dbs.starts)
			}
		})
	}
}

func TestBusyDatabasesAreWaitedOutNotFought(t *testing.T) {
	for _, status := range []string{"starting", "backing-up", "modifying", "maintenance", "upgrading"} {
		t.Run(status, func(t *testing.T) {
			svcs, dbs, c, _ := databaseWorld(status)
			st := c.Wake(ctx, databaseService())
			if st.Stage != StageStartingDatabase || len(dbs.starts) != 0 || svcs.setDesired.Load() != 0 {
				t.Fatalf("%+v, starts %v, UpdateService %d", st, dbs.starts, svcs.setDesired.Load())
			}
		})
	}
}

func TestAnAvailableDatabaseLetsTheWakeGoOnAtOnce(t *testing.T) {
	svcs, dbs, c, _ := databaseWorld(database.StatusAvailable)
	st := c.Wake(ctx, databaseService())
	if svcs.setDesired.Load() != 1 || st.Stage == StageStartingDatabase || len(dbs.starts) != 0 {
		t.Fatalf("%+v, UpdateService %d, starts %v", st, svcs.setDesired.Load(), dbs.starts)
	}
	if len(svcs.svc.DatabaseSeconds) != 0 {
		t.Fatalf("recorded a database start %v for a wake that waited for none", svcs.svc.DatabaseSeconds)
	}
}

func TestAnRDSErrorShowsTheWaitPageNeverScales(t *testing.T) {
	svcs, dbs, c, _ := databaseWorld(database.StatusStopped)
	dbs.readErr = &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	st := c.Wake(ctx, databaseService())
	if st.State != Waking || st.Stage != StageChecking || st.Next == nil || svcs.setDesired.Load() != 0 || len(dbs.starts) != 0 {
		t.Fatalf("%+v, UpdateService %d, starts %v", st, svcs.setDesired.Load(), dbs.starts)
	}
}

func TestPollsDuringTheDatabaseStageReadRDSWithinTheBudget(t *testing.T) {
	_, dbs, c, clk := databaseWorld(database.StatusStopped)
	svc := databaseService()
	c.Wake(ctx, svc)
	before := dbs.reads
	// 100 polls a second for a minute, as a crowd would make.
	for range 6000 {
		clk.Advance(10 * time.Millisecond)
		if st := c.Status(ctx, svc); st.State != Waking {
			t.Fatalf("poll: %+v", st)
		}
	}
	if n := dbs.reads - before; n > int(dbReadRate*60)+dbReadBurst+1 || n > 60/int(dbFresh/time.Second)+1 {
		t.Fatalf("%d RDS reads in a minute of polls, want at most one per %s", n, dbFresh)
	}
}
