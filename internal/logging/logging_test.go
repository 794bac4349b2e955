package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
)

func TestEveryLineNamesTheServicesAndAFleetByItsNumber(t *testing.T) {
	fleet := make([]string, 100)
	for i := range fleet {
		fleet[i] = fmt.Sprintf("service-%03d", i)
	}
	tests := []struct {
		name     string
		services []string
		want     string
	}{
		{"one service", []string{"web"}, "web"},
		{"a few", []string{"web", "api"}, "web,api"},
		{"a fleet", fleet, "service-000,service-001,service-002,service-003,service-004,service-005,service-006,service-007,service-008,service-009,… (100 services)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			New(&buf, "wake", slog.LevelInfo, tc.services).Info("started")
			var line struct{ Function, Services string }
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("line %q: %v", buf.String(), err)
			}
			if line.Function != "wake" || line.Services != tc.want {
				t.Fatalf("line %s, want services %q", buf.String(), tc.want)
			}
		})
	}
}
