// Package database reads, starts and stops the databases services depend
// on: RDS DB instances and Aurora DB clusters. It tells which states to wait
// out rather than fight, and which databases RDS cannot stop at all.
//
// One file per concern, tested together: describe (a database's state),
// status (what a state means), stoppable (what RDS cannot stop), check (the
// start-up warning); errors says which failures to wait out. Starting and
// stopping are packages of their own, starter (linked by Wake) and stopper
// (by Auto-Sleep), so each function's code, and so its IAM policy, holds only
// the call it makes.
package database

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// RDS is the part of the RDS API this package calls: reads.
type RDS interface {
	DescribeDBInstances(ctx context.Context, params *rds.DescribeDBInstancesInput, optFns ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBClusters(ctx context.Context, params *rds.DescribeDBClustersInput, optFns ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
}

var _ RDS = (*rds.Client)(nil)

// Client reads databases.
type Client struct {
	RDS RDS
}

// New returns a Client over the RDS API.
func New(r RDS) *Client { return &Client{RDS: r} }

// Database is one reading of a database.
type Database struct {
	config.Dependency
	// Status is the database's status as RDS reports it ("available", "stopped", …).
	Status string `json:"status"`
	// CannotStop says why RDS cannot stop this database; empty when it can.
	CannotStop string `json:"cannotStop,omitempty"`
	// RestartsAt is when RDS will start a stopped database by itself (seven
	// days after it stopped); nil when not stopped or not told.
	RestartsAt *time.Time `json:"restartsAt,omitempty"`
	// What the savings report prices a DB instance by, read in the same call:
	// its engine (postgres, mysql, …; aurora-… for a cluster), its instance
	// class (empty for a cluster, whose instances are its members) and
	// whether it keeps a standby in another zone. Not part of other answers.
	Engine  string `json:"-"`
	Class   string `json:"-"`
	MultiAZ bool   `json:"-"`
}
