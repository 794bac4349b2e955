package autosleep

// The databases: after the services are decided (and put to sleep), each
// database is stopped once every configured service that uses it sleeps.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database/stopper"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// Databases is what the evaluator needs from RDS.
type Databases interface {
	Read(ctx context.Context, dep config.Dependency) (database.Database, error)
	Stop(ctx context.Context, dep config.Dependency) error
}

var _ Databases = (*stopper.Client)(nil)

// Actions on a database in a report.
const (
	Stopped = "stopped"
	// Kept, Skipped as for services.
)

// DatabaseResult is the decision for one database.
type DatabaseResult struct {
	database.Database
	Action string `json:"action"`
	Reason string `json:"reason"`
	// UsedBy are the configured services that depend on it.
	UsedBy []string `json:"usedBy"`
}

// databasesAfter decides each database the services depend on: stopped
// (unless dryRun) when it is available and every service that uses it sleeps
// after this tick, with no wake waiting for it; else kept or skipped, and why.
// Each service's result lists its databases.
func (e *Evaluator) databasesAfter(ctx context.Context, all []*service, dryRun bool, now time.Time) []DatabaseResult {
	if e.Databases == nil {
		return nil
	}
	cfgs := make(config.Services, len(all))
	for i, s := range all {
		cfgs[i] = s.cfg
	}
	var out []DatabaseResult
	for _, dep := range cfgs.Databases() {
		var users []*service
		for _, s := range all {
			if dependsOn(s.cfg, dep) {
				users = append(users, s)
			}
		}
		r := e.decideDatabase(ctx, dep, users, dryRun, now)
		out = append(out, r)
		for _, s := range users {
			s.result.Databases = append(s.result.Databases, r)
		}
	}
	return out
}

func dependsOn(s config.Service, dep config.Dependency) bool {
	for _, d := range s.DependsOn {
		if d == dep {
			return true
		}
	}
	return false
}

func (e *Evaluator) decideDatabase(ctx context.Context, dep config.Dependency, users []*service, dryRun bool, now time.Time) DatabaseResult {
	r := DatabaseResult{Database: database.Database{Dependency: dep}}
	for _, s := range users {
		r.UsedBy = append(r.UsedBy, s.cfg.Name)
	}
	db, err := e.Databases.Read(ctx, dep)
	if err != nil {
		e.log.Warn("reading a database failed", "database", dep.Key(), "error", err)
		r.Action, r.Reason = Skipped, fmt.Sprintf("could not read it from RDS (%v); nothing changed", err)
		return r
	}
	r.Database = db
	if awake := inUse(users, now); awake != "" {
		r.Action, r.Reason = Kept, awake
		return r
	}
	r.Action, r.Reason = e.stopIdle(ctx, db, users, dryRun)
	if r.Action == Stopped {
		e.log.Info("database stopped", "database", dep.Key(), "reason", r.Reason, "dryRun", dryRun)
	}
	return r
}

// inUse says why the database must keep running: a service that uses it is
// awake, waking (a wake waits for the database), or could not be read; "" when
// every one sleeps after this tick.
func inUse(users []*service, now time.Time) string {
	for _, s := range users {
		switch {
		case s.obs == nil:
			return fmt.Sprintf("in use: %s could not be read, so it may be awake", s.cfg.Name)
		case s.obs.DesiredCount > 0 && s.result.Action != Slept:
			return fmt.Sprintf("in use: %s is awake", s.cfg.Name)
		case s.obs.DesiredCount == 0 && s.obs.WokenAt != nil && now.Sub(*s.obs.WokenAt) < s.cfg.WakeTimeout:
			return fmt.Sprintf("in use: a wake of %s waits for it", s.cfg.Name)
		}
	}
	return ""
}

// stopIdle decides a database every user of which sleeps, by its status.
func (e *Evaluator) stopIdle(ctx context.Context, db database.Database, users []*service, dryRun bool) (action, reason string) {
	names := make([]string, len(users))
	sleptNow := false
	for i, s := range users {
		names[i] = s.cfg.Name
		sleptNow = sleptNow || s.result.Action == Slept
	}
	switch db.Phase() {
	case database.Stopped, database.Stopping:
		return Skipped, "already " + db.Status
	case database.Broken:
		return Skipped, "RDS reports it " + db.Status + "; nothing to stop"
	case database.Starting, database.Busy:
		return Kept, "every service that uses it sleeps, but RDS reports it " + db.Status + ": stopped once available"
	}
	if db.CannotStop != "" {
		return Kept, "every service that uses it sleeps, but it cannot be stopped: " + db.CannotStop
	}
	why := "every service that uses it sleeps (" + strings.Join(names, ", ") + ")"
	if !sleptNow {
		// RDS starts a stopped DB instance or cluster by itself after seven days.
		// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html
		// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-cluster-stop-start.html
		why = "running while every service that uses it sleeps (" + strings.Join(names, ", ") + "); RDS starts a stopped database by itself after seven days: stopped again"
	}
	if dryRun {
		return Stopped, why
	}
	// A visit may have woken a service since the tick read it (the signal's
	// read, the sleeps): read them again just before the stop.
	if awake := e.stillAsleep(ctx, users); awake != "" {
		return Kept, awake
	}
	if err := e.Databases.Stop(ctx, db.Dependency); err != nil {
		if database.IsWait(err) {
			return Kept, fmt.Sprintf("was to stop (%s) but RDS refused in its present state (%v): the next tick tries again", why, err)
		}
		e.log.Error("stopping the database failed", "database", db.Key(), "error", err)
		return Kept, fmt.Sprintf("was to stop (%s) but RDS refused: %v", why, err)
	}
	return Stopped, why
}

// stillAsleep reads the services that use a database again, as late as
// possible before it is stopped; it says why the database must run on, "" when
// every one still sleeps with no wake waiting for it.
func (e *Evaluator) stillAsleep(ctx context.Context, users []*service) string {
	byCluster := map[string][]string{}
	for _, s := range users {
		byCluster[s.cfg.Cluster] = append(byCluster[s.cfg.Cluster], s.cfg.Name)
	}
	now := e.now()
	for cluster, names := range byCluster {
		for batch := range slices.Chunk(names, ecsservice.DescribeServicesBatch) {
			got, err := e.services.DescribeBatch(ctx, cluster, batch)
			if err != nil {
				return fmt.Sprintf("in use: the services that use it could not be read again before the stop (%v)", err)
			}
			for _, s := range users {
				if s.cfg.Cluster != cluster || !slices.Contains(batch, s.cfg.Name) {
					continue
				}
				fresh := &service{cfg: s.cfg, obs: got[s.cfg.Name], result: Result{Action: Skipped}}
				if why := inUse([]*service{fresh}, now); why != "" {
					return strings.Replace(why, "in use: ", "in use: read again before the stop, ", 1)
				}
			}
		}
	}
	return ""
}
