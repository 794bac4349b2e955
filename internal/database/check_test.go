package database

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

func TestWhatRDSCannotStopIsSaidAtStartUp(t *testing.T) {
	f := &fakeRDS{instances: map[string]rdstypes.DBInstance{
		"main":    {DBInstanceStatus: aws.String("available"), Engine: aws.String("postgres")},
		"replica": {DBInstanceStatus: aws.String("available"), Engine: aws.String("postgres"), ReadReplicaSourceDBInstanceIdentifier: aws.String("main")},
	}}
	var logs bytes.Buffer
	got := Warn(context.Background(), New(f), []config.Dependency{instance("main"), instance("replica"), instance("gone")}, slog.New(slog.NewJSONHandler(&logs, nil)))
	if len(got) != 2 {
		t.Fatalf("read %+v, want the two that exist", got)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "rdsInstance:replica") || !strings.Contains(lines[0], "read replica") || !strings.Contains(lines[1], "rdsInstance:gone") {
		t.Fatalf("start-up warnings:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "rdsInstance:main") {
		t.Fatalf("warned of a database that can be stopped:\n%s", logs.String())
	}
}
