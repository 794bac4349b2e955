package testworld

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// TestTheGateModelsRDSStartsAndStops: through the gate, a database goes
// through starting and stopping as RDS's do, and a start while it is stopping
// is refused with RDS's code.
func TestTheGateModelsRDSStartsAndStops(t *testing.T) {
	w := Start(t)
	w.CreateDBInstance(t, "model-db")
	w.CreateDBCluster(t, "model-cluster")
	w.Gate.SetDBTimes(DBTimes{Start: 1500 * time.Millisecond, Stop: 1500 * time.Millisecond})
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	c := rds.NewFromConfig(cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(w.Gate.URL) })
	ctx := context.Background()
	status := func(kind string) string {
		if kind == DBCluster {
			out, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("model-cluster")})
			if err != nil {
				t.Fatal(err)
			}
			return aws.ToString(out.DBClusters[0].Status)
		}
		out, err := c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("model-db")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.DBInstances[0].DBInstanceStatus)
	}
	code := func(err error) string {
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) {
			return ""
		}
		return apiErr.ErrorCode()
	}
	for _, kind := range []string{DBInstance, DBCluster} {
		t.Run(kind, func(t *testing.T) {
			start := func() error {
				if kind == DBCluster {
					_, err := c.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String("model-cluster")})
					return err
				}
				_, err := c.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("model-db")})
				return err
			}
			stop := func() error {
				if kind == DBCluster {
					_, err := c.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("model-cluster")})
					return err
				}
				_, err := c.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("model-db")})
				return err
			}
			wantCode := map[string]string{DBInstance: "InvalidDBInstanceState", DBCluster: "InvalidDBClusterStateFault"}[kind]
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			if st := status(kind); st != "stopping" {
				t.Fatalf("right after a stop: %s, want stopping", st)
			}
			if err := start(); code(err) != wantCode {
				t.Fatalf("start while stopping: %v, want %s", err, wantCode)
			}
			Eventually(t, 10*time.Second, "stopped", func() bool { return status(kind) == "stopped" })
			if err := start(); err != nil {
				t.Fatal(err)
			}
			if st := status(kind); st != "starting" {
				t.Fatalf("right after a start: %s, want starting", st)
			}
			Eventually(t, 10*time.Second, "available", func() bool { return status(kind) == "available" })
		})
	}
}
