package database

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// instanceCannotStop says why RDS cannot stop a DB instance, "" when it can.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html#USER_StopInstance.Limitations
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html
// (StopDBInstance does not apply to RDS Custom nor to Aurora instances, whose cluster is stopped instead.)
func instanceCannotStop(d rdstypes.DBInstance) string {
	engine := strings.ToLower(aws.ToString(d.Engine))
	switch {
	case d.ReadReplicaSourceDBInstanceIdentifier != nil || d.ReadReplicaSourceDBClusterIdentifier != nil:
		return "it is a read replica, which RDS cannot stop"
	case len(d.ReadReplicaDBInstanceIdentifiers) > 0 || len(d.ReadReplicaDBClusterIdentifiers) > 0:
		return "it has read replicas, and RDS cannot stop an instance that has"
	case strings.HasPrefix(engine, "sqlserver") && aws.ToBool(d.MultiAZ):
		return "RDS cannot stop a Multi-AZ SQL Server instance"
	case strings.HasPrefix(engine, "custom-"):
		return "RDS cannot stop an RDS Custom instance"
	case d.DBClusterIdentifier != nil:
		return "it is a member of DB cluster " + aws.ToString(d.DBClusterIdentifier) + ": list the cluster as auroraCluster instead"
	}
	return ""
}

// clusterCannotStop says why RDS cannot stop a DB cluster, "" when it can.
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-cluster-stop-start.html#aurora-cluster-stop-limitations
func clusterCannotStop(c rdstypes.DBCluster) string {
	switch {
	case aws.ToString(c.EngineMode) == "serverless":
		return "RDS cannot stop an Aurora Serverless v1 cluster"
	case aws.ToString(c.GlobalClusterIdentifier) != "":
		return "it is part of Aurora global database " + aws.ToString(c.GlobalClusterIdentifier) + ", which RDS cannot stop"
	case c.ReplicationSourceIdentifier != nil:
		return "it is a cross-Region read replica, which RDS cannot stop"
	case len(c.ReadReplicaIdentifiers) > 0:
		return "it has cross-Region read replicas, and RDS cannot stop a cluster that has"
	}
	return ""
}
