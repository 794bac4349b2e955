package database

import (
	"context"
	"log/slog"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// Warn reads each database once and logs a warning for each that RDS cannot
// stop (or cannot find), so the owner learns it at start-up, not from a bill.
// It returns what it read.
func Warn(ctx context.Context, c *Client, deps []config.Dependency, log *slog.Logger) []Database {
	var out []Database
	for _, dep := range deps {
		db, err := c.Read(ctx, dep)
		if err != nil {
			log.Warn("cannot read a database the services depend on", "database", dep.Key(), "error", err)
			continue
		}
		if db.CannotStop != "" {
			log.Warn("this database cannot be stopped: it keeps running while its services sleep", "database", dep.Key(), "reason", db.CannotStop)
		}
		out = append(out, db)
	}
	return out
}
