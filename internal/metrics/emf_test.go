package metrics

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emftest"
)

var epoch = time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)

// newEmitter writes through the functions' own JSON logger, on a clock the test moves.
func newEmitter(t *testing.T) (*Emitter, *emftest.Log, *time.Time) {
	t.Helper()
	out := &emftest.Log{}
	now := epoch
	e := New(logging.New(out, "wake", slog.LevelInfo, []string{"web"}), "ScaleToZero", "wake")
	e.now = func() time.Time { return now }
	return e, out, &now
}

func TestARecordIsAnEMFDocumentAndANormalLogLine(t *testing.T) {
	e, out, _ := newEmitter(t)
	e.Emit(context.Background(), Record{
		Dims: append(Service("prod", "web"), Dim{DimRule, "idle signal"}),
		Directives: []Directive{
			{Sets: [][]string{ServiceSet}, Metrics: []Metric{{TasksAwake, Count, 2}, {ServicesSlept, Count, 1}}},
			{Sets: [][]string{{DimRule}}, Metrics: []Metric{{ServicesSlept, Count, 1}}},
		},
		Props: []slog.Attr{slog.String("reason", "idle")},
	})
	docs := emftest.Parse(t, out.String())
	if len(docs) != 1 {
		t.Fatalf("%d metric lines, want 1:\n%s", len(docs), out)
	}
	d := docs[0]
	checks := []struct {
		what string
		ok   bool
	}{
		{"timestamp in milliseconds", d.Timestamp == epoch.UnixMilli()},
		{"namespace", d.Namespaces[0] == "ScaleToZero" && d.Namespaces[1] == "ScaleToZero"},
		{"service dimension", d.Dims[DimService] == "web" && d.Dims[DimCluster] == "prod"},
		{"rule dimension", d.Dims[DimRule] == "idle signal"},
		{"values", d.Metrics[TasksAwake] == 2 && d.Metrics[ServicesSlept] == 1},
		{"units", d.Units[TasksAwake] == "Count"},
		{"the service named as every line names it", d.Line["service"] == "web" && d.Line["cluster"] == "prod"},
		{"the function named", d.Line["function"] == "wake"},
		{"a normal log line", d.Line["msg"] == "metrics" && d.Line["level"] == "INFO" && d.Line["time"] != nil},
		{"properties at the root", d.Line["reason"] == "idle"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %s", c.what, out)
		}
	}
}

func TestRecordsThatBreakTheSpecificationAreNotWritten(t *testing.T) {
	many := make([]Metric, 101)
	for i := range many {
		many[i] = Metric{Name: "M" + strings.Repeat("x", i), Unit: Count, Value: 1}
	}
	var wide []Dim
	var wideSet []string
	for i := range 31 {
		name := "D" + strings.Repeat("d", i)
		wide = append(wide, Dim{name, "v"})
		wideSet = append(wideSet, name)
	}
	one := func(m Metric) []Directive { return []Directive{{Sets: [][]string{ServiceSet}, Metrics: []Metric{m}}} }
	tests := []struct {
		name string
		r    Record
		says string
	}{
		{"a unit CloudWatch does not have", Record{Dims: Service("c", "s"), Directives: one(Metric{WakesStarted, "Wakes", 1})}, "not a CloudWatch unit"},
		{"more than 100 metrics in a directive", Record{Dims: Service("c", "s"), Directives: []Directive{{Sets: [][]string{ServiceSet}, Metrics: many}}}, "101 metrics"},
		{"more than 30 dimensions in a set", Record{Dims: wide, Directives: []Directive{{Sets: [][]string{wideSet}, Metrics: []Metric{{WakesStarted, Count, 1}}}}}, "31 dimensions"},
		{"a dimension with no value on the line", Record{Dims: []Dim{{DimService, "s"}}, Directives: one(Metric{WakesStarted, Count, 1})}, "has no value on the line"},
		{"a value that is not a number", Record{Dims: Service("c", "s"), Directives: one(Metric{WakeSeconds, Seconds, math.NaN()})}, "not a number"},
		{"an empty dimension value", Record{Dims: Service("", "s"), Directives: one(Metric{WakesStarted, Count, 1})}, "1 to 1024"},
		{"a dimension value that is not ASCII", Record{Dims: Service("c", "café"), Directives: one(Metric{WakesStarted, Count, 1})}, "ASCII"},
		{"a property named as a metric", Record{Dims: Service("c", "s"), Directives: one(Metric{WakesStarted, Count, 1}), Props: []slog.Attr{slog.Int(WakesStarted, 2)}}, "twice"},
		{"a metric named as a log line's own member", Record{Dims: Service("c", "s"), Directives: one(Metric{"level", Count, 1})}, "twice"},
		{"one metric with two values", Record{Dims: Service("c", "s"), Directives: []Directive{{Metrics: []Metric{{WakesStarted, Count, 1}}}, {Metrics: []Metric{{WakesStarted, Count, 2}}}}}, "two values"},
		{"no directive", Record{Dims: Service("c", "s")}, "no metric directive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, _ := newEmitter(t)
			e.Emit(context.Background(), tc.r)
			if docs := emftest.Parse(t, out.String()); len(docs) != 0 {
				t.Fatalf("written: %s", out)
			}
			if !strings.Contains(out.String(), "metric not written") || !strings.Contains(out.String(), tc.says) {
				t.Fatalf("the log does not say %q: %s", tc.says, out)
			}
		})
	}
}

func TestMetricsOffWriteNothing(t *testing.T) {
	var out bytes.Buffer
	e := New(logging.New(&out, "wake", slog.LevelInfo, nil), "", "wake")
	if e != nil {
		t.Fatal("an empty namespace made an emitter")
	}
	ctx := context.Background()
	e.Emit(ctx, Record{Dims: Service("c", "s"), Directives: []Directive{{Metrics: []Metric{{WakesStarted, Count, 1}}}}})
	tally := e.Tally(VisitorsWhileWaking, time.Second, ServiceSet)
	tally.Add(ctx, 1, Service("c", "s"))
	tally.Flush(ctx, Service("c", "s"))
	e.FlushDue(ctx)
	e.Flush(ctx)
	if out.Len() != 0 {
		t.Fatalf("wrote %s", out.String())
	}
}
