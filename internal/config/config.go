// Package config is the one place the functions read their environment:
// the services they manage (the reference design's single-service variables,
// or a JSON list in SERVICES, SERVICES_FILE or an S3 object), and every other
// setting, validated at start so that a bad value stops the function with the
// setting's name and the reason (a *FieldError).
//
// The files hold: config.go the configuration's types; env.go the settings
// of the whole function; services.go where the services list comes from;
// single.go the single-service variables; validate.go one service's checks;
// sleep.go the sleep policy's; window.go keep-warm windows and times of day;
// prices.go the savings report's prices (PRICES).
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
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
	// DependsOn are the databases started before the service wakes and
	// stopped once every service that needs them sleeps.
	DependsOn []Dependency `json:"dependsOn,omitempty"`
	// Sleep is when Auto-Sleep may put the service to sleep.
	Sleep SleepPolicy `json:"-"`
}

// ID names the service uniquely across clusters.
func (s Service) ID() string { return s.Cluster + "/" + s.Name }

// Services are the configured services, in the order they were given.
type Services []Service

// ByName finds a service by its name or cluster/name, as operators name it
// in a direct invocation; with one service, an empty name picks it.
func (ss Services) ByName(name string) (Service, error) {
	if name == "" {
		if len(ss) == 1 {
			return ss[0], nil
		}
		return Service{}, fmt.Errorf("service is required: one of %s", strings.Join(ss.Names(), ", "))
	}
	for _, s := range ss {
		if s.Name == name || s.ID() == name {
			return s, nil
		}
	}
	return Service{}, fmt.Errorf("unknown service %q: one of %s", name, strings.Join(ss.Names(), ", "))
}

// Names lists the services' names.
func (ss Services) Names() []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}

// Config is everything a function needs to start.
type Config struct {
	Services Services
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
	// LogLevel is the least severe level logged (LOG_LEVEL: debug, info,
	// warn or error).
	LogLevel slog.Level
	// DryRun: Auto-Sleep's ticks say what they would do and change nothing
	// (DRY_RUN).
	DryRun bool
	// EvaluateEvery: outside Lambda, Auto-Sleep evaluates again every this
	// long (EVALUATE_EVERY); 0 evaluates once.
	EvaluateEvery time.Duration
	// Prices are the operator's prices for the savings report (PRICES), over the table's.
	Prices pricing.Override
	// MetricsNamespace is the CloudWatch namespace of the functions' metrics
	// (METRICS_NAMESPACE, default ScaleToZero); empty: metrics are off (METRICS=off).
	MetricsNamespace string
	// InLambda: the process runs under the Lambda runtime, which names its
	// Runtime API in AWS_LAMBDA_RUNTIME_API.
	InLambda bool
	// Emulator: an endpoint override is set (AWS_ENDPOINT_URL, or
	// AWS_ENDPOINT_URL_CLOUDWATCH), so the clients talk to an AWS emulator;
	// CloudWatch then speaks AWS JSON 1.0, since emulators do not speak the
	// SDK's default Smithy RPC v2 CBOR. The SDK reads the endpoints itself.
	Emulator bool
}

// DefaultBots matches the user agents of crawlers, link previews and uptime
// monitors. Generic HTTP libraries (curl, okhttp, Go's) are not in it: an
// app's own API clients use them and must wake it.
const DefaultBots = `(?i)bot\b|bot/|crawler|spider|slurp|facebookexternalhit|embedly|preview|uptime|pingdom|statuscake|site24x7|monitor|check_http|nagios|zabbix|datadog|newrelic|healthcheck`

// FieldError names the setting at fault and why.
type FieldError struct {
	Field  string
	Reason string
	// Err is the cause, when there is one beyond the value itself (a file
	// or an S3 object that cannot be read, the JSON decoder's error).
	Err error
}

func (e *FieldError) Error() string { return "invalid configuration: " + e.Field + ": " + e.Reason }

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// causedBy is a FieldError for a cause the reason repeats.
func causedBy(field string, cause error, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Err: cause}
}
