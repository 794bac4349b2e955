package config

import (
	"strings"
	"time"
)

// Idle signals: what tells Auto-Sleep that a service is unused.
const (
	// SignalNetwork is Container Insights' network traffic of the service
	// (NetworkRxBytes plus NetworkTxBytes, in Bytes/Second as Container Insights
	// publishes them): it sees long-lived connections too. Missing data is
	// "unknown", never idle.
	SignalNetwork = "network"
	// SignalRequests is an Application Load Balancer's RequestCount for a target
	// group (with the load balancer: ALB publishes no RequestCount by target
	// group alone), plus its open client connections. Missing data means none.
	SignalRequests = "requests"
	// SignalCPU is AWS/ECS CPUUtilization of the service. Missing data is "unknown".
	SignalCPU = "cpu"
	// SignalCustom is any CloudWatch metric; missing data is "unknown" unless configured as idle.
	SignalCustom = "custom"
	// SignalUptime is no signal at all: the service sleeps a fixed time after it woke,
	// as the reference design did, however busy it is.
	SignalUptime = "uptime"
)

// Defaults of the sleep policy.
const (
	DefaultGrace = 5 * time.Minute
	// DefaultNetworkThreshold is in bytes/second received plus sent by all the
	// service's tasks, Container Insights' unit. Measured on the wire (make
	// bench-traffic): one small request a minute on a new connection is 781
	// bytes, 13 bytes/second in its minute's datapoint; a WebSocket heartbeat
	// (ping and pong) 112 bytes, so one a minute is 1.9 bytes/second; a task
	// nobody uses moves nothing.
	DefaultNetworkThreshold = 1
	DefaultCPUThreshold     = 5 // percent, the highest minute
)

// SleepPolicy says when Auto-Sleep may put a service to sleep.
type SleepPolicy struct {
	Signal string
	// Window is how long the service must have been idle (SLEEP_AFTER_MINUTES).
	Window time.Duration
	// Threshold: bytes/second in every minute (network), requests in the
	// window (requests), percent in every minute (cpu), or the metric's own
	// unit in every minute (custom). At or below it is idle.
	Threshold float64
	// TargetGroup and LoadBalancer are the dimensions of the requests signal
	// ("targetgroup/NAME/ID", "app/NAME/ID").
	TargetGroup, LoadBalancer string
	// CountConnections: the requests signal also counts the load balancer's
	// open client connections as use (a WebSocket makes one request and then
	// none). On by default; off when other services share the load balancer.
	CountConnections bool
	// Metric is the custom signal's metric.
	Metric Metric
	// Grace is how long after a wake the service is kept whatever the signal says.
	Grace time.Duration
	// KeepWarm are windows in which the service is never put to sleep.
	KeepWarm []Window
	// Location is the time zone of KeepWarm and SleepAt.
	Location *time.Location
	// SleepAt is the daily forced sleep time in minutes after midnight, or -1.
	SleepAt int
}

// Metric is a custom CloudWatch metric.
type Metric struct {
	Namespace     string            `json:"namespace"`
	Name          string            `json:"name"`
	Dimensions    map[string]string `json:"dimensions"`
	Statistic     string            `json:"statistic"`
	MissingIsIdle bool              `json:"-"`
	MissingData   string            `json:"missingData"`
}

// sleepJSON is the part of a service entry about sleeping.
type sleepJSON struct {
	SleepAfterMinutes *int     `json:"sleepAfterMinutes"`
	IdleSignal        string   `json:"idleSignal"`
	IdleThreshold     *float64 `json:"idleThreshold"`
	TargetGroup       string   `json:"targetGroup"`
	LoadBalancer      string   `json:"loadBalancer"`
	CountConnections  *bool    `json:"countConnections"`
	Metric            *Metric  `json:"metric"`
	GraceMinutes      *int     `json:"graceMinutes"`
	KeepWarm          []string `json:"keepWarm"`
	Timezone          string   `json:"timezone"`
	SleepAt           string   `json:"sleepAt"`
}

var (
	sleepAfterSetting   = named{"sleepAfterMinutes", "SLEEP_AFTER_MINUTES"}
	graceSetting        = named{"graceMinutes", "GRACE_MINUTES"}
	thresholdSetting    = named{"idleThreshold", "IDLE_THRESHOLD"}
	signalSetting       = named{"idleSignal", "IDLE_SIGNAL"}
	targetGroupSetting  = named{"targetGroup", "TARGET_GROUP"}
	loadBalancerSetting = named{"loadBalancer", "LOAD_BALANCER"}
	metricSetting       = named{"metric", "METRIC_NAME"}
	statisticSetting    = named{"metric.statistic", "METRIC_STATISTIC"}
	missingDataSetting  = named{"metric.missingData", "METRIC_MISSING_DATA"}
	dimensionsSetting   = named{"metric.dimensions", "METRIC_DIMENSIONS"}
	timezoneSetting     = named{"timezone", "TIMEZONE"}
	keepWarmSetting     = named{"keepWarm", "KEEP_WARM"}
	sleepAtSetting      = named{"sleepAt", "SLEEP_AT"}
)

// sleepChecks check one setting each, in this order, and complete the policy with it.
var sleepChecks = []func(p *SleepPolicy, r sleepJSON) *problem{
	checkSleepAfter, checkGrace, checkThresholdSign, checkSignal, checkTimezone, checkKeepWarm, checkSleepAt,
}

// policy turns the sleep settings into a SleepPolicy, or says which is at fault.
func (r sleepJSON) policy() (SleepPolicy, *problem) {
	p := SleepPolicy{Signal: strings.ToLower(strings.TrimSpace(r.IdleSignal)), Window: DefaultSleepAfter, Grace: DefaultGrace, SleepAt: -1, Location: time.UTC}
	if p.Signal == "" {
		p.Signal = SignalNetwork
	}
	for _, check := range sleepChecks {
		if prob := check(&p, r); prob != nil {
			return p, prob
		}
	}
	return p, nil
}

func checkSleepAfter(p *SleepPolicy, r sleepJSON) *problem {
	if r.SleepAfterMinutes == nil {
		return nil
	}
	if *r.SleepAfterMinutes < 1 || *r.SleepAfterMinutes > 7*24*60 {
		return sleepAfterSetting.invalid("must be between 1 and %d, got %d", 7*24*60, *r.SleepAfterMinutes)
	}
	p.Window = time.Duration(*r.SleepAfterMinutes) * time.Minute
	return nil
}

func checkGrace(p *SleepPolicy, r sleepJSON) *problem {
	if r.GraceMinutes == nil {
		return nil
	}
	if *r.GraceMinutes < 0 || *r.GraceMinutes > 24*60 {
		return graceSetting.invalid("must be between 0 and %d, got %d", 24*60, *r.GraceMinutes)
	}
	p.Grace = time.Duration(*r.GraceMinutes) * time.Minute
	return nil
}

func checkThresholdSign(_ *SleepPolicy, r sleepJSON) *problem {
	if r.IdleThreshold != nil && *r.IdleThreshold < 0 {
		return thresholdSetting.invalid("must not be negative, got %v", *r.IdleThreshold)
	}
	return nil
}

// signals read each signal's own settings and set its default threshold.
var signals = map[string]func(p *SleepPolicy, r sleepJSON) *problem{
	SignalNetwork:  func(p *SleepPolicy, _ sleepJSON) *problem { p.Threshold = DefaultNetworkThreshold; return nil },
	SignalRequests: requestsSignal,
	SignalCPU:      func(p *SleepPolicy, _ sleepJSON) *problem { p.Threshold = DefaultCPUThreshold; return nil },
	SignalCustom:   customSignal,
	SignalUptime:   func(*SleepPolicy, sleepJSON) *problem { return nil },
}

func checkSignal(p *SleepPolicy, r sleepJSON) *problem {
	read, ok := signals[p.Signal]
	if !ok {
		return signalSetting.invalid("must be network, requests, cpu, custom or uptime, got %q", r.IdleSignal)
	}
	if prob := read(p, r); prob != nil {
		return prob
	}
	if r.IdleThreshold != nil {
		p.Threshold = *r.IdleThreshold
	}
	return nil
}

func requestsSignal(p *SleepPolicy, r sleepJSON) *problem {
	if r.TargetGroup == "" {
		return targetGroupSetting.invalid("required with the requests signal: the target group's ARN suffix, such as targetgroup/web/0123456789abcdef")
	}
	if !strings.HasPrefix(r.TargetGroup, "targetgroup/") {
		return targetGroupSetting.invalid("must be the ARN suffix targetgroup/NAME/ID, got %q", r.TargetGroup)
	}
	// ALB publishes RequestCount by LoadBalancer and TargetGroup together, never by
	// TargetGroup alone: without the load balancer the query finds nothing, which
	// would read as "no requests" for a busy service.
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
	if r.LoadBalancer == "" {
		return loadBalancerSetting.invalid("required with the requests signal: ALB publishes RequestCount by load balancer and target group together, never by target group alone; give the load balancer's ARN suffix, such as app/web/0123456789abcdef")
	}
	if !strings.HasPrefix(r.LoadBalancer, "app/") {
		return loadBalancerSetting.invalid("must be the ARN suffix app/NAME/ID, got %q", r.LoadBalancer)
	}
	p.TargetGroup, p.LoadBalancer = r.TargetGroup, r.LoadBalancer
	p.CountConnections = r.CountConnections == nil || *r.CountConnections
	return nil
}

// maxDimensions is how many dimensions a CloudWatch metric has at most.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Metric.html
const maxDimensions = 30

// customSignal reads the custom metric. The statistics are the ones
// GetMetricData takes by these names.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
func customSignal(p *SleepPolicy, r sleepJSON) *problem {
	if r.Metric == nil || r.Metric.Namespace == "" || r.Metric.Name == "" {
		return metricSetting.invalid("the custom signal needs a metric with namespace and name")
	}
	if r.IdleThreshold == nil {
		return thresholdSetting.invalid("required with the custom signal")
	}
	m := *r.Metric
	if m.Statistic == "" {
		m.Statistic = "Sum"
	}
	switch m.Statistic {
	case "Sum", "Average", "Maximum", "Minimum", "SampleCount":
	default:
		return statisticSetting.invalid("must be Sum, Average, Maximum, Minimum or SampleCount, got %q", m.Statistic)
	}
	switch strings.ToLower(m.MissingData) {
	case "", "unknown":
	case "idle":
		m.MissingIsIdle = true
	default:
		return missingDataSetting.invalid("must be unknown or idle, got %q", m.MissingData)
	}
	if len(m.Dimensions) > maxDimensions {
		return dimensionsSetting.invalid("at most %d dimensions", maxDimensions)
	}
	p.Metric = m
	return nil
}

func checkTimezone(p *SleepPolicy, r sleepJSON) *problem {
	if r.Timezone == "" {
		return nil
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return timezoneSetting.invalid("unknown time zone %q (use an IANA name such as Europe/Berlin)", r.Timezone)
	}
	p.Location = loc
	return nil
}

func checkKeepWarm(p *SleepPolicy, r sleepJSON) *problem {
	for i, spec := range r.KeepWarm {
		w, err := parseWindow(spec)
		if err != nil {
			return keepWarmSetting.index(i).invalid("%v", err)
		}
		p.KeepWarm = append(p.KeepWarm, w)
	}
	return nil
}

func checkSleepAt(p *SleepPolicy, r sleepJSON) *problem {
	if r.SleepAt == "" {
		return nil
	}
	m, err := parseClock(r.SleepAt)
	if err != nil {
		return sleepAtSetting.invalid("%v", err)
	}
	if m == 24*60 {
		// The day never reaches 24:00: such a sleep time would never come.
		return sleepAtSetting.invalid("24:00 is never reached; use 00:00 or 23:59")
	}
	p.SleepAt = m
	return nil
}
