package activity

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
)

// unpublishedMinutes is how many of the newest complete minutes may not be in
// CloudWatch yet. Container Insights, ECS and ALB publish a minute's datapoint
// after the minute ends, and CloudWatch makes it readable with a delay of its
// own (a minute or two; AWS gives no bound). Those minutes are never taken as
// idle: a signal that publishes every minute must reach them before its window
// can end there; one that publishes only when not zero (ALB) ends its window
// before them, and counts them as use when they are already there.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Metric
const unpublishedMinutes = 2

// judge turns one service's datapoints into a verdict. It never calls a
// service idle on less evidence than its whole window: every minute of the
// window must be after the wake, and (for signals published every minute)
// have its datapoint.
func judge(req Request, now time.Time, ev evidence) Verdict {
	p := req.Policy
	switch p.Signal {
	case config.SignalNetwork:
		if req.insightsOff && len(ev.network()) == 0 {
			return Verdict{Unknown, fmt.Sprintf("no Container Insights network data: Container Insights is off for cluster %s, so this service never sleeps; turn it on: aws ecs update-cluster-settings --cluster %s --settings name=containerInsights,value=enabled", req.Cluster, req.Cluster)}
		}
		return judgeSeries(req, now, ev.network(), seriesText{
			data:      "Container Insights network",
			value:     func(v float64) string { return bytesPerSecond(v) },
			threshold: bytesPerSecond(p.Threshold),
			nothing:   fmt.Sprintf(" (is Container Insights on for cluster %s? aws ecs update-cluster-settings --cluster %s --settings name=containerInsights,value=enabled)", req.Cluster, req.Cluster),
		})
	case config.SignalCPU:
		v := judgeSeries(req, now, ev.value, seriesText{
			data:      "CPU",
			value:     func(v float64) string { return num(v) + "% CPU" },
			threshold: num(p.Threshold) + "%",
		})
		// A light web user costs next to no CPU: where Container Insights reports the
		// service's network, traffic above the network default is use too.
		from := now.UTC().Truncate(time.Minute).Add(-p.Window - unpublishedMinutes*time.Minute)
		if ts, peak, ok := peakSince(ev.network(), from); v.State == Idle && ok && peak > config.DefaultNetworkThreshold {
			return Verdict{Active, fmt.Sprintf("CPU is low, but the network moved %s in the minute at %s (above %s; CPU alone cannot see a light user)", bytesPerSecond(peak), clock(ts), bytesPerSecond(config.DefaultNetworkThreshold))}
		}
		return v
	case config.SignalCustom:
		name := p.Metric.Namespace + "/" + p.Metric.Name
		if p.Metric.MissingIsIdle {
			return judgeSparseMetric(req, now, ev, name)
		}
		return judgeSeries(req, now, ev.value, seriesText{
			data:      name,
			value:     func(v float64) string { return name + " " + num(v) },
			threshold: num(p.Threshold),
		})
	case config.SignalRequests:
		return judgeRequests(req, now, ev)
	}
	return Verdict{Unknown, "no metric signal"}
}

// seriesText words a signal published every minute.
type seriesText struct {
	data      string               // what the data is, for "no … data"
	value     func(float64) string // a minute's value
	threshold string
	nothing   string // appended when there is no datapoint at all
}

// judgeSeries judges a signal published every minute while the service runs:
// a missing minute is unknown, never idle. The window is the idle window's
// minutes up to the newest published one.
func judgeSeries(req Request, now time.Time, s minutes, txt seriesText) Verdict {
	p := req.Policy
	n := now.UTC().Truncate(time.Minute)
	// The window ends with the newest complete minute that has a datapoint; a
	// datapoint of the current minute or ahead of the clock counts as use only.
	var newest time.Time
	for ts := range s {
		if ts.Before(n) && ts.After(newest) {
			newest = ts
		}
	}
	if newest.IsZero() {
		why := fmt.Sprintf("no %s data in the last %d minutes", txt.data, int(p.Window/time.Minute)+unpublishedMinutes+1)
		if !req.Since.IsZero() && now.Sub(req.Since) > p.Window+(unpublishedMinutes+1)*time.Minute {
			why += txt.nothing
		}
		return Verdict{Unknown, why}
	}
	end := newest.Add(time.Minute)
	start := end.Add(-p.Window)
	if ts, v, ok := peakSince(s, start); ok && v > p.Threshold {
		return Verdict{Active, fmt.Sprintf("%s in the minute at %s, above the idle threshold of %s", txt.value(v), clock(ts), txt.threshold)}
	}
	if oldest := n.Add(-(unpublishedMinutes + 1) * time.Minute); newest.Before(oldest) {
		return Verdict{Unknown, fmt.Sprintf("the newest %s datapoint is for %s; the minutes since are not published, and an unpublished minute is never idle", txt.data, clock(newest))}
	}
	if v, ok := tooSoon(req, start, now); ok {
		return v
	}
	var missing []string
	for ts := start; ts.Before(end); ts = ts.Add(time.Minute) {
		if _, ok := s[ts]; !ok {
			missing = append(missing, clock(ts))
		}
	}
	if len(missing) > 0 {
		return Verdict{Unknown, fmt.Sprintf("no %s datapoint for %d of the %d minutes to %s (%s): a missing minute is never idle", txt.data, len(missing), int(p.Window/time.Minute), clock(end), list(missing))}
	}
	_, peak, _ := peakSince(s, start)
	return Verdict{Idle, fmt.Sprintf("at most %s in each of the %d minutes to %s (idle threshold %s)", txt.value(peak), int(p.Window/time.Minute), clock(end), txt.threshold)}
}

// sparseWindow is the window of a signal published only when not zero (ALB's
// RequestCount, a custom metric whose missing data is idle): a missing minute
// is zero, so the window ends before the minutes that may not be published
// yet; those count as use when they are there.
func sparseWindow(p config.SleepPolicy, now time.Time) (start, end time.Time) {
	end = now.UTC().Truncate(time.Minute).Add(-unpublishedMinutes * time.Minute)
	return end.Add(-p.Window), end
}

// judgeSparseMetric judges a custom metric whose missing minutes are idle: the highest minute against the threshold.
func judgeSparseMetric(req Request, now time.Time, ev evidence, name string) Verdict {
	p := req.Policy
	start, end := sparseWindow(p, now)
	if ts, v, ok := peakSince(ev.value, start); ok && v > p.Threshold {
		return Verdict{Active, fmt.Sprintf("%s reached %s in the minute at %s, above the idle threshold of %s", name, num(v), clock(ts), num(p.Threshold))}
	}
	if v, ok := tooSoon(req, start, now); ok {
		return v
	}
	minutesN := int(p.Window / time.Minute)
	if _, peak, ok := peakSince(ev.value, start); ok {
		return Verdict{Idle, fmt.Sprintf("%s at most %s in the %d minutes to %s (missing minutes count as idle, as configured)", name, num(peak), minutesN, clock(end))}
	}
	return Verdict{Idle, fmt.Sprintf("no %s datapoint in the %d minutes to %s (missing minutes count as idle, as configured)", name, minutesN, clock(end))}
}

// judgeRequests judges the load balancer's requests in the window against
// the threshold, and its open client connections as use.
func judgeRequests(req Request, now time.Time, ev evidence) Verdict {
	p := req.Policy
	start, end := sparseWindow(p, now)
	total := 0.0
	for ts, v := range ev.value {
		if !ts.Before(start) {
			total += v
		}
	}
	if total > p.Threshold {
		return Verdict{Active, fmt.Sprintf("%s requests through the load balancer since %s, above the idle threshold of %s", num(total), clock(start), num(p.Threshold))}
	}
	if ts, v, ok := peakSince(ev.connections, start); ok && v > 0 {
		return Verdict{Active, fmt.Sprintf("client connections open on load balancer %s in the minute at %s (a long-lived connection makes no new request; set countConnections to false if other services share the load balancer)", p.LoadBalancer, clock(ts))}
	}
	if v, ok := tooSoon(req, start, now); ok {
		return v
	}
	return Verdict{Idle, fmt.Sprintf("%s requests through the load balancer in the %d minutes to %s (idle threshold %s; datapoints of the last %d minutes may not be published yet and count when they are)", num(total), int(p.Window/time.Minute), clock(end), num(p.Threshold), unpublishedMinutes)}
}

// tooSoon: a window that starts before the wake is not evidence of idleness now.
func tooSoon(req Request, start, now time.Time) (Verdict, bool) {
	if req.Since.IsZero() {
		return Verdict{}, false
	}
	first := req.Since.UTC().Truncate(time.Minute)
	if first.Before(req.Since) {
		first = first.Add(time.Minute) // the minute of the wake is only partly the service's
	}
	if !start.Before(first) {
		return Verdict{}, false
	}
	w := int(req.Policy.Window / time.Minute)
	return Verdict{Unknown, fmt.Sprintf("woken %s ago: not enough data yet for a %d-minute window, which may start at %s at the earliest", ago(now.Sub(req.Since)), w, clock(first))}, true
}

// peakSince is the highest datapoint at or after from.
func peakSince(s minutes, from time.Time) (time.Time, float64, bool) {
	var at time.Time
	peak, found := math.Inf(-1), false
	for ts, v := range s {
		if !ts.Before(from) && (v > peak || (v == peak && ts.After(at))) {
			at, peak, found = ts, v, true
		}
	}
	return at, peak, found
}

// bytesPerSecond words a Container Insights rate with what it is a minute.
func bytesPerSecond(v float64) string {
	unit := "bytes/second"
	if v == 1 {
		unit = "byte/second"
	}
	return fmt.Sprintf("%s %s (%s bytes a minute)", num(v), unit, num(math.Round(v*60)))
}

func num(f float64) string {
	if f != math.Trunc(f) && math.Abs(f) < 1e6 {
		f = math.Round(f*100) / 100
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func clock(t time.Time) string { return t.UTC().Format("15:04 UTC") }

func list(s []string) string {
	if len(s) > 4 {
		return strings.Join(s[:4], ", ") + ", …"
	}
	return strings.Join(s, ", ")
}

func ago(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Minute {
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return d.String()
}
