package wake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database/starter"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/tokenbucket"
)

// Databases is what the controller needs from RDS.
type Databases interface {
	Read(ctx context.Context, dep config.Dependency) (database.Database, error)
	Start(ctx context.Context, dep config.Dependency) error
}

var _ Databases = (*starter.Client)(nil)

// RDS throttles per account and Region, every API together, in one bucket of
// 300 requests refilled 12 a second, shared with the owner's tools:
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html
// A database is read only while a wake waits for it, and an environment reads
// one at most every dbFresh, all together at most dbReadRate a second after a
// burst of dbReadBurst: 20 environments make at most 5 a second, under half
// the refill. A wake's decision reads on the wake budget, as ECS's do.
const (
	dbFresh     = 5 * time.Second
	dbReadRate  = 0.25
	dbReadBurst = 2
)

// dbView is what this environment last read of one database.
type dbView struct {
	at  time.Time
	db  database.Database
	err error
}

// readDatabases returns the service's databases, each read anew when older
// than maxAge and the budget allows, else as last read. fresh: every one is
// younger than maxAge. err is the first read that failed with nothing known,
// or the database RDS does not have.
func (c *Controller) readDatabases(ctx context.Context, svc config.Service, maxAge time.Duration, budget *tokenbucket.Bucket) (dbs []database.Database, fresh bool, err error) {
	fresh = true
	for _, dep := range svc.DependsOn {
		v := c.readDatabase(ctx, dep, maxAge, budget)
		if v.err != nil && (errors.Is(v.err, database.ErrNotFound) || v.at.IsZero() || v.db.Status == "") {
			return nil, false, v.err
		}
		if v.db.Status == "" {
			return nil, false, errNotRead
		}
		fresh = fresh && v.err == nil && c.now().Sub(v.at) < maxAge
		dbs = append(dbs, v.db)
	}
	return dbs, fresh, nil
}

// errNotRead: over the read budget with nothing read yet.
var errNotRead = errors.New("database not read yet: over this environment's read budget")

func (c *Controller) readDatabase(ctx context.Context, dep config.Dependency, maxAge time.Duration, budget *tokenbucket.Bucket) dbView {
	c.mu.Lock()
	known, ok := c.dbSeen[dep.Key()]
	c.mu.Unlock()
	now := c.now()
	if ok && known.err == nil && now.Sub(known.at) < maxAge {
		return known
	}
	if !budget.Allow(now) {
		return known
	}
	got, _, _ := c.dbFlight.Do(dep.Key(), func() (any, error) {
		// Shared work must not die with the one request that started it.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), awsBudget)
		db, err := c.databases.Read(rctx, dep)
		cancel()
		v := dbView{at: c.now(), db: db, err: err}
		if err != nil {
			v.db = known.db // the last state known still tells something
			if !errors.Is(err, database.ErrNotFound) {
				c.log.Warn("reading a database failed; visitors see the wait page", "database", dep.Key(), "error", err, "transient", database.IsTransient(err))
			}
		}
		c.mu.Lock()
		c.dbSeen[dep.Key()] = v
		c.mu.Unlock()
		return v, nil
	})
	return got.(dbView)
}

// databaseWake reports whether a wake of the service is waiting for its
// databases: asleep, and a wake began lately (its start is tagged when the
// wake starts the databases, before the count is raised).
func databaseWake(svc config.Service, obs *ecsservice.Service, now time.Time) bool {
	return len(svc.DependsOn) > 0 && obs.DesiredCount == 0 && obs.WokenAt != nil && now.Sub(*obs.WokenAt) < svc.WakeTimeout
}

// databaseStatus answers a status poll while a wake waits for the databases:
// the database stage while one is on its way, failed when one cannot start,
// and asleep once none is on its way (every one is available, or one is
// stopped): the wait page then loads the visitor's page again, which wakes the
// service (a status poll never scales).
func (c *Controller) databaseStatus(ctx context.Context, svc config.Service, obs *ecsservice.Service) Status {
	dbs, _, err := c.readDatabases(ctx, svc, dbFresh, c.dbReads)
	if st, bad := c.databaseTrouble(svc, dbs, err); bad {
		return st
	}
	for _, db := range dbs {
		if db.Phase() != database.Available && db.Phase() != database.Stopped {
			return c.databaseStage(svc, obs, dbs)
		}
	}
	return c.paced(describe(Status{Service: svc.Name, State: Asleep}), nil)
}

// databaseTrouble is the answer when the databases cannot be read, or one
// cannot start at all; bad is false when there is none.
func (c *Controller) databaseTrouble(svc config.Service, dbs []database.Database, err error) (st Status, bad bool) {
	switch {
	case errors.Is(err, database.ErrNotFound):
		c.logFor(svc).Error("a database of the service does not exist", "error", err)
		return describe(Status{Service: svc.Name, State: Failed, Message: "The service's database does not exist."}), true
	case errors.Is(err, errNotRead):
		st := checking(svc)
		st.Next = &Next{AfterMs: jittered(paceBusy)}
		return st, true
	case err != nil:
		return c.paced(checking(svc), nil), true
	}
	for _, db := range dbs {
		if db.Phase() == database.Broken {
			c.logFor(svc).Error("a database of the service cannot start", "database", db.Key(), "status", db.Status)
			msg := fmt.Sprintf("The service's database cannot start: RDS reports it %s.", db.Status)
			return describe(Status{Service: svc.Name, State: Failed, Message: msg, Databases: dbs}), true
		}
	}
	return Status{}, false
}

// databaseStage is the status of a wake waiting for its databases.
func (c *Controller) databaseStage(svc config.Service, obs *ecsservice.Service, dbs []database.Database) Status {
	st := Status{Service: svc.Name, State: Waking, Stage: StageStartingDatabase, Databases: dbs}
	if obs.WokenAt != nil {
		if now := c.now(); now.After(*obs.WokenAt) {
			st.ElapsedSeconds = int(now.Sub(*obs.WokenAt) / time.Second)
		}
	}
	st.EstimatedSeconds = estimate(obs.DatabaseSeconds, st.ElapsedSeconds)
	return c.paced(describe(st), nil)
}

// Databases reads the service's databases now, for an operator's direct
// invocation; one that cannot be read says so in its status ("unknown").
func (c *Controller) Databases(ctx context.Context, svc config.Service) []database.Database {
	if c.databases == nil {
		return nil
	}
	var out []database.Database
	for _, dep := range svc.DependsOn {
		db, err := c.databases.Read(ctx, dep)
		if err != nil {
			c.logFor(svc).Warn("reading a database failed", "database", dep.Key(), "error", err)
			db = database.Database{Dependency: dep, Status: "unknown"}
		}
		out = append(out, db)
	}
	return out
}
