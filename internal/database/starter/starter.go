// Package starter starts the databases a waking service needs: Wake's half
// of the RDS calls (the read is database's).
package starter

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
	StartDBInstance(ctx context.Context, params *rds.StartDBInstanceInput, optFns ...func(*rds.Options)) (*rds.StartDBInstanceOutput, error)
	StartDBCluster(ctx context.Context, params *rds.StartDBClusterInput, optFns ...func(*rds.Options)) (*rds.StartDBClusterOutput, error)
}

var _ RDS = (*rds.Client)(nil)

// Client reads and starts databases.
type Client struct {
	*database.Client
	rds RDS
}

// New returns a Client over the RDS API.
func New(r RDS) *Client { return &Client{Client: database.New(r), rds: r} }

// Start asks RDS to start a stopped database. RDS refuses one that is not
// stopped (database.IsWait: it is stopping, or already starting): the caller waits.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstance.html
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBCluster.html
func (c *Client) Start(ctx context.Context, dep config.Dependency) error {
	var err error
	if dep.Kind == config.DependencyAuroraCluster {
		_, err = c.rds.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String(dep.ID)})
	} else {
		_, err = c.rds.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(dep.ID)})
	}
	if err != nil {
		return database.Wrap("start "+dep.Kind+" "+dep.ID, err)
	}
	return nil
}
