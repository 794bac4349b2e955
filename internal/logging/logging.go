// Package logging builds the functions' structured JSON logger.
package logging

import (
	"io"
	"log/slog"
	"strings"
)

// New returns a JSON logger that names the function and the ECS services it
// manages on every line; lines about one service name it as "service" (see For).
func New(w io.Writer, function, level string, services []string) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	log := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl})).With("function", function)
	return log.With("services", strings.Join(services, ","))
}

// For is the logger for lines about one service.
func For(log *slog.Logger, cluster, service string) *slog.Logger {
	return log.With("service", service, "cluster", cluster)
}
