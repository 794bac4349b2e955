// Package config reads the services the controller manages from the
// environment: the reference design's single-service variables, or a JSON list.
package config

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Address modes: where visitors are sent once the service is ready.
const (
	AddressPublic  = "public"  // the task's public IP (Elastic IP or auto-assigned)
	AddressPrivate = "private" // the task's private IP, for visitors inside the VPC
	AddressURL     = "url"     // a fixed URL, such as a load balancer's
)

// Defaults, chosen for a Fargate task that pulls an image and boots an app.
const (
	DefaultPort         = 80
	DefaultWakeCount    = 1
	DefaultWakeTimeout  = 10 * time.Minute
	DefaultProbeTimeout = 800 * time.Millisecond
	// DefaultObserveTTL: an environment reads one service from ECS at most once per this.
	DefaultObserveTTL = 3 * time.Second
	// DefaultObservePerSecond: an environment reads ECS at most this often, all services together.
	DefaultObservePerSecond = 1.0
	// MinTokenKey is the shortest TOKEN_KEY accepted.
	MinTokenKey           = 16
	DefaultListenAddr     = "127.0.0.1:8080"
	DefaultSleepAfter     = 15 * time.Minute
	maxRequestHold        = 800 * time.Millisecond
	maxWakeCount          = 1000
	maxWakeTimeoutSeconds = 24 * 60 * 60
)

// Service is one ECS service the controller wakes and puts to sleep.
type Service struct {
	Name        string        `json:"name"`
	Cluster     string        `json:"cluster"`
	Host        string        `json:"host,omitempty"`
	PathPrefix  string        `json:"pathPrefix,omitempty"`
	Port        int           `json:"port"`
	Scheme      string        `json:"scheme"`
	HealthPath  string        `json:"healthPath,omitempty"`
	Address     string        `json:"address"`
	URL         string        `json:"url,omitempty"`
	WakeCount   int32         `json:"wakeCount"`
	WakeTimeout time.Duration `json:"-"`
	// Sleep is when Auto-Sleep may put the service to sleep.
	Sleep SleepPolicy `json:"-"`
}

// ID names the service uniquely across clusters.
func (s Service) ID() string { return s.Cluster + "/" + s.Name }

// Config is everything a function needs to start.
type Config struct {
	Services []Service
	// ListenAddr is where the binary serves HTTP outside Lambda.
	ListenAddr string
	// RequestHold is how long one visitor request may wait for the app
	// before answering with the wait page (WAIT_MS, capped well under a second).
	RequestHold time.Duration
	// ProbeTimeout bounds one reachability probe.
	ProbeTimeout time.Duration
	// ProbeAllowed, when set, is the only networks the prober may dial.
	ProbeAllowed []netip.Prefix
	// ObserveTTL is the shortest time between two ECS observations of one
	// service in one execution environment (OBSERVE_TTL_MS).
	ObserveTTL time.Duration
	// ObservePerSecond caps one environment's ECS observations, all services
	// together (OBSERVE_PER_SECOND); each is at most a handful of calls.
	ObservePerSecond float64
	// TokenKey signs the status tokens that let a poll skip AWS once a task's
	// address is known (TOKEN_KEY); empty: no tokens, every poll may read ECS.
	TokenKey []byte
	// WaitPageTheme and WaitPageTemplate choose the wait page's look.
	WaitPageTheme, WaitPageTemplate string
	// Bots are the user agents that never wake a service (crawlers, link
	// previews, uptime monitors); they get a plain "asleep" answer.
	Bots *regexp.Regexp
	// HeadWakes: whether a HEAD request wakes a sleeping service.
	HeadWakes bool
}

// DefaultBots matches the user agents of crawlers, link previews and uptime
// monitors. Generic HTTP libraries (curl, okhttp, Go's) are not in it: an
// app's own API clients use them and must wake it.
const DefaultBots = `(?i)bot\b|bot/|crawler|spider|slurp|facebookexternalhit|embedly|preview|uptime|pingdom|statuscake|site24x7|monitor|check_http|nagios|zabbix|datadog|newrelic|healthcheck`

// FieldError names the setting at fault and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return "invalid configuration: " + e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// serviceJSON is one entry of the SERVICES list as operators write it.
type serviceJSON struct {
	Name               string `json:"name"`
	Cluster            string `json:"cluster"`
	Host               string `json:"host"`
	PathPrefix         string `json:"pathPrefix"`
	Port               *int   `json:"port"`
	Scheme             string `json:"scheme"`
	HealthPath         string `json:"healthPath"`
	Address            string `json:"address"`
	URL                string `json:"url"`
	WakeCount          *int   `json:"wakeCount"`
	WakeTimeoutSeconds *int   `json:"wakeTimeoutSeconds"`
	sleepJSON
}

// ObjectLocation names the S3 object that holds the services list
// (SERVICES_S3, s3://BUCKET/KEY), and the version to read (SERVICES_S3_VERSION;
// empty: the current one).
type ObjectLocation struct {
	Bucket, Key, Version string
}

func (l ObjectLocation) String() string {
	s := "s3://" + l.Bucket + "/" + l.Key
	if l.Version != "" {
		s += " (version " + l.Version + ")"
	}
	return s
}

// ObjectReader reads the services list kept in S3: Lambda allows 4 KB of
// environment variables per function: 7 services with every setting.
type ObjectReader func(ObjectLocation) ([]byte, error)

// FromEnv reads the configuration through getenv (os.Getenv in production).
// A services list kept in S3 (SERVICES_S3) needs Read with an ObjectReader.
func FromEnv(getenv func(string) string) (Config, error) { return Read(getenv, nil) }

// Read reads the configuration through getenv, and the services list kept in
// S3 through objects.
func Read(getenv func(string) string, objects ObjectReader) (Config, error) {
	cfg := Config{
		ListenAddr:       DefaultListenAddr,
		ProbeTimeout:     DefaultProbeTimeout,
		ObserveTTL:       DefaultObserveTTL,
		ObservePerSecond: DefaultObservePerSecond,
	}
	if v := getenv("LISTEN_ADDR"); v != "" {
		cfg.ListenAddr = v
	}
	cfg.WaitPageTheme, cfg.WaitPageTemplate = getenv("WAIT_PAGE_THEME"), getenv("WAIT_PAGE_TEMPLATE")
	bots := DefaultBots
	if v := getenv("BOT_USER_AGENTS"); v != "" {
		bots = v
	}
	if bots != "-" {
		re, err := regexp.Compile(bots)
		if err != nil {
			return Config{}, fieldErr("BOT_USER_AGENTS", "not a regular expression: %v", err)
		}
		cfg.Bots = re
	}
	cfg.HeadWakes = true
	if v := strings.TrimSpace(getenv("HEAD_WAKES")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fieldErr("HEAD_WAKES", "%q is not true or false", v)
		}
		cfg.HeadWakes = b
	}
	var err error
	if cfg.RequestHold, err = millis(getenv, "WAIT_MS", 0, 0, 3_600_000); err != nil {
		return Config{}, err
	}
	cfg.RequestHold = min(cfg.RequestHold, maxRequestHold)
	if cfg.ProbeTimeout, err = millis(getenv, "PROBE_TIMEOUT_MS", DefaultProbeTimeout, 50, 10_000); err != nil {
		return Config{}, err
	}
	if cfg.ObserveTTL, err = millis(getenv, "OBSERVE_TTL_MS", DefaultObserveTTL, 100, 60_000); err != nil {
		return Config{}, err
	}
	if raw := strings.TrimSpace(getenv("OBSERVE_PER_SECOND")); raw != "" {
		f, err := strconv.ParseFloat(raw, 64)
		// Written so that NaN, which fails every comparison, is refused too.
		if err != nil || !(f >= 0.05 && f <= 100) {
			return Config{}, fieldErr("OBSERVE_PER_SECOND", "must be a number between 0.05 and 100, got %q", raw)
		}
		cfg.ObservePerSecond = f
	}
	if key := getenv("TOKEN_KEY"); key != "" {
		if len(key) < MinTokenKey {
			return Config{}, fieldErr("TOKEN_KEY", "must be at least %d characters (a random string; Terraform generates one)", MinTokenKey)
		}
		cfg.TokenKey = []byte(key)
	}
	if v := strings.TrimSpace(getenv("PROBE_ALLOWED_NETWORKS")); v != "" {
		for _, part := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(part))
			if err != nil {
				return Config{}, fieldErr("PROBE_ALLOWED_NETWORKS", "%q is not a CIDR block such as 127.0.0.0/8", part)
			}
			cfg.ProbeAllowed = append(cfg.ProbeAllowed, p)
		}
	}

	list, file, object := getenv("SERVICES"), getenv("SERVICES_FILE"), strings.TrimSpace(getenv("SERVICES_S3"))
	if n := btoi(list != "") + btoi(file != "") + btoi(object != ""); n > 1 {
		return Config{}, fieldErr("SERVICES", "set one of SERVICES, SERVICES_FILE and SERVICES_S3, not %d", n)
	}
	if object == "" && getenv("SERVICES_S3_VERSION") != "" {
		return Config{}, fieldErr("SERVICES_S3_VERSION", "only used with SERVICES_S3")
	}
	switch {
	case object != "":
		loc, err := parseObjectLocation(object)
		if err != nil {
			return Config{}, err
		}
		loc.Version = strings.TrimSpace(getenv("SERVICES_S3_VERSION"))
		if objects == nil {
			return Config{}, fieldErr("SERVICES_S3", "cannot be read here (no S3 client)")
		}
		data, err := objects(loc)
		if err != nil {
			return Config{}, fieldErr("SERVICES_S3", "cannot read %s: %v", loc, err)
		}
		cfg.Services, err = parseList(data, "SERVICES_S3", getenv)
		if err != nil {
			return Config{}, err
		}
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return Config{}, fieldErr("SERVICES_FILE", "cannot read %s: %v", file, err)
		}
		cfg.Services, err = parseList(data, "SERVICES_FILE", getenv)
		if err != nil {
			return Config{}, err
		}
	case list != "":
		cfg.Services, err = parseList([]byte(list), "SERVICES", getenv)
		if err != nil {
			return Config{}, err
		}
	default:
		svc, err := single(getenv)
		if err != nil {
			return Config{}, err
		}
		cfg.Services = []Service{svc}
	}
	return cfg, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseObjectLocation reads s3://BUCKET/KEY. Bucket names are 3 to 63
// lowercase letters, digits, dots and hyphens; keys are at most 1,024 bytes.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
func parseObjectLocation(v string) (ObjectLocation, error) {
	rest, ok := strings.CutPrefix(v, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	if !ok || !bucketName.MatchString(bucket) || key == "" || len(key) > 1024 {
		return ObjectLocation{}, fieldErr("SERVICES_S3", "%q is not an S3 object such as s3://my-bucket/services.json", v)
	}
	return ObjectLocation{Bucket: bucket, Key: key}, nil
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

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
	return s.validate("", getenv)
}

func parseList(data []byte, field string, getenv func(string) string) ([]Service, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var raw []serviceJSON
	if err := dec.Decode(&raw); err != nil {
		return nil, fieldErr(field, "not a JSON list of services: %v", err)
	}
	if len(raw) == 0 {
		return nil, fieldErr(field, "the list is empty; name at least one service")
	}
	out := make([]Service, 0, len(raw))
	ids := map[string]int{}
	routes := map[string]int{}
	for i, r := range raw {
		prefix := fmt.Sprintf("%s[%d].", field, i)
		svc, err := r.validate(prefix, getenv)
		if err != nil {
			return nil, err
		}
		if j, dup := ids[svc.ID()]; dup {
			return nil, fieldErr(prefix+"name", "service %s is already listed at index %d", svc.ID(), j)
		}
		ids[svc.ID()] = i
		route := svc.Host + svc.PathPrefix
		if j, dup := routes[route]; dup {
			return nil, fieldErr(prefix+"host", "same route (host %q, pathPrefix %q) as index %d; give each service its own host or path prefix", svc.Host, svc.PathPrefix, j)
		}
		routes[route] = i
		out = append(out, svc)
	}
	return out, nil
}

func (r serviceJSON) validate(prefix string, getenv func(string) string) (Service, error) {
	name := func(jsonName, envName string) string {
		if prefix == "" {
			return envName
		}
		return prefix + jsonName
	}
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
	if s.Name == "" {
		return Service{}, fieldErr(name("name", "SERVICE_NAME"), "required")
	}
	if s.Cluster == "" {
		return Service{}, fieldErr(name("cluster", "CLUSTER_NAME"), "required (per service, or CLUSTER_NAME for all)")
	}
	if r.Port != nil {
		if *r.Port < 1 || *r.Port > 65535 {
			return Service{}, fieldErr(name("port", "APP_PORT"), "must be between 1 and 65535, got %d", *r.Port)
		}
		s.Port = *r.Port
	}
	if s.Scheme == "" {
		s.Scheme = "http"
	}
	if s.Scheme != "http" && s.Scheme != "https" {
		return Service{}, fieldErr(name("scheme", "APP_SCHEME"), "must be http or https, got %q", r.Scheme)
	}
	if s.HealthPath != "" && (!strings.HasPrefix(s.HealthPath, "/") || strings.HasPrefix(s.HealthPath, "//")) {
		return Service{}, fieldErr(name("healthPath", "HEALTH_PATH"), "must be a path starting with a single /, got %q", r.HealthPath)
	}
	if s.PathPrefix != "" && !strings.HasPrefix(s.PathPrefix, "/") {
		return Service{}, fieldErr(name("pathPrefix", "PATH_PREFIX"), "must start with /, got %q", r.PathPrefix)
	}
	if s.PathPrefix == "/_wake" || strings.HasPrefix(s.PathPrefix, "/_wake/") {
		return Service{}, fieldErr(name("pathPrefix", "PATH_PREFIX"), "/_wake is reserved for the controller's own routes")
	}
	if strings.ContainsAny(s.Host, "/ ") || (s.Host == "" && strings.TrimSpace(r.Host) != "") {
		return Service{}, fieldErr(name("host", "HOST"), "must be a host name such as app.example.com, got %q", r.Host)
	}
	// Visitors are matched on their Host without its port (and final dots, trimmed above).
	if _, _, err := net.SplitHostPort(s.Host); err == nil {
		return Service{}, fieldErr(name("host", "HOST"), "must be a host name without a port, such as app.example.com, got %q", r.Host)
	}
	if s.Address == "" {
		s.Address = AddressPublic
		if s.URL != "" {
			s.Address = AddressURL
		}
	}
	switch s.Address {
	case AddressPublic, AddressPrivate:
		if s.URL != "" {
			return Service{}, fieldErr(name("url", "APP_URL"), "only used with address %q", AddressURL)
		}
	case AddressURL:
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return Service{}, fieldErr(name("url", "APP_URL"), "must be an absolute http(s) URL without query, such as https://my-alb.example.com, got %q", s.URL)
		}
		s.URL = strings.TrimRight(s.URL, "/")
	default:
		return Service{}, fieldErr(name("address", "ADDRESS_MODE"), "must be %s, %s or %s, got %q", AddressPublic, AddressPrivate, AddressURL, r.Address)
	}
	if r.WakeCount != nil {
		if *r.WakeCount < 1 || *r.WakeCount > maxWakeCount {
			return Service{}, fieldErr(name("wakeCount", "WAKE_COUNT"), "must be between 1 and %d, got %d", maxWakeCount, *r.WakeCount)
		}
		s.WakeCount = int32(*r.WakeCount)
	}
	if r.WakeTimeoutSeconds != nil {
		if *r.WakeTimeoutSeconds < 10 || *r.WakeTimeoutSeconds > maxWakeTimeoutSeconds {
			return Service{}, fieldErr(name("wakeTimeoutSeconds", "WAKE_TIMEOUT_SECONDS"), "must be between 10 and %d, got %d", maxWakeTimeoutSeconds, *r.WakeTimeoutSeconds)
		}
		s.WakeTimeout = time.Duration(*r.WakeTimeoutSeconds) * time.Second
	}
	var err error
	if s.Sleep, err = r.sleepJSON.validate(name); err != nil {
		return Service{}, err
	}
	return s, nil
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
		for _, part := range strings.Split(raw, ";") {
			s.KeepWarm = append(s.KeepWarm, strings.TrimSpace(part))
		}
	}
	if ns, name := getenv("METRIC_NAMESPACE"), getenv("METRIC_NAME"); ns != "" || name != "" {
		m := &Metric{Namespace: ns, Name: name, Statistic: getenv("METRIC_STATISTIC"), MissingData: getenv("METRIC_MISSING_DATA"), Dimensions: map[string]string{}}
		if raw := strings.TrimSpace(getenv("METRIC_DIMENSIONS")); raw != "" {
			for _, kv := range strings.Split(raw, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return fieldErr("METRIC_DIMENSIONS", "%q: want NAME=VALUE pairs separated by commas", kv)
				}
				m.Dimensions[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		s.Metric = m
	}
	return nil
}

func millis(getenv func(string) string, field string, def time.Duration, lo, hi int) (time.Duration, error) {
	raw := strings.TrimSpace(getenv(field))
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fieldErr(field, "%q is not a whole number of milliseconds", raw)
	}
	if n < lo || n > hi {
		return 0, fieldErr(field, "must be between %d and %d milliseconds, got %d", lo, hi, n)
	}
	return time.Duration(n) * time.Millisecond, nil
}
