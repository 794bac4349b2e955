package infra_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
)

// alarmTopic is the SNS topic the example's alarm notifies.
const alarmTopic = "arn:aws:sns:us-east-1:123456789012:ops"

// search reads a dashboard's SEARCH expression: its schema (namespace and
// dimension names), the metric and the statistic.
var search = regexp.MustCompile(`^SEARCH\('\{"([^"]+)",([A-Za-z,]+)\} MetricName="([A-Za-z]+)"', '([A-Za-z0-9]+)', ([0-9]+)\)$`)

// checkMonitoring reads back the example's dashboard and alarm from the
// emulator: the dashboard graphs every metric the functions write, by the
// dimensions they write them with, and nothing else; the alarm watches
// failed wakes of every service. Then bad inputs fail at plan time, and the
// functions' environment carries the namespace.
func checkMonitoring(t *testing.T, w *world) {
	var dash struct{ DashboardBody string }
	w.aws(t, &dash, "cloudwatch", "get-dashboard", "--dashboard-name", "scale-to-zero")
	var body struct {
		Widgets []struct {
			Properties struct {
				Title   string
				Metrics [][]struct{ ID, Expression, Label string }
			}
		}
	}
	if err := json.Unmarshal([]byte(dash.DashboardBody), &body); err != nil {
		t.Fatalf("the dashboard's body is not JSON: %v\n%s", err, dash.DashboardBody)
	}
	dims := []string{metrics.DimService, metrics.DimCluster, metrics.DimRule, metrics.DimFunction}
	var graphed []string
	for _, wdg := range body.Widgets {
		for _, line := range wdg.Properties.Metrics {
			for _, m := range line {
				got := search.FindStringSubmatch(m.Expression)
				if got == nil || got[1] != "ScaleToZero" {
					t.Fatalf("%q: %q is not a SEARCH of the namespace ScaleToZero", wdg.Properties.Title, m.Expression)
				}
				for _, d := range strings.Split(got[2], ",") {
					if !slices.Contains(dims, d) {
						t.Fatalf("%q searches by %q, a dimension the functions never write", wdg.Properties.Title, d)
					}
				}
				graphed = append(graphed, got[3])
			}
		}
	}
	want := slices.Clone(metrics.Names)
	slices.Sort(want)
	slices.Sort(graphed)
	if graphed = slices.Compact(graphed); !slices.Equal(graphed, want) {
		t.Fatalf("the dashboard graphs %v; the functions write %v", graphed, want)
	}
	checkAlarm(t, w)
	checkMonitoringInputs(t, w)
}

func checkAlarm(t *testing.T, w *world) {
	var alarms struct {
		MetricAlarms []struct {
			AlarmName, Namespace, MetricName, Statistic, ComparisonOperator, TreatMissingData string
			Period                                                                            int
			Threshold                                                                         float64
			Dimensions                                                                        []struct{ Name, Value string }
			AlarmActions                                                                      []string
		}
	}
	w.aws(t, &alarms, "cloudwatch", "describe-alarms")
	if len(alarms.MetricAlarms) != 1 {
		t.Fatalf("alarms %+v, want the one on failed wakes", alarms)
	}
	a := alarms.MetricAlarms[0]
	switch {
	case a.AlarmName != "scale-to-zero-failed-wakes" || a.Namespace != "ScaleToZero" || a.MetricName != metrics.WakesFailed:
		t.Fatalf("alarm %+v, want scale-to-zero-failed-wakes on ScaleToZero's %s", a, metrics.WakesFailed)
	// The by-function copy (Function is the name Wake logs as): every service in one metric.
	case len(a.Dimensions) != 1 || a.Dimensions[0].Name != metrics.DimFunction || a.Dimensions[0].Value != "wake":
		t.Fatalf("alarm dimensions %+v, want Function=wake", a.Dimensions)
	case a.Statistic != "Sum" || a.Period != 300 || a.Threshold != 1 || a.ComparisonOperator != "GreaterThanOrEqualToThreshold":
		t.Fatalf("alarm %+v, want a sum of at least 1 over 5 minutes", a)
	case a.TreatMissingData != "notBreaching":
		t.Fatalf("missing data %q: a sleeping service writes nothing and must never alarm", a.TreatMissingData)
	case !slices.Equal(a.AlarmActions, []string{alarmTopic}):
		t.Fatalf("alarm actions %v, want the topic", a.AlarmActions)
	}
}

// checkMonitoringInputs: the example's functions carry no metrics setting
// (the default namespace is the functions' own), bad inputs fail at plan
// time (Terraform stops at the first variable it refuses: one plan each),
// and an empty namespace turns the metrics off.
func checkMonitoringInputs(t *testing.T, w *world) {
	for _, fn := range []string{"scale-to-zero-wake", "scale-to-zero-autosleep"} {
		var cfg struct {
			Environment struct{ Variables map[string]string }
		}
		w.aws(t, &cfg, "lambda", "get-function-configuration", "--function-name", fn)
		if v := cfg.Environment.Variables; v["METRICS"] != "" || v["METRICS_NAMESPACE"] != "" {
			t.Fatalf("%s: environment %v, want no metrics setting with the default namespace", fn, v)
		}
	}
	plan := w.inputs(t)
	base := []string{"plan", "-input=false", "-no-color", "-var", "concurrency=10", "-var", "key="}
	for _, bad := range []struct {
		vars  []string
		wants []string
	}{
		{[]string{"-var", "metrics_namespace=AWS/ECS"}, []string{"metrics_namespace must be a CloudWatch namespace"}},
		{[]string{"-var", "alarm_topic=arn:aws:sqs:us-east-1:123456789012:ops"}, []string{"alarm_sns_topic_arn must be an SNS topic's ARN"}},
		{[]string{"-var", "metrics_namespace=", "-var", "dashboard=true"}, []string{"dashboard needs the metrics"}},
		{[]string{"-var", "metrics_namespace=", "-var", "alarm_topic=" + alarmTopic}, []string{"The alarm on failed wakes needs the metrics"}},
	} {
		out, err := plan(append(base, bad.vars...)...)
		flat := strings.Join(strings.Fields(out), " ")
		for _, want := range bad.wants {
			if err == nil || !strings.Contains(flat, want) {
				t.Errorf("plan with %v: %v, want the message %q\n%s", bad.vars, err, want, out)
			}
		}
	}
	out, err := plan(append(base, "-var", "metrics_namespace=")...)
	if err != nil {
		t.Fatalf("plan with metrics_namespace empty: %v\n%s", err, out)
	}
	// Both functions get the same settings; Wake's environment shows as sensitive (its token key).
	if !regexp.MustCompile(`"METRICS"\s+=\s+"off"`).MatchString(out) {
		t.Errorf("plan with metrics_namespace empty: want METRICS = \"off\" in Auto-Sleep's environment\n%s", out)
	}
}
