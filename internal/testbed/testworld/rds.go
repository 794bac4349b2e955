package testworld

import (
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/rdsmodel"
)

// The gate makes the emulator's databases behave as RDS's do (rdsmodel):
// starts and stops take time, through starting and stopping.

// DBTimes are how long the modelled RDS takes to start and to stop a database.
type DBTimes = rdsmodel.Times

// Kinds of database.
const (
	DBInstance = rdsmodel.Instance
	DBCluster  = rdsmodel.Cluster
)

// SetDBTimes makes starts and stops take these times (zero: at once, as the emulator does).
func (g *Gate) SetDBTimes(t DBTimes) { g.rds.SetTimes(t) }

// SetDBStatus makes the gate report the database with status for the given
// time, refusing starts and stops meanwhile, as RDS does.
func (g *Gate) SetDBStatus(kind, id, status string, d time.Duration) {
	g.rds.SetStatus(kind, id, status, d)
}

// DBStatusOverride is the status the model reports for the database now, if any.
func (g *Gate) DBStatusOverride(kind, id string) (string, bool) { return g.rds.Status(kind, id) }
