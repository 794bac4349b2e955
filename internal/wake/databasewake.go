package wake

import (
	"context"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

// databasesFirst readies a sleeping service's databases before it wakes: it
// starts each that is stopped, waits out one that is starting, stopping or
// busy (starting one that is stopping fails: it is started once stopped), and
// lets the scale-up go on (ok) only when every one is available, as read just
// now. Otherwise it answers with the database stage, and the wake's start is
// tagged so every environment sees a wake waiting for its databases.
func (c *Controller) databasesFirst(ctx context.Context, svc config.Service, e *entry, obs *ecsservice.Service) (st Status, ok bool) {
	dbs, fresh, err := c.readDatabases(ctx, svc, decisionAge, c.wakes)
	if st, bad := c.databaseTrouble(svc, dbs, err); bad {
		return st, false
	}
	waiting := false
	for i, db := range dbs {
		switch db.Phase() {
		case database.Available:
			continue
		case database.Stopped:
			dbs[i].Status = c.startDatabase(ctx, svc, db)
		}
		waiting = true
	}
	if !waiting && fresh {
		return Status{}, true
	}
	obs = c.markDatabaseWake(ctx, svc, e, obs)
	return c.databaseStage(svc, obs, dbs), false
}

// startDatabase starts a stopped database and returns its status as this
// environment now knows it.
func (c *Controller) startDatabase(ctx context.Context, svc config.Service, db database.Database) string {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	err := c.databases.Start(sctx, db.Dependency)
	cancel()
	switch {
	case err == nil:
		c.logFor(svc).Info("starting the database before the service", "database", db.Key())
	case database.IsWait(err):
		// Started meanwhile by another environment, or not yet stopped: wait.
		c.logFor(svc).Info("the database cannot be started just now; waiting", "database", db.Key(), "error", err)
		return db.Status
	default:
		c.logFor(svc).Error("starting the database failed; the next visit tries again", "database", db.Key(), "error", err)
		return db.Status
	}
	db.Status = database.StatusStarting
	c.mu.Lock()
	c.dbSeen[db.Key()] = dbView{at: c.now(), db: db}
	c.mu.Unlock()
	return db.Status
}

// markDatabaseWake tags the wake's start on the service, unless a wake
// waiting for the databases is already tagged, and returns the service as
// this environment now knows it.
func (c *Controller) markDatabaseWake(ctx context.Context, svc config.Service, e *entry, obs *ecsservice.Service) *ecsservice.Service {
	now := c.now()
	if databaseWake(svc, obs, now) || ecsservice.ShortARN(obs.ARN) || !c.tags.Allow(now) {
		return obs
	}
	at := now.UTC().Truncate(time.Millisecond)
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	err := c.services.MarkWoken(tctx, obs, at)
	cancel()
	if err != nil {
		c.logFor(svc).Warn("recording the wake time failed", "error", err)
		return obs
	}
	marked := *obs
	marked.WokenAt = &at
	c.mu.Lock()
	if e.obs != nil && e.obs.DesiredCount == 0 {
		e.obs = &marked
	}
	c.mu.Unlock()
	return &marked
}

// keepDatabaseWakeStart: a scale-up after a wake waited for the databases
// keeps that wake's start (the visitor's clock goes on) and records how long
// the databases took; start is nil for any other wake.
func (c *Controller) keepDatabaseWakeStart(ctx context.Context, svc config.Service, obs *ecsservice.Service) (start *time.Time) {
	now := c.now()
	if !databaseWake(svc, obs, now) {
		return nil
	}
	start = obs.WokenAt
	took := now.Sub(*start)
	c.logFor(svc).Info("databases available", "databaseSeconds", int(took.Seconds()))
	if !c.tags.Allow(now) {
		return start
	}
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
	defer cancel()
	if err := c.services.RecordDatabaseStart(tctx, obs, took); err != nil {
		c.logFor(svc).Warn("recording the databases' start duration failed", "error", err)
	}
	return start
}

// databasesReady reports whether a scale-up may go on: the service has no
// database, is not asleep (its databases were readied when it woke), or every
// database is available; else st is the answer meanwhile.
func (c *Controller) databasesReady(ctx context.Context, svc config.Service, e *entry, obs *ecsservice.Service) (st Status, ok bool) {
	if c.databases == nil || len(svc.DependsOn) == 0 || obs.DesiredCount > 0 {
		return Status{}, true
	}
	return c.databasesFirst(ctx, svc, e, obs)
}
