package database

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// Stop asks RDS to stop an available database. RDS refuses one that is not
// available (IsWait): the next tick tries again. RDS starts a stopped
// database by itself after seven days.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBCluster.html
func (c *Client) Stop(ctx context.Context, dep config.Dependency) error {
	var err error
	if dep.Kind == config.DependencyAuroraCluster {
		_, err = c.RDS.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String(dep.ID)})
	} else {
		_, err = c.RDS.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(dep.ID)})
	}
	if err != nil {
		return wrap("stop "+dep.Kind+" "+dep.ID, err)
	}
	return nil
}
