package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

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
		Bots:             defaultBots,
		HeadWakes:        true,
		LogLevel:         slog.LevelInfo,
		MetricsNamespace: DefaultMetricsNamespace,
	}
	for _, s := range settings {
		if err := s.read(&cfg, getenv); err != nil {
			return Config{}, err
		}
	}
	services, err := readServices(getenv, objects)
	if err != nil {
		return Config{}, err
	}
	cfg.Services = services
	return cfg, nil
}

// setting is one variable of the whole function.
type setting struct {
	name string
	// asWritten: the value is taken as written; otherwise it is trimmed of
	// spaces first. Either way an empty value keeps the default.
	asWritten bool
	// set reads a value into c, or says what is wrong with it.
	set func(c *Config, v string) error
}

func (s setting) read(c *Config, getenv func(string) string) error {
	v := getenv(s.name)
	if !s.asWritten {
		v = strings.TrimSpace(v)
	}
	if v == "" {
		return nil
	}
	if err := s.set(c, v); err != nil {
		return &FieldError{Field: s.name, Reason: err.Error(), Err: errors.Unwrap(err)}
	}
	return nil
}

// settings are the variables read whichever way the services are given.
var settings = []setting{
	{name: "LISTEN_ADDR", asWritten: true, set: func(c *Config, v string) error { c.ListenAddr = v; return nil }},
	{name: "WAIT_PAGE_THEME", asWritten: true, set: func(c *Config, v string) error { c.WaitPageTheme = v; return nil }},
	{name: "WAIT_PAGE_TEMPLATE", asWritten: true, set: func(c *Config, v string) error { c.WaitPageTemplate = v; return nil }},
	{name: "BOT_USER_AGENTS", asWritten: true, set: setBots},
	{name: "HEAD_WAKES", set: boolean(func(c *Config) *bool { return &c.HeadWakes })},
	{name: "WAIT_MS", set: millis(0, 3_600_000, func(c *Config, d time.Duration) { c.RequestHold = min(d, maxRequestHold) })},
	{name: "PROBE_TIMEOUT_MS", set: millis(50, 10_000, func(c *Config, d time.Duration) { c.ProbeTimeout = d })},
	{name: "OBSERVE_TTL_MS", set: millis(100, 60_000, func(c *Config, d time.Duration) { c.ObserveTTL = d })},
	{name: "OBSERVE_PER_SECOND", set: setObservePerSecond},
	{name: "TOKEN_KEY", asWritten: true, set: setTokenKey},
	{name: "PROBE_ALLOWED_NETWORKS", set: setProbeAllowed},
	{name: "LOG_LEVEL", set: setLogLevel},
	{name: "DRY_RUN", set: boolean(func(c *Config) *bool { return &c.DryRun })},
	{name: "EVALUATE_EVERY", set: setEvaluateEvery},
	{name: "PRICES", set: setPrices},
	{name: "METRICS_NAMESPACE", asWritten: true, set: setMetricsNamespace},
	{name: "METRICS", set: setMetrics},
	// Lambda sets it for custom runtimes such as provided.al2023.
	// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
	{name: "AWS_LAMBDA_RUNTIME_API", asWritten: true, set: func(c *Config, _ string) error { c.InLambda = true; return nil }},
	// The SDK's endpoint overrides, for every service or for CloudWatch alone.
	// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
	{name: "AWS_ENDPOINT_URL", asWritten: true, set: setEmulator},
	{name: "AWS_ENDPOINT_URL_CLOUDWATCH", asWritten: true, set: setEmulator},
}

var defaultBots = regexp.MustCompile(DefaultBots)

// setBots reads a regular expression of user agents, or "-" for none.
func setBots(c *Config, v string) error {
	if v == "-" {
		c.Bots = nil
		return nil
	}
	re, err := regexp.Compile(v)
	if err != nil {
		return fmt.Errorf("not a regular expression: %w", err)
	}
	c.Bots = re
	return nil
}

func boolean(dst func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*dst(c) = b
		return nil
	}
}

// millis reads a whole number of milliseconds between lo and hi.
func millis(lo, hi int, set func(*Config, time.Duration)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number of milliseconds", v)
		}
		if n < lo || n > hi {
			return fmt.Errorf("must be between %d and %d milliseconds, got %d", lo, hi, n)
		}
		set(c, time.Duration(n)*time.Millisecond)
		return nil
	}
}

func setObservePerSecond(c *Config, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	// Written so that NaN, which fails every comparison, is refused too.
	if err != nil || !(f >= 0.05 && f <= 100) {
		return fmt.Errorf("must be a number between 0.05 and 100, got %q", v)
	}
	c.ObservePerSecond = f
	return nil
}

func setTokenKey(c *Config, v string) error {
	if len(v) < MinTokenKey {
		return fmt.Errorf("must be at least %d characters (a random string; Terraform generates one)", MinTokenKey)
	}
	c.TokenKey = []byte(v)
	return nil
}

func setProbeAllowed(c *Config, v string) error {
	for part := range strings.SplitSeq(v, ",") {
		p, err := netip.ParsePrefix(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("%q is not a CIDR block such as 127.0.0.0/8", part)
		}
		c.ProbeAllowed = append(c.ProbeAllowed, p)
	}
	return nil
}

var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func setLogLevel(c *Config, v string) error {
	l, ok := logLevels[strings.ToLower(v)]
	if !ok {
		return fmt.Errorf("must be debug, info, warn or error, got %q", v)
	}
	c.LogLevel = l
	return nil
}

func setEvaluateEvery(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return fmt.Errorf("%q is not a duration of at least 1s, such as 30s", v)
	}
	c.EvaluateEvery = d
	return nil
}

func setEmulator(c *Config, _ string) error {
	c.Emulator = true
	return nil
}
