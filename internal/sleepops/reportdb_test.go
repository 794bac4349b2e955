package sleepops

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice/taskdef"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
)

// fakeDatabases answers Read from a map of dependency keys, and counts the reads.
type fakeDatabases struct {
	dbs   map[string]database.Database
	err   error
	reads []string
}

func (f *fakeDatabases) Read(_ context.Context, dep config.Dependency) (database.Database, error) {
	f.reads = append(f.reads, dep.Key())
	if f.err != nil {
		return database.Database{}, f.err
	}
	db, ok := f.dbs[dep.Key()]
	if !ok {
		return database.Database{}, database.ErrNotFound
	}
	db.Dependency = dep
	return db, nil
}

func TestTheReportCountsEachDatabaseOnceWithAllItsServices(t *testing.T) {
	appDB := config.Dependency{Kind: config.DependencyRDSInstance, ID: "app-db"}
	orders := config.Dependency{Kind: config.DependencyAuroraCluster, ID: "orders"}
	web := config.Service{Name: "web", Cluster: "c", WakeCount: 1, DependsOn: []config.Dependency{appDB}}
	admin := config.Service{Name: "admin", Cluster: "c", WakeCount: 1, DependsOn: []config.Dependency{appDB, orders}}
	micro := database.Database{Status: "stopped", Engine: "postgres", Class: "db.t4g.micro"}
	aurora := database.Database{Status: "available", Engine: "aurora-postgresql"}
	tests := []struct {
		name      string
		report    []config.Service
		dbs       map[string]database.Database
		readErr   error
		want      map[string]any
		wantReads int
		// adminTag is the other service's history tag: "" is a readable one.
		adminTag string
	}{
		{"two services share a db.t4g.micro", []config.Service{web, admin}, map[string]database.Database{appDB.Key(): micro, orders.Key(): aurora}, nil, map[string]any{
			"databases.0.kind": "rdsInstance", "databases.0.id": "app-db", "databases.0.class": "db.t4g.micro", "databases.0.engine": "postgres",
			"databases.0.status": "stopped", "databases.0.multiAZ": false, "databases.0.services.0": "c/web", "databases.0.services.1": "c/admin",
			"databases.0.hourlyPrice": 0.016,
			// Each service 2 h a day: the database 4 h. This month: 4 whole days
			// and today's 12 h, 108 h, 5 × 4 = 20 awake; saved 88 × 0.016 = 1.408.
			"databases.0.thisMonth.awakeHours": 20.0, "databases.0.thisMonth.saved": 1.408,
			"total.databases": 2.0, "total.databasesPriceUnknown": 1.0,
			// Each service at 0.0123425 an hour saves 98 × 0.0123425 = 1.209565.
			"total.thisMonth.saved": 1.408 + 2*1.209565,
			"databases.1.id":        "orders", "databases.1.hourlyPrice": nil, "databases.1.notes.0": "Aurora cluster bills by its member instances",
		}, 2, ""},
		{"a one-service report counts the database's other service", []config.Service{web}, map[string]database.Database{appDB.Key(): micro}, nil, map[string]any{
			"services.1": nil, "databases.1": nil, "databases.0.services.1": "c/admin", "databases.0.thisMonth.awakeHours": 20.0,
			"total.services": 1.0, "total.thisMonth.saved": 1.408 + 1.209565,
		}, 1, ""},
		{"Multi-AZ costs twice", []config.Service{web}, map[string]database.Database{appDB.Key(): {Status: "available", Engine: "mysql", Class: "db.t4g.small", MultiAZ: true}}, nil, map[string]any{
			"databases.0.multiAZ": true, "databases.0.hourlyPrice": 0.064, "databases.0.thisMonth.saved": 88 * 0.064,
		}, 1, ""},
		{"a class the table lacks is price unknown", []config.Service{web}, map[string]database.Database{appDB.Key(): {Status: "available", Engine: "postgres", Class: "db.r7g.large"}}, nil, map[string]any{
			"databases.0.hourlyPrice": nil, "databases.0.notes.0": "no price for postgres db.r7g.large", "databases.0.thisMonth.awakeHours": 20.0,
		}, 1, ""},
		{"a service's history unreadable: the database's days unknown", []config.Service{web}, map[string]database.Database{appDB.Key(): micro}, nil, map[string]any{
			"databases.0.notes.0": "history of c/admin could not be read", "databases.0.last30Days.daysWithoutHistory": 30.0,
			"databases.0.last30Days.saved": nil, "databases.0.hourlyPrice": 0.016,
		}, 1, "garbled"},
		{"RDS unreadable", []config.Service{web}, nil, errors.New("ThrottlingException"), map[string]any{
			"databases.0.id": "app-db", "databases.0.hourlyPrice": nil, "databases.0.notes.0": "not read from RDS: ThrottlingException",
		}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			services := &fakeServices{services: map[string]*ecsservice.Service{"c/web": ecsService("web", "small", 0, false), "c/admin": ecsService("admin", "small", 0, false)}}
			if tt.adminTag != "" {
				services.services["c/admin"].Tags[ledger.Tag] = tt.adminTag
			}
			dbs := &fakeDatabases{dbs: tt.dbs, err: tt.readErr}
			s := &Savings{Services: services, Sizes: taskdef.New(&taskDefinitions{}), Prices: pricing.Default(), Region: "us-east-1",
				Now: func() time.Time { return reportNow }, History: twoHoursADay, Databases: dbs, Configured: config.Services{web, admin}}
			m := reportJSON(t, s.Report(context.Background(), tt.report))
			for path, want := range tt.want {
				got := at(m, path)
				switch w := want.(type) {
				case float64:
					if g, ok := got.(float64); !ok || math.Abs(g-w) > 1e-9 {
						t.Errorf("%s = %v, want %v", path, got, want)
					}
				case string:
					if g, _ := got.(string); !strings.Contains(g, w) {
						t.Errorf("%s = %v, want it to say %q", path, got, w)
					}
				default:
					if got != want {
						t.Errorf("%s = %v, want %v", path, got, want)
					}
				}
			}
			if len(dbs.reads) != tt.wantReads {
				t.Errorf("database reads %v, want %d", dbs.reads, tt.wantReads)
			}
			if len(services.batches) != 1 || services.batches[0] != 2 {
				t.Errorf("DescribeServices batches %v, want one of both services", services.batches)
			}
		})
	}
}
