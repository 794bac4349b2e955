package database

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

var (
	instance = func(id string) config.Dependency {
		return config.Dependency{Kind: config.DependencyRDSInstance, ID: id}
	}
	cluster = func(id string) config.Dependency {
		return config.Dependency{Kind: config.DependencyAuroraCluster, ID: id}
	}
)

func TestReadSaysTheStatusAndWhatCannotBeStopped(t *testing.T) {
	restart := time.Date(2026, 12, 12, 10, 0, 0, 0, time.UTC)
	f := &fakeRDS{
		instances: map[string]rdstypes.DBInstance{
			"plain":     {DBInstanceStatus: aws.String("stopped"), Engine: aws.String("postgres"), AutomaticRestartTime: &restart},
			"replica":   {DBInstanceStatus: aws.String("available"), Engine: aws.String("mysql"), ReadReplicaSourceDBInstanceIdentifier: aws.String("plain")},
			"source":    {DBInstanceStatus: aws.String("available"), Engine: aws.String("mysql"), ReadReplicaDBInstanceIdentifiers: []string{"replica"}},
			"sqlserver": {DBInstanceStatus: aws.String("available"), Engine: aws.String("sqlserver-se"), MultiAZ: aws.Bool(true)},
			"sqlsingle": {DBInstanceStatus: aws.String("available"), Engine: aws.String("sqlserver-se"), MultiAZ: aws.Bool(false)},
			"member":    {DBInstanceStatus: aws.String("available"), Engine: aws.String("aurora-postgresql"), DBClusterIdentifier: aws.String("orders")},
			"custom":    {DBInstanceStatus: aws.String("available"), Engine: aws.String("custom-oracle-ee")},
		},
		clusters: map[string]rdstypes.DBCluster{
			"orders": {Status: aws.String("starting"), Engine: aws.String("aurora-postgresql"), EngineMode: aws.String("provisioned")},
			"v1":     {Status: aws.String("available"), EngineMode: aws.String("serverless")},
			"global": {Status: aws.String("available"), GlobalClusterIdentifier: aws.String("world")},
			"mirror": {Status: aws.String("available"), ReplicationSourceIdentifier: aws.String("arn:aws:rds:eu-west-1:123456789012:cluster:orders")},
		},
	}
	c := New(f)
	tests := []struct {
		dep        config.Dependency
		status     string
		cannotStop string
	}{
		{instance("plain"), "stopped", ""},
		{instance("replica"), "available", "read replica"},
		{instance("source"), "available", "has read replicas"},
		{instance("sqlserver"), "available", "Multi-AZ SQL Server"},
		{instance("sqlsingle"), "available", ""},
		{instance("member"), "available", "list the cluster as auroraCluster"},
		{instance("custom"), "available", "RDS Custom"},
		{cluster("orders"), "starting", ""},
		{cluster("v1"), "available", "Serverless v1"},
		{cluster("global"), "available", "global database world"},
		{cluster("mirror"), "available", "cross-Region read replica"},
	}
	for _, tt := range tests {
		t.Run(tt.dep.Key(), func(t *testing.T) {
			db, err := c.Read(context.Background(), tt.dep)
			if err != nil {
				t.Fatal(err)
			}
			if db.Status != tt.status || db.Dependency != tt.dep {
				t.Fatalf("read %+v, want status %s", db, tt.status)
			}
			if (tt.cannotStop == "") != (db.CannotStop == "") || !strings.Contains(db.CannotStop, tt.cannotStop) {
				t.Fatalf("cannot stop %q, want %q", db.CannotStop, tt.cannotStop)
			}
		})
	}
	if db, _ := c.Read(context.Background(), instance("plain")); db.RestartsAt == nil || !db.RestartsAt.Equal(restart) {
		t.Fatalf("a stopped instance's automatic restart: %v", db.RestartsAt)
	}
}

func TestStatusesAreWaitedOutUnlessTheOwnerMustAct(t *testing.T) {
	tests := []struct {
		status string
		phase  Phase
	}{
		{"available", Available}, {"stopped", Stopped}, {"stopping", Stopping}, {"starting", Starting},
		{"backing-up", Busy}, {"modifying", Busy}, {"maintenance", Busy}, {"upgrading", Busy}, {"rebooting", Busy},
		{"configuring-enhanced-monitoring", Busy}, {"storage-optimization", Busy}, {"creating", Busy},
		{"a-status-rds-adds-next-year", Busy},
		{"failed", Broken}, {"storage-full", Broken}, {"incompatible-parameters", Broken}, {"deleting", Broken},
		{"inaccessible-encryption-credentials", Broken}, {"migration-failed", Broken},
	}
	for _, tt := range tests {
		if got := PhaseOf(tt.status); got != tt.phase {
			t.Errorf("%s: phase %d, want %d", tt.status, got, tt.phase)
		}
	}
}

func readErr(ctx context.Context, err error) error {
	_, got := New(&fakeRDS{err: err}).Read(ctx, instance("a"))
	return got
}

func TestErrorsSayWhetherToWaitRetryOrGiveUp(t *testing.T) {
	ctx := context.Background()
	missing := New(&fakeRDS{})
	_, errInstance := missing.Read(ctx, instance("gone"))
	_, errCluster := missing.Read(ctx, cluster("gone"))
	tests := []struct {
		name                      string
		err                       error
		notFound, wait, transient bool
	}{
		{"an instance RDS does not have", errInstance, true, false, false},
		{"a cluster RDS does not have", errCluster, true, false, false},
		{"starting an instance that is stopping", Wrap("start", apiError("InvalidDBInstanceState")), false, true, false},
		{"starting a cluster that is stopping", Wrap("start", &rdstypes.InvalidDBClusterStateFault{Message: aws.String("stopping")}), false, true, false},
		{"throttled", readErr(ctx, apiError("Throttling")), false, false, true},
		{"the network", readErr(ctx, fmt.Errorf("dial tcp: connection refused")), false, false, true},
		{"a server error", readErr(ctx, &smithy.GenericAPIError{Code: "InternalFailure", Fault: smithy.FaultServer}), false, false, true},
		{"access denied", readErr(ctx, apiError("AccessDenied")), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			if errors.Is(tt.err, ErrNotFound) != tt.notFound || IsWait(tt.err) != tt.wait || IsTransient(tt.err) != tt.transient {
				t.Fatalf("%v: not found %v, wait %v, transient %v", tt.err, errors.Is(tt.err, ErrNotFound), IsWait(tt.err), IsTransient(tt.err))
			}
		})
	}
}

func TestReadGivesWhatTheSavingsReportPricesInTheSameCall(t *testing.T) {
	f := &fakeRDS{
		instances: map[string]rdstypes.DBInstance{
			"single": {DBInstanceStatus: aws.String("available"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t4g.micro")},
			"multi":  {DBInstanceStatus: aws.String("stopped"), Engine: aws.String("mysql"), DBInstanceClass: aws.String("db.t4g.small"), MultiAZ: aws.Bool(true)},
		},
		clusters: map[string]rdstypes.DBCluster{
			"orders": {Status: aws.String("available"), Engine: aws.String("aurora-postgresql")},
		},
	}
	tests := []struct {
		dep           config.Dependency
		engine, class string
		multiAZ       bool
	}{
		{instance("single"), "postgres", "db.t4g.micro", false},
		{instance("multi"), "mysql", "db.t4g.small", true},
		// A cluster's instances are its members: no class of its own.
		{cluster("orders"), "aurora-postgresql", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.dep.Key(), func(t *testing.T) {
			f.calls = nil
			db, err := New(f).Read(context.Background(), tt.dep)
			if err != nil {
				t.Fatal(err)
			}
			if db.Engine != tt.engine || db.Class != tt.class || db.MultiAZ != tt.multiAZ {
				t.Errorf("read %+v, want %s %s multi-AZ %v", db, tt.engine, tt.class, tt.multiAZ)
			}
			if len(f.calls) != 1 {
				t.Errorf("calls %v, want one", f.calls)
			}
		})
	}
}
