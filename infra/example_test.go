package infra_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/awsactions"
)

// runtimeActions are granted for the Lambda runtime itself (its logs), not called by the code.
var runtimeActions = []string{"logs:CreateLogStream", "logs:PutLogEvents"}

// example is infra/examples/basic, as an operator applies it, for one service.
type example struct {
	dir  string
	env  []string
	vars []string
}

// example initialises and validates the example with the provider pointed at the emulator.
func (w *world) example(t *testing.T) *example {
	t.Helper()
	ex := &example{
		dir: filepath.Join(w.root, "infra", "examples", "basic"),
		env: append(slices.Clone(w.env), "TF_DATA_DIR="+filepath.Join(w.root, "tfdata")),
		vars: []string{"-var", "cluster_name=prod", "-var", "service_name=web", "-var", "app_port=8080",
			"-var", "health_path=/healthz", "-var", "package_dir=" + w.pkgDir,
			"-var", "dashboard=true", "-var", "alarm_sns_topic_arn=" + alarmTopic,
			"-var", `databases=[{rdsInstance = "Shop-DB"}, {auroraCluster = "shop-orders"}]`},
	}
	write(t, filepath.Join(ex.dir, "emulator_override.tf"), w.override)
	ex.tf(t, "init", "-input=false", "-no-color")
	ex.tf(t, "validate", "-no-color")
	return ex
}

// tf runs terraform in the example and stops the test if it fails.
func (ex *example) tf(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("terraform", args...)
	cmd.Dir, cmd.Env = ex.dir, ex.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}

func (ex *example) apply(t *testing.T) {
	t.Helper()
	ex.tf(t, append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, ex.vars...)...)
}

func (ex *example) destroy(t *testing.T) {
	t.Helper()
	ex.tf(t, append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, ex.vars...)...)
}

func checkFunctions(t *testing.T, w *world, ex *example) {
	var fn struct {
		Runtime       string
		Architectures []string
		Handler       string
		Timeout       int
		MemorySize    int
		Environment   struct{ Variables map[string]string }
	}
	w.aws(t, &fn, "lambda", "get-function-configuration", "--function-name", "scale-to-zero-wake")
	v := fn.Environment.Variables
	if fn.Runtime != "provided.al2023" || !slices.Equal(fn.Architectures, []string{"arm64"}) || fn.Handler != "bootstrap" {
		t.Fatalf("wake function %+v", fn)
	}
	// Wake's cold starts are CPU work, which Lambda gives by memory; Auto-Sleep's are not waited for.
	if fn.MemorySize != 512 {
		t.Fatalf("wake's memory %d MB, want the default 512", fn.MemorySize)
	}
	if v["CLUSTER_NAME"] != "prod" || v["SERVICE_NAME"] != "web" || v["APP_PORT"] != "8080" || v["HEALTH_PATH"] != "/healthz" || v["SLEEP_AFTER_MINUTES"] != "15" {
		t.Fatalf("wake environment %v", v)
	}
	// The module makes the token key itself: 64 hex digits from two uuid()s, kept in the state.
	if key := v["TOKEN_KEY"]; len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" || v["OBSERVE_PER_SECOND"] != "1" {
		t.Fatalf("wake's token key %q and read budget %q", key, v["OBSERVE_PER_SECOND"])
	}
	if v["DEPENDS_ON"] != "rdsInstance:Shop-DB,auroraCluster:shop-orders" {
		t.Fatalf("wake's DEPENDS_ON %q", v["DEPENDS_ON"])
	}
	wakeKey := v["TOKEN_KEY"]
	var conc struct{ ReservedConcurrentExecutions int }
	w.aws(t, &conc, "lambda", "get-function-concurrency", "--function-name", "scale-to-zero-wake")
	if conc.ReservedConcurrentExecutions != 20 {
		t.Fatalf("wake's reserved concurrency %d, want the default 20", conc.ReservedConcurrentExecutions)
	}
	var sleeper struct {
		Timeout     int
		MemorySize  int
		Environment struct{ Variables map[string]string }
	}
	w.aws(t, &sleeper, "lambda", "get-function-configuration", "--function-name", "scale-to-zero-autosleep")
	if sleeper.Environment.Variables["SERVICE_NAME"] != "web" || sleeper.Timeout != 60 || sleeper.MemorySize != 128 || sleeper.Environment.Variables["TOKEN_KEY"] != "" {
		t.Fatalf("autosleep function %+v", sleeper)
	}
	// A second apply keeps the key: visitors' tokens survive a deploy.
	ex.apply(t)
	fn.Environment.Variables = nil
	w.aws(t, &fn, "lambda", "get-function-configuration", "--function-name", "scale-to-zero-wake")
	if fn.Environment.Variables["TOKEN_KEY"] != wakeKey {
		t.Fatal("the token key changed on a second apply")
	}
}

func checkRoutes(t *testing.T, w *world) {
	var apis struct {
		Items []struct{ ApiId, Name string }
	}
	w.aws(t, &apis, "apigatewayv2", "get-apis")
	if len(apis.Items) != 1 {
		t.Fatalf("apis %+v", apis)
	}
	id := apis.Items[0].ApiId
	var routes struct{ Items []struct{ RouteKey string } }
	w.aws(t, &routes, "apigatewayv2", "get-routes", "--api-id", id)
	var keys []string
	for _, r := range routes.Items {
		// The emulator names an imported ANY operation after its OpenAPI key;
		// API Gateway names it ANY.
		keys = append(keys, strings.Replace(r.RouteKey, "X-AMAZON-APIGATEWAY-ANY-METHOD ", "ANY ", 1))
	}
	slices.Sort(keys)
	// Each path has an ANY route beside its own methods, so Wake answers the
	// others itself (405 with Allow) instead of API Gateway's bare 404.
	want := []string{"ANY /", "ANY /_wake/retry", "ANY /_wake/status", "ANY /{proxy+}",
		"GET /", "GET /_wake/status", "GET /{proxy+}", "HEAD /", "HEAD /_wake/status", "HEAD /{proxy+}", "POST /_wake/retry"}
	if !slices.Equal(keys, want) {
		t.Fatalf("routes %v, want %v", keys, want)
	}
	var integ struct {
		Items []struct{ IntegrationType, IntegrationUri, PayloadFormatVersion string }
	}
	w.aws(t, &integ, "apigatewayv2", "get-integrations", "--api-id", id)
	for _, i := range integ.Items {
		if i.IntegrationType != "AWS_PROXY" && i.IntegrationType != "aws_proxy" || i.PayloadFormatVersion != "2.0" || !strings.Contains(i.IntegrationUri, "function:scale-to-zero-wake") {
			t.Fatalf("integration %+v", i)
		}
	}
	var stages struct {
		Items []struct {
			StageName            string
			DefaultRouteSettings struct {
				ThrottlingBurstLimit int
				ThrottlingRateLimit  float64
			}
			AccessLogSettings struct{ DestinationArn, Format string }
		}
	}
	w.aws(t, &stages, "apigatewayv2", "get-stages", "--api-id", id)
	s := stages.Items[0]
	if s.StageName != "$default" || s.DefaultRouteSettings.ThrottlingBurstLimit != 100 || s.DefaultRouteSettings.ThrottlingRateLimit != 50 ||
		!strings.HasSuffix(s.AccessLogSettings.DestinationArn, "/aws/apigateway/scale-to-zero-wake") || !json.Valid([]byte(s.AccessLogSettings.Format)) {
		t.Fatalf("stage %+v", s)
	}
}

func checkSchedule(t *testing.T, w *world) {
	var rule struct{ ScheduleExpression string }
	w.aws(t, &rule, "events", "describe-rule", "--name", "scale-to-zero-autosleep")
	var targets struct{ Targets []struct{ Arn string } }
	w.aws(t, &targets, "events", "list-targets-by-rule", "--rule", "scale-to-zero-autosleep")
	if rule.ScheduleExpression != "rate(1 minute)" || len(targets.Targets) != 1 || !strings.HasSuffix(targets.Targets[0].Arn, ":function:scale-to-zero-autosleep") {
		t.Fatalf("rule %+v targets %+v", rule, targets)
	}
}

func checkLogRetention(t *testing.T, w *world) {
	var groups struct {
		LogGroups []struct {
			LogGroupName    string
			RetentionInDays int
		}
	}
	w.aws(t, &groups, "logs", "describe-log-groups")
	names := map[string]int{}
	for _, g := range groups.LogGroups {
		names[g.LogGroupName] = g.RetentionInDays
	}
	for _, n := range []string{"/aws/lambda/scale-to-zero-wake", "/aws/lambda/scale-to-zero-autosleep", "/aws/apigateway/scale-to-zero-wake"} {
		if names[n] != 14 {
			t.Errorf("log group %s retention %d, want 14 (all: %v)", n, names[n], names)
		}
	}
}

func checkRolesMatchTheCode(t *testing.T, w *world) {
	for _, fn := range []string{"wake", "autosleep"} {
		want, err := awsactions.Of("..", "./functions/"+fn)
		if err != nil {
			t.Fatal(err)
		}
		// Reading the list from S3 is granted only when the module keeps it
		// there (checked with 100 services).
		want = slices.DeleteFunc(want, func(a string) bool { return strings.HasPrefix(a, "s3:") })
		want = append(want, runtimeActions...)
		slices.Sort(want)
		var got []string
		for _, st := range rolePolicy(t, w, "scale-to-zero-"+fn).Statement {
			got = append(got, strs(st.Action)...)
		}
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s role grants %v\nits code calls (with the runtime's logs) %v", fn, got, want)
		}
		t.Logf("%s role: %v", fn, got)
		checkDatabaseGrants(t, fn, rolePolicy(t, w, "scale-to-zero-"+fn))
	}
}

// checkDatabaseGrants: the RDS actions are granted on the example's database
// and cluster only (lowercase, as RDS keeps identifiers), never on "*".
func checkDatabaseGrants(t *testing.T, fn string, pol policy) {
	want := map[string]string{
		"rds:DescribeDBInstances": "arn:aws:rds:us-east-1:123456789012:db:shop-db", "rds:StartDBInstance": "arn:aws:rds:us-east-1:123456789012:db:shop-db",
		"rds:StopDBInstance": "arn:aws:rds:us-east-1:123456789012:db:shop-db", "rds:DescribeDBClusters": "arn:aws:rds:us-east-1:123456789012:cluster:shop-orders",
		"rds:StartDBCluster": "arn:aws:rds:us-east-1:123456789012:cluster:shop-orders", "rds:StopDBCluster": "arn:aws:rds:us-east-1:123456789012:cluster:shop-orders",
	}
	for _, st := range pol.Statement {
		for _, a := range strs(st.Action) {
			if arn, ok := want[a]; ok && !slices.Equal(strs(st.Resource), []string{arn}) {
				t.Errorf("%s role grants %s on %v, want only %s", fn, a, st.Resource, arn)
			}
		}
	}
}

// policy is a role's inline policy document, as IAM returns it.
type policy struct {
	Statement []struct {
		Action   any
		Resource any
	}
}

// rolePolicy reads the inline policy the module gives role, named as the role.
func rolePolicy(t *testing.T, w *world, role string) policy {
	t.Helper()
	var pol struct{ PolicyDocument policy }
	w.aws(t, &pol, "iam", "get-role-policy", "--role-name", role, "--policy-name", role)
	return pol.PolicyDocument
}

func checkTracingPlan(t *testing.T, ex *example) {
	plan := ex.tf(t, append([]string{"plan", "-input=false", "-no-color", "-var", "enable_tracing=true"}, ex.vars...)...)
	for _, want := range []string{`"xray:PutTraceSegments"`, `"xray:PutTelemetryRecords"`, `"Active"`} {
		if strings.Count(plan, want) < 2 {
			t.Errorf("plan with tracing mentions %s %d times, want it for both functions", want, strings.Count(plan, want))
		}
	}
}

// checkPlanAfterApply: a plan right after the apply leaves the API as it is
// (an import names the API after the spec's info.title and versions it after
// info.version, so the body must carry the resource's own) and warns of
// nothing. The functions' logging_config, which the emulator does not keep,
// may still show.
func checkPlanAfterApply(t *testing.T, ex *example) {
	plan := ex.tf(t, append([]string{"plan", "-input=false", "-no-color"}, ex.vars...)...)
	if strings.Contains(plan, "aws_apigatewayv2_api.wake will be updated") {
		t.Errorf("a plan after the apply changes the API:\n%s", plan)
	}
	if strings.Contains(plan, "Warning:") {
		t.Errorf("a plan after the apply warns:\n%s", plan)
	}
}
