package starter

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

func (f *fakeRDS) StartDBInstance(_ context.Context, in *rds.StartDBInstanceInput, _ ...func(*rds.Options)) (*rds.StartDBInstanceOutput, error) {
	f.calls = append(f.calls, "StartDBInstance "+aws.ToString(in.DBInstanceIdentifier))
	return &rds.StartDBInstanceOutput{}, f.err
}

func (f *fakeRDS) StartDBCluster(_ context.Context, in *rds.StartDBClusterInput, _ ...func(*rds.Options)) (*rds.StartDBClusterOutput, error) {
	f.calls = append(f.calls, "StartDBCluster "+aws.ToString(in.DBClusterIdentifier))
	return &rds.StartDBClusterOutput{}, f.err
}

func TestStartCallsTheDatabasesOwnOperation(t *testing.T) {
	f := &fakeRDS{}
	c := New(f)
	for _, dep := range []config.Dependency{{Kind: config.DependencyRDSInstance, ID: "a"}, {Kind: config.DependencyAuroraCluster, ID: "b"}} {
		if err := c.Start(context.Background(), dep); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"StartDBInstance a", "StartDBCluster b"}; !slices.Equal(f.calls, want) {
		t.Fatalf("calls %v, want %v", f.calls, want)
	}
}

func TestStartingADatabaseThatIsStoppingIsAWait(t *testing.T) {
	c := New(&fakeRDS{err: &smithy.GenericAPIError{Code: "InvalidDBInstanceState"}})
	err := c.Start(context.Background(), config.Dependency{Kind: config.DependencyRDSInstance, ID: "a"})
	if !database.IsWait(err) || database.IsTransient(err) {
		t.Fatalf("%v: want a wait", err)
	}
}
