package config

import (
	"math"
	"strconv"
	"strings"
)

// single reads the reference design's variables.
func single(getenv func(string) string) (Service, error) {
	s := serviceJSON{
		Name:       getenv("SERVICE_NAME"),
		Cluster:    getenv("CLUSTER_NAME"),
		Scheme:     getenv("APP_SCHEME"),
		HealthPath: getenv("HEALTH_PATH"),
		Address:    getenv("ADDRESS_MODE"),
		URL:        getenv("APP_URL"),
	}
	if s.Name == "" {
		return Service{}, fieldErr("SERVICE_NAME", "required (or set SERVICES to a JSON list of services)")
	}
	if s.Cluster == "" {
		return Service{}, fieldErr("CLUSTER_NAME", "required")
	}
	for _, v := range []struct {
		name string
		dst  **int
	}{
		{"APP_PORT", &s.Port},
		{"WAKE_COUNT", &s.WakeCount},
		{"WAKE_TIMEOUT_SECONDS", &s.WakeTimeoutSeconds},
		{"SLEEP_AFTER_MINUTES", &s.SleepAfterMinutes},
		{"GRACE_MINUTES", &s.GraceMinutes},
	} {
		raw := strings.TrimSpace(getenv(v.name))
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			return Service{}, fieldErr(v.name, "%q is not a whole number", raw)
		}
		*v.dst = &n
	}
	if err := sleepFromEnv(&s.sleepJSON, getenv); err != nil {
		return Service{}, err
	}
	deps, err := dependsOnFromEnv(getenv)
	if err != nil {
		return Service{}, err
	}
	s.DependsOn = deps
	return s.validate("", getenv)
}

// sleepFromEnv reads the single-service sleep settings.
func sleepFromEnv(s *sleepJSON, getenv func(string) string) error {
	s.IdleSignal, s.TargetGroup, s.LoadBalancer = getenv("IDLE_SIGNAL"), getenv("TARGET_GROUP"), getenv("LOAD_BALANCER")
	s.Timezone, s.SleepAt = getenv("TIMEZONE"), getenv("SLEEP_AT")
	if raw := strings.TrimSpace(getenv("IDLE_THRESHOLD")); raw != "" {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			// NaN would never compare as idle, and infinity always would.
			return fieldErr("IDLE_THRESHOLD", "%q is not a finite number", raw)
		}
		s.IdleThreshold = &f
	}
	if raw := strings.TrimSpace(getenv("COUNT_CONNECTIONS")); raw != "" {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fieldErr("COUNT_CONNECTIONS", "%q is not true or false", raw)
		}
		s.CountConnections = &b
	}
	if raw := strings.TrimSpace(getenv("KEEP_WARM")); raw != "" {
		for part := range strings.SplitSeq(raw, ";") {
			s.KeepWarm = append(s.KeepWarm, strings.TrimSpace(part))
		}
	}
	metric, err := metricFromEnv(getenv)
	s.Metric = metric
	return err
}

// metricFromEnv reads the custom metric's variables; nil when none names one.
func metricFromEnv(getenv func(string) string) (*Metric, error) {
	ns, name := getenv("METRIC_NAMESPACE"), getenv("METRIC_NAME")
	if ns == "" && name == "" {
		return nil, nil
	}
	m := &Metric{Namespace: ns, Name: name, Statistic: getenv("METRIC_STATISTIC"), MissingData: getenv("METRIC_MISSING_DATA"), Dimensions: map[string]string{}}
	raw := strings.TrimSpace(getenv("METRIC_DIMENSIONS"))
	if raw == "" {
		return m, nil
	}
	for kv := range strings.SplitSeq(raw, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fieldErr("METRIC_DIMENSIONS", "%q: want NAME=VALUE pairs separated by commas", kv)
		}
		m.Dimensions[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}
