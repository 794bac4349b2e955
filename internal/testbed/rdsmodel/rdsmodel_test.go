package rdsmodel

import (
	"strings"
	"testing"
)

func TestDescribeAnswersShowTheModelledStatusOfTheirOwnDatabaseOnly(t *testing.T) {
	body := []byte(`<R><DBInstances><DBInstance><DBInstanceIdentifier>a</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus></DBInstance>` +
		`<DBInstance><DBInstanceIdentifier>b</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus></DBInstance></DBInstances>` +
		`<DBClusters><DBCluster><DBClusterIdentifier>c</DBClusterIdentifier><Status>available</Status><VpcSecurityGroups><VpcSecurityGroupMembership><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups></DBCluster></DBClusters></R>`)
	got := string(applyStatus(body, map[string]string{Instance + ":b": "starting", Cluster + ":c": "stopping"}))
	for _, want := range []string{
		`<DBInstanceIdentifier>a</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus>`,
		`<DBInstanceIdentifier>b</DBInstanceIdentifier><DBInstanceStatus>starting</DBInstanceStatus>`,
		`<DBClusterIdentifier>c</DBClusterIdentifier><Status>stopping</Status>`,
		`<VpcSecurityGroupMembership><Status>active</Status>`,
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("answer %s\nwant %s", got, want)
		}
	}
}
