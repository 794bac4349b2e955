// Package emftest reads the functions' log lines back and checks each metric
// line against the CloudWatch Embedded Metric Format specification, written
// here from the specification itself rather than from the code that writes
// the lines:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emftest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Doc is one metric line, read back.
type Doc struct {
	// Line is every root member.
	Line map[string]any
	// Timestamp is _aws.Timestamp, milliseconds since the epoch.
	Timestamp int64
	// Namespaces, Sets and Units come from the directives.
	Namespaces []string
	Sets       [][]string
	Units      map[string]string
	// Metrics are the values of the metrics the directives name.
	Metrics map[string]float64
	// Dims are the values of the dimensions the sets name.
	Dims map[string]string
}

// units are CloudWatch's units (MetricDatum's Unit).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
var units = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
	"Count/Second", "None"}

// namespaceChars: CloudWatch's namespace characters.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace
var namespaceChars = regexp.MustCompile(`^[0-9A-Za-z._\-/#: ]{1,255}$`)

// Parse reads every line of out; the JSON object lines with an "_aws" member
// are metric lines, and each must hold to the specification (t.Errorf says
// where it does not). Lines that are not JSON (a report, a panic) are skipped.
func Parse(t testing.TB, out string) []Doc {
	t.Helper()
	var docs []Doc
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var probe map[string]json.RawMessage
		if json.Unmarshal(line, &probe) != nil || probe["_aws"] == nil {
			continue
		}
		d, err := Check(line)
		if err != nil {
			t.Errorf("not an EMF document: %v\n%s", err, line)
			continue
		}
		docs = append(docs, d)
	}
	return docs
}

// Check reads one log line as an EMF document.
func Check(line []byte) (Doc, error) {
	var root map[string]any
	dec := json.NewDecoder(strings.NewReader(string(line)))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return Doc{}, fmt.Errorf("the line is not one JSON object: %w", err)
	}
	if dec.More() {
		return Doc{}, fmt.Errorf("data after the JSON object")
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return Doc{}, fmt.Errorf("_aws is not an object")
	}
	for k := range aws {
		if k != "Timestamp" && k != "CloudWatchMetrics" && k != "LogGroupName" {
			return Doc{}, fmt.Errorf("_aws has a member the specification does not define: %q", k)
		}
	}
	ts, ok := aws["Timestamp"].(json.Number)
	if !ok {
		return Doc{}, fmt.Errorf("_aws.Timestamp is not a number")
	}
	ms, err := ts.Int64()
	if err != nil || ms < 1_000_000_000_000 {
		return Doc{}, fmt.Errorf("_aws.Timestamp %s is not milliseconds since the epoch", ts)
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		return Doc{}, fmt.Errorf("_aws.CloudWatchMetrics is not a non-empty array")
	}
	d := Doc{Line: root, Timestamp: ms, Units: map[string]string{}, Metrics: map[string]float64{}, Dims: map[string]string{}}
	for i, raw := range directives {
		if err := d.directive(raw); err != nil {
			return Doc{}, fmt.Errorf("CloudWatchMetrics[%d]: %w", i, err)
		}
	}
	return d, nil
}

func (d *Doc) directive(raw any) error {
	dir, ok := raw.(map[string]any)
	if !ok {
		return fmt.Errorf("not an object")
	}
	for k := range dir {
		if k != "Namespace" && k != "Dimensions" && k != "Metrics" {
			return fmt.Errorf("member the specification does not define: %q", k)
		}
	}
	ns, ok := dir["Namespace"].(string)
	if !ok || !namespaceChars.MatchString(ns) || strings.TrimSpace(ns) == "" || strings.HasPrefix(ns, "AWS/") || strings.HasPrefix(ns, ":") {
		return fmt.Errorf("namespace %v breaks CloudWatch's rules", dir["Namespace"])
	}
	d.Namespaces = append(d.Namespaces, ns)
	if err := d.dimensions(dir["Dimensions"]); err != nil {
		return err
	}
	return d.metrics(dir["Metrics"])
}

func (d *Doc) dimensions(raw any) error {
	sets, ok := raw.([]any)
	if !ok {
		return fmt.Errorf("the Dimensions member is not an array")
	}
	for _, s := range sets {
		keys, ok := s.([]any)
		if !ok {
			return fmt.Errorf("a dimension set is not an array")
		}
		if len(keys) > 30 {
			return fmt.Errorf("a dimension set has %d keys: at most 30", len(keys))
		}
		var set []string
		for _, k := range keys {
			name, ok := k.(string)
			if !ok {
				return fmt.Errorf("a dimension key is not a string")
			}
			v, ok := d.Line[name].(string)
			if !ok || v == "" {
				return fmt.Errorf("dimension %q is not a string member of the root", name)
			}
			d.Dims[name] = v
			set = append(set, name)
		}
		d.Sets = append(d.Sets, set)
	}
	return nil
}

func (d *Doc) metrics(raw any) error {
	defs, ok := raw.([]any)
	if !ok || len(defs) == 0 || len(defs) > 100 {
		return fmt.Errorf("the Metrics member is not an array of 1 to 100 definitions")
	}
	for _, m := range defs {
		def, ok := m.(map[string]any)
		if !ok {
			return fmt.Errorf("a metric definition is not an object")
		}
		for k := range def {
			if k != "Name" && k != "Unit" && k != "StorageResolution" {
				return fmt.Errorf("metric definition member the specification does not define: %q", k)
			}
		}
		name, ok := def["Name"].(string)
		if !ok || name == "" || len(name) > 255 {
			return fmt.Errorf("a metric's Name is not a string of 1 to 255 characters")
		}
		if u, has := def["Unit"]; has {
			unit, ok := u.(string)
			if !ok || !slices.Contains(units, unit) {
				return fmt.Errorf("metric %s: unit %v is not a CloudWatch unit", name, u)
			}
			d.Units[name] = unit
		}
		if r, has := def["StorageResolution"]; has && r != json.Number("1") && r != json.Number("60") {
			return fmt.Errorf("metric %s: StorageResolution %v is neither 1 nor 60", name, r)
		}
		v, ok := d.Line[name].(json.Number)
		if !ok {
			return fmt.Errorf("metric %s is not a number member of the root", name)
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("metric %s: %s is not a number", name, v)
		}
		d.Metrics[name] = f
	}
	return nil
}

// With returns the documents that carry the metric, for the service when
// one is named (its Service dimension).
func With(docs []Doc, metric, service string) []Doc {
	var out []Doc
	for _, d := range docs {
		if _, ok := d.Metrics[metric]; ok && (service == "" || d.Dims["Service"] == service) {
			out = append(out, d)
		}
	}
	return out
}

// Sum adds up a metric's values over the documents.
func Sum(docs []Doc, metric string) float64 {
	var n float64
	for _, d := range docs {
		n += d.Metrics[metric]
	}
	return n
}
