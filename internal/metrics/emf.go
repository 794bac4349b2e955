// Package metrics writes CloudWatch metrics in the Embedded Metric Format
// (EMF): JSON log lines that CloudWatch Logs turns into metrics by itself, so
// they cost no API call and need no IAM permission beyond writing logs.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
//
// A line is a normal JSON log line (time, level, msg, the function and the
// service) with a root member "_aws" that says which of its other root
// members are metrics and dimensions.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"
)

// Unit is a metric's unit.
type Unit string

// The units this package's metrics use.
const (
	Count   Unit = "Count"
	Seconds Unit = "Seconds"
)

// units are the units EMF accepts: CloudWatch's own (MetricDatum's Unit).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
var units = map[Unit]bool{}

func init() {
	for _, u := range []Unit{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
		"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
		"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
		"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
		"Count/Second", "None"} {
		units[u] = true
	}
}

// Limits of one MetricDirective, from the specification: at most 100 metrics,
// and at most 30 dimension keys in a dimension set.
const (
	maxMetrics    = 100
	maxDimensions = 30
)

// Metric is one value.
type Metric struct {
	Name  string
	Unit  Unit
	Value float64
}

// Dim is a dimension's name and value.
type Dim struct {
	Name, Value string
}

// Directive is metrics and the dimension sets CloudWatch publishes them under
// (each set is one metric per distinct value combination: one bill line).
type Directive struct {
	Sets    [][]string
	Metrics []Metric
}

// Record is one EMF line: the dimensions' values, the directives, and
// properties that are searchable in Logs Insights but no dimension.
type Record struct {
	Dims       []Dim
	Directives []Directive
	Props      []slog.Attr
}

// Emitter writes records through a JSON logger. A nil *Emitter writes
// nothing: metrics are off.
type Emitter struct {
	log       *slog.Logger
	namespace string
	function  string
	now       func() time.Time

	mu      sync.Mutex
	tallies []*Tally
}

// New returns an Emitter writing to log (a JSON logger) in namespace, for the
// named function; an empty namespace turns metrics off (nil).
func New(log *slog.Logger, namespace, function string) *Emitter {
	if namespace == "" {
		return nil
	}
	return &Emitter{log: log, namespace: namespace, function: function, now: time.Now}
}

// Function is the dimensions of a metric about the whole function.
func (e *Emitter) Function() []Dim {
	if e == nil {
		return nil
	}
	return []Dim{{DimFunction, e.function}}
}

// Emit writes one record. A record that breaks the specification is a bug:
// it is not written, and the error is logged instead.
func (e *Emitter) Emit(ctx context.Context, r Record) {
	if e == nil {
		return
	}
	attrs, err := e.attrs(r)
	if err != nil {
		e.log.Error("metric not written", "error", err)
		return
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "metrics", attrs...)
}

// metadata is the "_aws" member.
type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

type definition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit"`
}

// reserved are the root members every log line has already.
var reserved = []string{"_aws", slog.TimeKey, slog.LevelKey, slog.MessageKey, "function", "services", "service", "cluster"}

// attrs builds the line's members: "_aws", then the dimensions' and metrics'
// values (target members), the properties, and the service's name as every
// line about one service carries it.
func (e *Emitter) attrs(r Record) ([]slog.Attr, error) {
	taken := map[string]bool{}
	for _, k := range reserved {
		taken[k] = true
	}
	claim := func(name string) error {
		if taken[name] {
			return fmt.Errorf("member %q twice on one line", name)
		}
		taken[name] = true
		return nil
	}
	meta := metadata{Timestamp: e.now().UnixMilli()}
	var attrs []slog.Attr
	dims := map[string]string{}
	for _, d := range r.Dims {
		if err := checkDim(d); err != nil {
			return nil, err
		}
		if err := claim(d.Name); err != nil {
			return nil, err
		}
		dims[d.Name] = d.Value
		attrs = append(attrs, slog.String(d.Name, d.Value))
	}
	values := map[string]float64{}
	if len(r.Directives) == 0 {
		return nil, fmt.Errorf("no metric directive")
	}
	for _, d := range r.Directives {
		out, err := e.directive(d, dims, values)
		if err != nil {
			return nil, err
		}
		meta.CloudWatchMetrics = append(meta.CloudWatchMetrics, out)
	}
	var order []string
	for _, d := range r.Directives {
		for _, m := range d.Metrics {
			if !slices.Contains(order, m.Name) {
				order = append(order, m.Name)
			}
		}
	}
	for _, name := range order {
		if err := claim(name); err != nil {
			return nil, err
		}
		attrs = append(attrs, slog.Float64(name, values[name]))
	}
	for _, p := range r.Props {
		if err := claim(p.Key); err != nil {
			return nil, err
		}
		attrs = append(attrs, p)
	}
	// Named as logging.For names a service on every line about it.
	if s, ok := dims[DimService]; ok {
		attrs = append(attrs, slog.String("service", s))
	}
	if c, ok := dims[DimCluster]; ok {
		attrs = append(attrs, slog.String("cluster", c))
	}
	return append([]slog.Attr{slog.Any("_aws", meta)}, attrs...), nil
}

// directive checks one directive against the specification's limits and the
// line's dimensions, and records its metrics' values (a metric in two
// directives is one member: it must have one value).
func (e *Emitter) directive(d Directive, dims map[string]string, values map[string]float64) (directive, error) {
	out := directive{Namespace: e.namespace, Dimensions: [][]string{}}
	if len(d.Metrics) == 0 || len(d.Metrics) > maxMetrics {
		return out, fmt.Errorf("%d metrics in a directive: 1 to %d", len(d.Metrics), maxMetrics)
	}
	for _, set := range d.Sets {
		if len(set) > maxDimensions {
			return out, fmt.Errorf("%d dimensions in a set: at most %d", len(set), maxDimensions)
		}
		for _, name := range set {
			if _, ok := dims[name]; !ok {
				return out, fmt.Errorf("dimension %q has no value on the line", name)
			}
		}
		out.Dimensions = append(out.Dimensions, append([]string{}, set...))
	}
	for _, m := range d.Metrics {
		switch {
		case m.Name == "" || len(m.Name) > 255:
			return out, fmt.Errorf("metric name %q: 1 to 255 characters", m.Name)
		case !units[m.Unit]:
			return out, fmt.Errorf("metric %s: unit %q is not a CloudWatch unit", m.Name, m.Unit)
		case math.IsNaN(m.Value) || math.IsInf(m.Value, 0):
			return out, fmt.Errorf("metric %s: %v is not a number CloudWatch takes", m.Name, m.Value)
		}
		if v, seen := values[m.Name]; seen && v != m.Value {
			return out, fmt.Errorf("metric %s has two values on one line", m.Name)
		}
		values[m.Name] = m.Value
		out.Metrics = append(out.Metrics, definition{Name: m.Name, Unit: m.Unit})
	}
	return out, nil
}

// checkDim applies CloudWatch's rules for a dimension: a name of 1 to 255
// ASCII characters not starting with a colon, a value of 1 to 1024, both
// without control characters and with something other than spaces.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html
func checkDim(d Dim) error {
	if !asciiText(d.Name, 255) || d.Name[0] == ':' {
		return fmt.Errorf("dimension name %q: 1 to 255 ASCII characters, not starting with a colon", d.Name)
	}
	if !asciiText(d.Value, 1024) {
		return fmt.Errorf("dimension %s: value %q: 1 to 1024 ASCII characters", d.Name, d.Value)
	}
	return nil
}

func asciiText(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	blank := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c != ' ' {
			blank = false
		}
	}
	return !blank
}
