package testworld

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// rdsClient talks to the emulator directly: set-up calls are not counted, and
// change a database's status at once.
func (w *World) rdsClient() *rds.Client {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.rds == nil {
		cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
		w.rds = rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(w.Emulator.URL) })
	}
	return w.rds
}

// CreateDBInstance creates an RDS DB instance (available, as the emulator creates it).
func (w *World) CreateDBInstance(t testing.TB, id string) {
	t.Helper()
	_, err := w.rdsClient().CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t4g.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-real-password"),
	})
	if err != nil {
		t.Fatalf("create DB instance %s: %v", id, err)
	}
}

// CreateDBCluster creates an Aurora DB cluster (available).
func (w *World) CreateDBCluster(t testing.TB, id string) {
	t.Helper()
	_, err := w.rdsClient().CreateDBCluster(context.Background(), &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String(id), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-real-password"),
	})
	if err != nil {
		t.Fatalf("create DB cluster %s: %v", id, err)
	}
}

// StopDBNow stops the database in the emulator at once (DBInstance or DBCluster).
func (w *World) StopDBNow(t testing.TB, kind, id string) {
	t.Helper()
	var err error
	if kind == DBCluster {
		_, err = w.rdsClient().StopDBCluster(context.Background(), &rds.StopDBClusterInput{DBClusterIdentifier: aws.String(id)})
	} else {
		_, err = w.rdsClient().StopDBInstance(context.Background(), &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
	}
	if err != nil {
		t.Fatalf("stop %s %s: %v", kind, id, err)
	}
}

// StartDBNow starts the database in the emulator at once, as RDS does by
// itself seven days after a stop.
func (w *World) StartDBNow(t testing.TB, kind, id string) {
	t.Helper()
	var err error
	if kind == DBCluster {
		_, err = w.rdsClient().StartDBCluster(context.Background(), &rds.StartDBClusterInput{DBClusterIdentifier: aws.String(id)})
	} else {
		_, err = w.rdsClient().StartDBInstance(context.Background(), &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
	}
	if err != nil {
		t.Fatalf("start %s %s: %v", kind, id, err)
	}
}

// DBStatus is the database's status as the functions see it through the gate
// (the modelled starting or stopping, else the emulator's), read without a
// counted call.
func (w *World) DBStatus(t testing.TB, kind, id string) string {
	t.Helper()
	if st, ok := w.Gate.DBStatusOverride(kind, id); ok {
		return st
	}
	ctx := context.Background()
	if kind == DBCluster {
		out, err := w.rdsClient().DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
		if err != nil || len(out.DBClusters) == 0 {
			t.Fatalf("describe DB cluster %s: %v", id, err)
		}
		return aws.ToString(out.DBClusters[0].Status)
	}
	out, err := w.rdsClient().DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil || len(out.DBInstances) == 0 {
		t.Fatalf("describe DB instance %s: %v", id, err)
	}
	return aws.ToString(out.DBInstances[0].DBInstanceStatus)
}

// CreateDBReadReplica creates a read replica of an instance: RDS cannot stop either of them.
func (w *World) CreateDBReadReplica(t testing.TB, id, source string) {
	t.Helper()
	_, err := w.rdsClient().CreateDBInstanceReadReplica(context.Background(), &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String(id), SourceDBInstanceIdentifier: aws.String(source), DBInstanceClass: aws.String("db.t4g.micro"),
	})
	if err != nil {
		t.Fatalf("create read replica %s of %s: %v", id, source, err)
	}
}
