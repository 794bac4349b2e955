package config

import (
	"errors"
	"strings"
	"testing"
)

func TestPricesAreReadAtStartAndABadOneStopsTheFunctionNamingIt(t *testing.T) {
	base := map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c"}
	tests := []struct {
		name, prices, says string
		ok                 bool
	}{
		{"none: the table alone", "", "", true},
		{"a Region the table lacks", `{"regions":{"eu-south-1":{"FARGATE":{"X86_64":{"vcpuHour":0.0445,"gbHour":0.0049}}}}}`, "", true},
		{"not JSON", `{"regions":`, "prices JSON", false},
		{"a price of a month, not an hour", `{"publicIpv4Hour": 3.6e3}`, "publicIpv4Hour", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{"PRICES": tt.prices}
			for k, v := range base {
				m[k] = v
			}
			cfg, err := FromEnv(env(m))
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if (tt.prices == "") != (cfg.Prices.Regions == nil) {
					t.Errorf("prices %+v from %q", cfg.Prices, tt.prices)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "PRICES" || !strings.Contains(fe.Reason, tt.says) {
				t.Errorf("got %v, want a PRICES error saying %q", err, tt.says)
			}
		})
	}
}
