package autosleep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/activity"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

type fakeDatabases struct {
	dbs     map[string]database.Database
	readErr error
	stopErr error
	stops   []string
}

func (f *fakeDatabases) Read(_ context.Context, dep config.Dependency) (database.Database, error) {
	if f.readErr != nil {
		return database.Database{}, f.readErr
	}
	return f.dbs[dep.Key()], nil
}

func (f *fakeDatabases) Stop(_ context.Context, dep config.Dependency) error {
	f.stops = append(f.stops, dep.Key())
	return f.stopErr
}

var mainDB = config.Dependency{Kind: config.DependencyRDSInstance, ID: "main"}

func TestADatabaseStopsOnlyOnceEveryServiceThatUsesItSleeps(t *testing.T) {
	idle := activity.Verdict{State: activity.Idle, Reason: "quiet"}
	busy := activity.Verdict{State: activity.Active, Reason: "busy"}
	awake := func() *ecsservice.Service {
		return &ecsservice.Service{DesiredCount: 1, RunningCount: 1, WokenAt: at(time.Hour)}
	}
	asleep := func() *ecsservice.Service { return &ecsservice.Service{DesiredCount: 0} }
	available := database.Database{Dependency: mainDB, Status: database.StatusAvailable}
	tests := []struct {
		name       string
		shop, shed *ecsservice.Service // nil: not in ECS
		verdicts   map[string]activity.Verdict
		db         database.Database
		readErr    error
		stopErr    error
		dryRun     bool
		wantAction string
		wantReason string
		wantStop   bool
	}{
		{name: "one service sleeps, the other is in use: kept", shop: awake(), shed: awake(), verdicts: map[string]activity.Verdict{"shop": idle, "shed": busy},
			db: available, wantAction: Kept, wantReason: "shed is awake"},
		{name: "the last service to sleep stops it in the same tick", shop: awake(), shed: asleep(), verdicts: map[string]activity.Verdict{"shop": idle},
			db: available, wantAction: Stopped, wantReason: "every service that uses it sleeps (shop, shed)", wantStop: true},
		{name: "running while every service sleeps (restarted by RDS after seven days): stopped again", shop: asleep(), shed: asleep(),
			db: available, wantAction: Stopped, wantReason: "seven days", wantStop: true},
		{name: "dry run says it would stop and stops nothing", shop: awake(), shed: asleep(), verdicts: map[string]activity.Verdict{"shop": idle}, dryRun: true,
			db: available, wantAction: Stopped, wantReason: "every service that uses it sleeps"},
		{name: "already stopped", shop: asleep(), shed: asleep(), db: database.Database{Dependency: mainDB, Status: database.StatusStopped}, wantAction: Skipped, wantReason: "already stopped"},
		{name: "stopping", shop: asleep(), shed: asleep(), db: database.Database{Dependency: mainDB, Status: database.StatusStopping}, wantAction: Skipped, wantReason: "already stopping"},
		{name: "starting by itself is stopped once available", shop: asleep(), shed: asleep(), db: database.Database{Dependency: mainDB, Status: database.StatusStarting}, wantAction: Kept, wantReason: "stopped once available"},
		{name: "in maintenance is waited out", shop: asleep(), shed: asleep(), db: database.Database{Dependency: mainDB, Status: "maintenance"}, wantAction: Kept, wantReason: "RDS reports it maintenance"},
		{name: "one RDS cannot stop is kept, and says why", shop: asleep(), shed: asleep(), db: database.Database{Dependency: mainDB, Status: database.StatusAvailable, CannotStop: "it is a read replica, which RDS cannot stop"},
			wantAction: Kept, wantReason: "cannot be stopped: it is a read replica"},
		{name: "a wake waiting for the database keeps it", shop: asleep(), shed: &ecsservice.Service{DesiredCount: 0, WokenAt: at(time.Minute)},
			db: available, wantAction: Kept, wantReason: "a wake of shed waits for it"},
		{name: "a service that could not be read may be awake: kept", shop: asleep(), shed: nil, db: available, wantAction: Kept, wantReason: "shed could not be read"},
		{name: "a database that cannot be read is skipped", shop: asleep(), shed: asleep(), readErr: errors.New("throttled"), wantAction: Skipped, wantReason: "could not read it from RDS"},
		{name: "RDS refusing in its present state tries again next tick", shop: asleep(), shed: asleep(), db: available,
			stopErr: fmt.Errorf("stop: %w", &smithy.GenericAPIError{Code: "InvalidDBInstanceState"}), wantAction: Kept, wantReason: "the next tick tries again", wantStop: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ecs := &fakeECS{svcs: map[string]*ecsservice.Service{}}
			for name, obs := range map[string]*ecsservice.Service{"shop": tc.shop, "shed": tc.shed} {
				if obs != nil {
					obs.Name, obs.Cluster = name, "prod"
					ecs.svcs[name] = obs
				}
			}
			dbs := &fakeDatabases{dbs: map[string]database.Database{mainDB.Key(): tc.db}, readErr: tc.readErr, stopErr: tc.stopErr}
			e := New(ecs, &fakeActivity{verdicts: tc.verdicts}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			e.now = func() time.Time { return now }
			e.Databases = dbs
			var svcs []config.Service
			for _, name := range []string{"shop", "shed"} {
				svcs = append(svcs, config.Service{Name: name, Cluster: "prod", WakeTimeout: 30 * time.Minute, Sleep: policy(nil), DependsOn: []config.Dependency{mainDB}})
			}
			rep := e.Evaluate(context.Background(), svcs, tc.dryRun)
			if len(rep.Databases) != 1 {
				t.Fatalf("report databases %+v, want one", rep.Databases)
			}
			got := rep.Databases[0]
			if got.Action != tc.wantAction || !strings.Contains(got.Reason, tc.wantReason) {
				t.Fatalf("database %s: %q, want %s: %q", got.Action, got.Reason, tc.wantAction, tc.wantReason)
			}
			if stopped := len(dbs.stops) > 0; stopped != tc.wantStop {
				t.Fatalf("StopDBInstance called %v, want %v", dbs.stops, tc.wantStop)
			}
			if !slices.Equal(got.UsedBy, []string{"shop", "shed"}) {
				t.Fatalf("used by %v", got.UsedBy)
			}
			for _, r := range rep.Services {
				if len(r.Databases) != 1 || r.Databases[0].Action != got.Action {
					t.Fatalf("service %s lists its databases as %+v", r.Service, r.Databases)
				}
			}
		})
	}
}

func TestServicesWithoutDatabasesMakeNoRDSCall(t *testing.T) {
	ecs := &fakeECS{svcs: map[string]*ecsservice.Service{"web": {Name: "web", DesiredCount: 0}}}
	dbs := &fakeDatabases{readErr: errors.New("must not be called")}
	e := New(ecs, &fakeActivity{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.Databases = dbs
	rep := e.Evaluate(context.Background(), []config.Service{{Name: "web", Cluster: "prod", Sleep: policy(nil)}}, false)
	if rep.Databases != nil || rep.Services[0].Databases != nil {
		t.Fatalf("databases in the report of a service without any: %+v", rep)
	}
}

// wokenMidTick is ECS where a visit wakes a service after the tick's first read.
type wokenMidTick struct {
	*fakeECS
	wake  string
	reads int
}

func (f *wokenMidTick) DescribeBatch(ctx context.Context, cluster string, names []string) (map[string]*ecsservice.Service, error) {
	f.reads++
	if f.reads == 2 {
		f.mu.Lock()
		f.svcs[f.wake].DesiredCount = 1
		f.mu.Unlock()
	}
	return f.fakeECS.DescribeBatch(ctx, cluster, names)
}

func TestAServiceWokenDuringTheTickKeepsItsDatabase(t *testing.T) {
	ecs := &wokenMidTick{fakeECS: &fakeECS{svcs: map[string]*ecsservice.Service{
		"shop": {Name: "shop", Cluster: "prod"}, "shed": {Name: "shed", Cluster: "prod"},
	}}, wake: "shed"}
	dbs := &fakeDatabases{dbs: map[string]database.Database{mainDB.Key(): {Dependency: mainDB, Status: database.StatusAvailable}}}
	e := New(ecs, &fakeActivity{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.now = func() time.Time { return now }
	e.Databases = dbs
	var svcs []config.Service
	for _, name := range []string{"shop", "shed"} {
		svcs = append(svcs, config.Service{Name: name, Cluster: "prod", WakeTimeout: 30 * time.Minute, Sleep: policy(nil), DependsOn: []config.Dependency{mainDB}})
	}
	rep := e.Evaluate(context.Background(), svcs, false)
	if got := rep.Databases[0]; got.Action != Kept || !strings.Contains(got.Reason, "read again before the stop, shed is awake") || len(dbs.stops) != 0 {
		t.Fatalf("database %s: %q, stops %v; want kept for the service woken meanwhile", got.Action, got.Reason, dbs.stops)
	}
}
