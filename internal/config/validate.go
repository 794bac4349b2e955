package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// named is a setting of one service by both its names: as a field
// of a SERVICES entry, and as the single-service variable.
type named struct{ json, env string }

// problem is what is wrong with one setting of a service, until the entry
// it belongs to is known.
type problem struct {
	setting named
	reason  string
}

func (s named) invalid(format string, args ...any) *problem {
	return &problem{setting: s, reason: fmt.Sprintf(format, args...)}
}

// index names the i-th element of a list setting (KEEP_WARM[1], keepWarm[1]).
func (s named) index(i int) named {
	return named{json: fmt.Sprintf("%s[%d]", s.json, i), env: fmt.Sprintf("%s[%d]", s.env, i)}
}

// at names the setting for the entry at prefix ("SERVICES[1]."), or as the
// single-service variable when prefix is empty.
func (p *problem) at(prefix string) error {
	if prefix == "" {
		return fieldErr(p.setting.env, "%s", p.reason)
	}
	return fieldErr(prefix+p.setting.json, "%s", p.reason)
}

var (
	nameSetting        = named{"name", "SERVICE_NAME"}
	clusterSetting     = named{"cluster", "CLUSTER_NAME"}
	portSetting        = named{"port", "APP_PORT"}
	schemeSetting      = named{"scheme", "APP_SCHEME"}
	healthPathSetting  = named{"healthPath", "HEALTH_PATH"}
	pathPrefixSetting  = named{"pathPrefix", "PATH_PREFIX"}
	hostSetting        = named{"host", "HOST"}
	addressSetting     = named{"address", "ADDRESS_MODE"}
	urlSetting         = named{"url", "APP_URL"}
	wakeCountSetting   = named{"wakeCount", "WAKE_COUNT"}
	wakeTimeoutSetting = named{"wakeTimeoutSeconds", "WAKE_TIMEOUT_SECONDS"}
)

// serviceChecks check one setting each, in this order, and complete the
// service with it.
var serviceChecks = []func(s *Service, r serviceJSON) *problem{
	checkName, checkCluster, checkPort, checkScheme, checkHealthPath, checkPathPrefix,
	checkHost, checkAddress, checkWakeCount, checkWakeTimeout, checkDependsOn,
}

// validate turns an entry (prefix "SERVICES[1].") or the single-service
// variables (prefix "") into a Service, or names the first setting at fault.
func (r serviceJSON) validate(prefix string, getenv func(string) string) (Service, error) {
	s := Service{
		Name:        strings.TrimSpace(r.Name),
		Cluster:     strings.TrimSpace(r.Cluster),
		Host:        strings.TrimRight(strings.ToLower(strings.TrimSpace(r.Host)), "."),
		PathPrefix:  strings.TrimRight(strings.TrimSpace(r.PathPrefix), "/"),
		Port:        DefaultPort,
		Scheme:      strings.ToLower(strings.TrimSpace(r.Scheme)),
		HealthPath:  strings.TrimSpace(r.HealthPath),
		Address:     strings.ToLower(strings.TrimSpace(r.Address)),
		URL:         strings.TrimSpace(r.URL),
		WakeCount:   DefaultWakeCount,
		WakeTimeout: DefaultWakeTimeout,
	}
	if s.Cluster == "" && prefix != "" {
		// Trimmed like the entry's own cluster: a blank CLUSTER_NAME names none.
		s.Cluster = strings.TrimSpace(getenv("CLUSTER_NAME"))
	}
	for _, check := range serviceChecks {
		if p := check(&s, r); p != nil {
			return Service{}, p.at(prefix)
		}
	}
	policy, p := r.sleepJSON.policy()
	if p != nil {
		return Service{}, p.at(prefix)
	}
	s.Sleep = policy
	return s, nil
}

func checkName(s *Service, _ serviceJSON) *problem {
	if s.Name == "" {
		return nameSetting.invalid("required")
	}
	return nil
}

func checkCluster(s *Service, _ serviceJSON) *problem {
	if s.Cluster == "" {
		return clusterSetting.invalid("required (per service, or CLUSTER_NAME for all)")
	}
	return nil
}

func checkPort(s *Service, r serviceJSON) *problem {
	if r.Port == nil {
		return nil
	}
	if *r.Port < 1 || *r.Port > 65535 {
		return portSetting.invalid("must be between 1 and 65535, got %d", *r.Port)
	}
	s.Port = *r.Port
	return nil
}

func checkScheme(s *Service, r serviceJSON) *problem {
	if s.Scheme == "" {
		s.Scheme = "http"
	}
	if s.Scheme != "http" && s.Scheme != "https" {
		return schemeSetting.invalid("must be http or https, got %q", r.Scheme)
	}
	return nil
}

func checkHealthPath(s *Service, r serviceJSON) *problem {
	if s.HealthPath != "" && (!strings.HasPrefix(s.HealthPath, "/") || strings.HasPrefix(s.HealthPath, "//")) {
		return healthPathSetting.invalid("must be a path starting with a single /, got %q", r.HealthPath)
	}
	return nil
}

func checkPathPrefix(s *Service, r serviceJSON) *problem {
	if s.PathPrefix != "" && !strings.HasPrefix(s.PathPrefix, "/") {
		return pathPrefixSetting.invalid("must start with /, got %q", r.PathPrefix)
	}
	if s.PathPrefix == "/_wake" || strings.HasPrefix(s.PathPrefix, "/_wake/") {
		return pathPrefixSetting.invalid("/_wake is reserved for the controller's own routes")
	}
	return nil
}

func checkHost(s *Service, r serviceJSON) *problem {
	if strings.ContainsAny(s.Host, "/ ") || (s.Host == "" && strings.TrimSpace(r.Host) != "") {
		return hostSetting.invalid("must be a host name such as app.example.com, got %q", r.Host)
	}
	// Visitors are matched on their Host without its port (and final dots, trimmed above).
	if _, _, err := net.SplitHostPort(s.Host); err == nil {
		return hostSetting.invalid("must be a host name without a port, such as app.example.com, got %q", r.Host)
	}
	return nil
}

func checkAddress(s *Service, r serviceJSON) *problem {
	if s.Address == "" {
		s.Address = AddressPublic
		if s.URL != "" {
			s.Address = AddressURL
		}
	}
	switch s.Address {
	case AddressPublic, AddressPrivate:
		if s.URL != "" {
			return urlSetting.invalid("only used with address %q", AddressURL)
		}
	case AddressURL:
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return urlSetting.invalid("must be an absolute http(s) URL without query, such as https://my-alb.example.com, got %q", s.URL)
		}
		s.URL = strings.TrimRight(s.URL, "/")
	default:
		return addressSetting.invalid("must be %s, %s or %s, got %q", AddressPublic, AddressPrivate, AddressURL, r.Address)
	}
	return nil
}

func checkWakeCount(s *Service, r serviceJSON) *problem {
	if r.WakeCount == nil {
		return nil
	}
	if *r.WakeCount < 1 || *r.WakeCount > maxWakeCount {
		return wakeCountSetting.invalid("must be between 1 and %d, got %d", maxWakeCount, *r.WakeCount)
	}
	s.WakeCount = int32(*r.WakeCount)
	return nil
}

func checkWakeTimeout(s *Service, r serviceJSON) *problem {
	if r.WakeTimeoutSeconds == nil {
		return nil
	}
	if *r.WakeTimeoutSeconds < 10 || *r.WakeTimeoutSeconds > maxWakeTimeoutSeconds {
		return wakeTimeoutSetting.invalid("must be between 10 and %d, got %d", maxWakeTimeoutSeconds, *r.WakeTimeoutSeconds)
	}
	s.WakeTimeout = time.Duration(*r.WakeTimeoutSeconds) * time.Second
	return nil
}
