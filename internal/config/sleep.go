package config

import (
	"fmt"
	"strconv"
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

// Window is a weekly time window: on Days, from From to To (minutes after midnight).
type Window struct {
	Days     [7]bool // indexed by time.Weekday
	From, To int
}

// Contains reports whether t (in the window's time zone) falls inside.
func (w Window) Contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.From <= w.To {
		return w.Days[t.Weekday()] && m >= w.From && m < w.To
	}
	// Over midnight: the part after midnight belongs to the day before.
	if m >= w.From {
		return w.Days[t.Weekday()]
	}
	return m < w.To && w.Days[(t.Weekday()+6)%7]
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

func (r sleepJSON) validate(name func(jsonName, envName string) string) (SleepPolicy, error) {
	p := SleepPolicy{Signal: strings.ToLower(strings.TrimSpace(r.IdleSignal)), Window: DefaultSleepAfter, Grace: DefaultGrace, SleepAt: -1, Location: time.UTC}
	if p.Signal == "" {
		p.Signal = SignalNetwork
	}
	if r.SleepAfterMinutes != nil {
		if *r.SleepAfterMinutes < 1 || *r.SleepAfterMinutes > 7*24*60 {
			return p, fieldErr(name("sleepAfterMinutes", "SLEEP_AFTER_MINUTES"), "must be between 1 and %d, got %d", 7*24*60, *r.SleepAfterMinutes)
		}
		p.Window = time.Duration(*r.SleepAfterMinutes) * time.Minute
	}
	if r.GraceMinutes != nil {
		if *r.GraceMinutes < 0 || *r.GraceMinutes > 24*60 {
			return p, fieldErr(name("graceMinutes", "GRACE_MINUTES"), "must be between 0 and %d, got %d", 24*60, *r.GraceMinutes)
		}
		p.Grace = time.Duration(*r.GraceMinutes) * time.Minute
	}
	thresholdField := name("idleThreshold", "IDLE_THRESHOLD")
	if r.IdleThreshold != nil && *r.IdleThreshold < 0 {
		return p, fieldErr(thresholdField, "must not be negative, got %v", *r.IdleThreshold)
	}
	switch p.Signal {
	case SignalNetwork:
		p.Threshold = DefaultNetworkThreshold
	case SignalRequests:
		if r.TargetGroup == "" {
			return p, fieldErr(name("targetGroup", "TARGET_GROUP"), "required with the requests signal: the target group's ARN suffix, such as targetgroup/web/0123456789abcdef")
		}
		if !strings.HasPrefix(r.TargetGroup, "targetgroup/") {
			return p, fieldErr(name("targetGroup", "TARGET_GROUP"), "must be the ARN suffix targetgroup/NAME/ID, got %q", r.TargetGroup)
		}
		// ALB publishes RequestCount by LoadBalancer and TargetGroup together, never by
		// TargetGroup alone: without the load balancer the query finds nothing, which
		// would read as "no requests" for a busy service.
		// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
		if r.LoadBalancer == "" {
			return p, fieldErr(name("loadBalancer", "LOAD_BALANCER"), "required with the requests signal: ALB publishes RequestCount by load balancer and target group together, never by target group alone; give the load balancer's ARN suffix, such as app/web/0123456789abcdef")
		}
		if !strings.HasPrefix(r.LoadBalancer, "app/") {
			return p, fieldErr(name("loadBalancer", "LOAD_BALANCER"), "must be the ARN suffix app/NAME/ID, got %q", r.LoadBalancer)
		}
		p.TargetGroup, p.LoadBalancer = r.TargetGroup, r.LoadBalancer
		p.CountConnections = r.CountConnections == nil || *r.CountConnections
	case SignalCPU:
		p.Threshold = DefaultCPUThreshold
	case SignalCustom:
		m := r.Metric
		field := name("metric", "METRIC_NAME")
		if m == nil || m.Namespace == "" || m.Name == "" {
			return p, fieldErr(field, "the custom signal needs a metric with namespace and name")
		}
		if r.IdleThreshold == nil {
			return p, fieldErr(thresholdField, "required with the custom signal")
		}
		if m.Statistic == "" {
			m.Statistic = "Sum"
		}
		switch m.Statistic {
		case "Sum", "Average", "Maximum", "Minimum", "SampleCount":
		default:
			return p, fieldErr(name("metric.statistic", "METRIC_STATISTIC"), "must be Sum, Average, Maximum, Minimum or SampleCount, got %q", m.Statistic)
		}
		switch strings.ToLower(m.MissingData) {
		case "", "unknown":
		case "idle":
			m.MissingIsIdle = true
		default:
			return p, fieldErr(name("metric.missingData", "METRIC_MISSING_DATA"), "must be unknown or idle, got %q", m.MissingData)
		}
		if len(m.Dimensions) > 30 {
			return p, fieldErr(name("metric.dimensions", "METRIC_DIMENSIONS"), "at most 30 dimensions")
		}
		p.Metric = *m
	case SignalUptime:
	default:
		return p, fieldErr(name("idleSignal", "IDLE_SIGNAL"), "must be network, requests, cpu, custom or uptime, got %q", r.IdleSignal)
	}
	if r.IdleThreshold != nil {
		p.Threshold = *r.IdleThreshold
	}
	if r.Timezone != "" {
		loc, err := time.LoadLocation(r.Timezone)
		if err != nil {
			return p, fieldErr(name("timezone", "TIMEZONE"), "unknown time zone %q (use an IANA name such as Europe/Berlin)", r.Timezone)
		}
		p.Location = loc
	}
	for i, spec := range r.KeepWarm {
		w, err := parseWindow(spec)
		if err != nil {
			return p, fieldErr(fmt.Sprintf("%s[%d]", name("keepWarm", "KEEP_WARM"), i), "%v", err)
		}
		p.KeepWarm = append(p.KeepWarm, w)
	}
	if r.SleepAt != "" {
		m, err := parseClock(r.SleepAt)
		if err != nil {
			return p, fieldErr(name("sleepAt", "SLEEP_AT"), "%v", err)
		}
		if m == 24*60 {
			// The day never reaches 24:00: such a sleep time would never come.
			return p, fieldErr(name("sleepAt", "SLEEP_AT"), "24:00 is never reached; use 00:00 or 23:59")
		}
		p.SleepAt = m
	}
	return p, nil
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// parseWindow reads "mon-fri 08:00-18:00", "sat,sun 10:00-12:00" or "daily 22:00-02:00".
func parseWindow(spec string) (Window, error) {
	var w Window
	days, hours, ok := strings.Cut(strings.TrimSpace(strings.ToLower(spec)), " ")
	if !ok {
		return w, fmt.Errorf("%q: want days and hours, such as \"mon-fri 08:00-18:00\"", spec)
	}
	if days == "daily" || days == "every" {
		days = "sun-sat"
	}
	for _, part := range strings.Split(days, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := dayNames[from]
		if !ok {
			return w, fmt.Errorf("%q: unknown day %q (use mon, tue, wed, thu, fri, sat, sun)", spec, from)
		}
		b := a
		if isRange {
			if b, ok = dayNames[to]; !ok {
				return w, fmt.Errorf("%q: unknown day %q", spec, to)
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			w.Days[d] = true
			if d == b {
				break
			}
		}
	}
	from, to, ok := strings.Cut(strings.TrimSpace(hours), "-")
	if !ok {
		return w, fmt.Errorf("%q: want hours such as 08:00-18:00", spec)
	}
	var err error
	if w.From, err = parseClock(from); err != nil {
		return w, fmt.Errorf("%q: %v", spec, err)
	}
	if w.From == 24*60 {
		return w, fmt.Errorf("%q: 24:00 only ends a window; start it at 00:00", spec)
	}
	if w.To, err = parseClock(to); err != nil {
		return w, fmt.Errorf("%q: %v", spec, err)
	}
	if w.From == w.To {
		return w, fmt.Errorf("%q: the window is empty", spec)
	}
	return w, nil
}

// parseClock reads "HH:MM" (24 hours; "24:00" is the end of the day).
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day such as 18:30", s)
	}
	return hh*60 + mm, nil
}
