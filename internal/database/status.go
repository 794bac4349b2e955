package database

// Phase is what a database's status means to a wake or a sleep.
type Phase int

const (
	// Available: the database takes connections; the service may wake.
	Available Phase = iota
	// Stopped: start it (and wait) before waking the service.
	Stopped
	// Stopping: RDS refuses to start it until it is stopped; wait.
	Stopping
	// Starting: on its way to available; wait.
	Starting
	// Busy: RDS is working on it (a backup, a modification, maintenance, …);
	// it becomes available by itself: wait, do not fight it.
	Busy
	// Broken: it will not become available without its owner (failed,
	// deleted, storage full, incompatible settings, lost key).
	Broken
)

// Statuses RDS reports, for DB instances and Aurora DB clusters.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html#Aurora.Status
const (
	StatusAvailable = "available"
	StatusStopped   = "stopped"
	StatusStopping  = "stopping"
	StatusStarting  = "starting"
)

// broken are the statuses RDS does not leave by itself: the owner must act
// (instance statuses, then those only clusters have). Any other status not
// named above is work in progress (backing-up, modifying, maintenance,
// upgrading, rebooting, renaming, storage-optimization, creating,
// insufficient-capacity, …): waited out. A status RDS adds later is waited
// out too, never fought.
var broken = map[string]bool{
	"failed": true, "deleting": true, "delete-precheck": true,
	"inaccessible-encryption-credentials": true,
	"incompatible-network":                true, "incompatible-option-group": true, "incompatible-parameters": true,
	"incompatible-restore": true, "restore-error": true, "storage-full": true,
	"cloning-failed": true, "migration-failed": true,
}

// PhaseOf says what a status means.
func PhaseOf(status string) Phase {
	switch status {
	case StatusAvailable:
		return Available
	case StatusStopped:
		return Stopped
	case StatusStopping:
		return Stopping
	case StatusStarting:
		return Starting
	}
	if broken[status] {
		return Broken
	}
	return Busy
}

// Phase says what the database's status means.
func (d Database) Phase() Phase { return PhaseOf(d.Status) }
