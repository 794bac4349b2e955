package database

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// Read reads one database's state: one DescribeDBInstances or
// DescribeDBClusters call naming it (a call by identifier is the one IAM can
// scope to the database's ARN).
func (c *Client) Read(ctx context.Context, dep config.Dependency) (Database, error) {
	if dep.Kind == config.DependencyAuroraCluster {
		return c.readCluster(ctx, dep)
	}
	return c.readInstance(ctx, dep)
}

func (c *Client) readInstance(ctx context.Context, dep config.Dependency) (Database, error) {
	out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(dep.ID)})
	call := "describe DB instance " + dep.ID
	if err != nil {
		return Database{}, Wrap(call, err)
	}
	if len(out.DBInstances) == 0 {
		return Database{}, fmt.Errorf("%s: %w", call, ErrNotFound)
	}
	d := out.DBInstances[0]
	db := Database{Dependency: dep, Status: aws.ToString(d.DBInstanceStatus), CannotStop: instanceCannotStop(d),
		Engine: aws.ToString(d.Engine), Class: aws.ToString(d.DBInstanceClass), MultiAZ: aws.ToBool(d.MultiAZ)}
	if db.Status == StatusStopped {
		db.RestartsAt = d.AutomaticRestartTime
	}
	return db, nil
}

func (c *Client) readCluster(ctx context.Context, dep config.Dependency) (Database, error) {
	out, err := c.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(dep.ID)})
	call := "describe DB cluster " + dep.ID
	if err != nil {
		return Database{}, Wrap(call, err)
	}
	if len(out.DBClusters) == 0 {
		return Database{}, fmt.Errorf("%s: %w", call, ErrNotFound)
	}
	d := out.DBClusters[0]
	db := Database{Dependency: dep, Status: aws.ToString(d.Status), CannotStop: clusterCannotStop(d), Engine: aws.ToString(d.Engine)}
	if db.Status == StatusStopped {
		db.RestartsAt = d.AutomaticRestartTime
	}
	return db, nil
}
