// Package logging builds the functions' structured JSON logger.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// New returns a JSON logger of the lines at level or above that names the
// function and the ECS services it manages on every line; lines about one
// service name it as "service" (see For).
func New(w io.Writer, function string, level slog.Level, services []string) *slog.Logger {
	log := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})).With("function", function)
	return log.With("services", names(services))
}

// maxNamed is how many services a line names before it gives their number:
// CloudWatch Logs charges by the byte, and a fleet of 100 would add more than
// a kilobyte to every line.
const maxNamed = 10

func names(services []string) string {
	if len(services) <= maxNamed {
		return strings.Join(services, ",")
	}
	return fmt.Sprintf("%s,… (%d services)", strings.Join(services[:maxNamed], ","), len(services))
}

// For is the logger for lines about one service.
func For(log *slog.Logger, cluster, service string) *slog.Logger {
	return log.With("service", service, "cluster", cluster)
}
