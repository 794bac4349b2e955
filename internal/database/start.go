package database

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// Start asks RDS to start a stopped database. RDS refuses one that is not
// stopped (IsWait: it is stopping, or already starting): the caller waits.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstance.html
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBCluster.html
func (c *Client) Start(ctx context.Context, dep config.Dependency) error {
	var err error
	if dep.Kind == config.DependencyAuroraCluster {
		_, err = c.RDS.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String(dep.ID)})
	} else {
		_, err = c.RDS.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(dep.ID)})
	}
	if err != nil {
		return wrap("start "+dep.Kind+" "+dep.ID, err)
	}
	return nil
}
