package stopper

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
)

type fakeRDS struct {
	database.RDS // reads are not called here
	err          error
	calls        []string
}

func (f *fakeRDS) StopDBInstance(_ context.Context, in *rds.StopDBInstanceInput, _ ...func(*rds.Options)) (*rds.StopDBInstanceOutput, error) {
	f.calls = append(f.calls, "StopDBInstance "+aws.ToString(in.DBInstanceIdentifier))
	return &rds.StopDBInstanceOutput{}, f.err
}

func (f *fakeRDS) StopDBCluster(_ context.Context, in *rds.StopDBClusterInput, _ ...func(*rds.Options)) (*rds.StopDBClusterOutput, error) {
	f.calls = append(f.calls, "StopDBCluster "+aws.ToString(in.DBClusterIdentifier))
	return &rds.StopDBClusterOutput{}, f.err
}

func TestStopCallsTheDatabasesOwnOperation(t *testing.T) {
	f := &fakeRDS{}
	c := New(f)
	for _, dep := range []config.Dependency{{Kind: config.DependencyRDSInstance, ID: "a"}, {Kind: config.DependencyAuroraCluster, ID: "b"}} {
		if err := c.Stop(context.Background(), dep); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"StopDBInstance a", "StopDBCluster b"}; !slices.Equal(f.calls, want) {
		t.Fatalf("calls %v, want %v", f.calls, want)
	}
}

func TestStopingADatabaseThatIsStoppingIsAWait(t *testing.T) {
	c := New(&fakeRDS{err: &smithy.GenericAPIError{Code: "InvalidDBInstanceState"}})
	err := c.Stop(context.Background(), config.Dependency{Kind: config.DependencyRDSInstance, ID: "a"})
	if !database.IsWait(err) || database.IsTransient(err) {
		t.Fatalf("%v: want a wait", err)
	}
}
