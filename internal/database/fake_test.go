package database

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// fakeRDS answers from its instances and clusters, and records the calls.
type fakeRDS struct {
	mu        sync.Mutex
	instances map[string]rdstypes.DBInstance
	clusters  map[string]rdstypes.DBCluster
	err       error // every call fails with it when set
	calls     []string
}

func (f *fakeRDS) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	return f.err
}

func apiError(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (f *fakeRDS) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	if err := f.call("DescribeDBInstances " + aws.ToString(in.DBInstanceIdentifier)); err != nil {
		return nil, err
	}
	d, ok := f.instances[aws.ToString(in.DBInstanceIdentifier)]
	if !ok {
		return nil, &rdstypes.DBInstanceNotFoundFault{Message: aws.String("not found")}
	}
	return &rds.DescribeDBInstancesOutput{DBInstances: []rdstypes.DBInstance{d}}, nil
}

func (f *fakeRDS) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	if err := f.call("DescribeDBClusters " + aws.ToString(in.DBClusterIdentifier)); err != nil {
		return nil, err
	}
	d, ok := f.clusters[aws.ToString(in.DBClusterIdentifier)]
	if !ok {
		return nil, &rdstypes.DBClusterNotFoundFault{Message: aws.String("not found")}
	}
	return &rds.DescribeDBClustersOutput{DBClusters: []rdstypes.DBCluster{d}}, nil
}
