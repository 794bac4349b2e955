// Package stopper stops the databases of services that sleep: Auto-Sleep's
// half of the RDS calls (the read is database's).
package stopper

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
)

// RDS is the part of the RDS API this package calls.
type RDS interface {
	database.RDS
	StopDBInstance(ctx context.Context, params *rds.StopDBInstanceInput, optFns ...func(*rds.Options)) (*rds.StopDBInstanceOutput, error)
	StopDBCluster(ctx context.Context, params *rds.StopDBClusterInput, optFns ...func(*rds.Options)) (*rds.StopDBClusterOutput, error)
}

var _ RDS = (*rds.Client)(nil)

// Client reads and stops databases.
type Client struct {
	*database.Client
	rds RDS
}

// New returns a Client over the RDS API.
func New(r RDS) *Client { return &Client{Client: database.New(r), rds: r} }

// Stop asks RDS to stop an available database. RDS refuses one that is not
// available (database.IsWait): the next tick tries again. RDS starts a stopped
// database by itself after seven days.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBCluster.html
func (c *Client) Stop(ctx context.Context, dep config.Dependency) error {
	var err error
	if dep.Kind == config.DependencyAuroraCluster {
		_, err = c.rds.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String(dep.ID)})
	} else {
		_, err = c.rds.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(dep.ID)})
	}
	if err != nil {
		return database.Wrap("stop "+dep.Kind+" "+dep.ID, err)
	}
	return nil
}
