package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// NewStoppedDatabase creates an RDS DB instance in the emulator and stops it,
// as a sleeping service's database is.
func NewStoppedDatabase(ctx context.Context, c *rds.Client, id string) error {
	_, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t4g.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("demo"), MasterUserPassword: aws.String("not-a-real-password"),
	})
	if err != nil {
		return fmt.Errorf("create DB instance %s: %w", id, err)
	}
	if _, err := c.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(id)}); err != nil {
		return fmt.Errorf("stop DB instance %s: %w", id, err)
	}
	return nil
}
