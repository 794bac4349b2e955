// Package infra_test applies the Terraform module's example against the AWS
// emulator and checks what it created, and that each role grants exactly the
// actions its function's code calls.
package infra_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awsactions"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/emulator"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testworld"
)

// mirror is where the machines keep the AWS provider; nothing is downloaded.
const mirror = "/opt/tf-plugins"

// runtimeActions are granted for the Lambda runtime itself (its logs), not called by the code.
var runtimeActions = []string{"logs:CreateLogStream", "logs:PutLogEvents"}

func TestTerraformFormatting(t *testing.T) {
	out, err := exec.Command("terraform", "fmt", "-check", "-recursive", "-diff", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("terraform fmt -check: %v\n%s", err, out)
	}
}

func TestExampleAppliesAgainstTheEmulator(t *testing.T) {
	root := t.TempDir()
	copyTree(t, ".", filepath.Join(root, "infra"))
	copyTree(t, "../api", filepath.Join(root, "api"))
	pkgDir := filepath.Join(root, "build", "lambda")
	for _, fn := range []string{"wake", "autosleep"} {
		packageFunction(t, fn, pkgDir)
	}
	emu, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Stop)

	example := filepath.Join(root, "infra", "examples", "basic")
	override := `provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  endpoints {
    apigatewayv2   = "` + emu.URL + `"
    cloudwatchlogs = "` + emu.URL + `"
    eventbridge    = "` + emu.URL + `"
    iam            = "` + emu.URL + `"
    lambda         = "` + emu.URL + `"
    s3             = "` + emu.URL + `"
    sts            = "` + emu.URL + `"
  }
  # The emulator is on loopback: buckets by path, never BUCKET.127.0.0.1.
  s3_use_path_style = true
}
`
	write(t, filepath.Join(example, "emulator_override.tf"), override)
	cli := filepath.Join(root, "terraform.rc")
	write(t, cli, `provider_installation {
  filesystem_mirror {
    path    = "`+mirror+`"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`)
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cli, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_DATA_DIR="+filepath.Join(root, "tfdata"))
	tf := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("terraform", args...)
		cmd.Dir, cmd.Env = example, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
		}
		return string(out)
	}
	vars := []string{"-var", "cluster_name=prod", "-var", "service_name=web", "-var", "app_port=8080", "-var", "health_path=/healthz", "-var", "package_dir=" + pkgDir}

	tf("init", "-input=false", "-no-color")
	tf("validate", "-no-color")
	start := time.Now()
	tf(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
	applied := time.Since(start)
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			tf(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
		}
	})

	aws := func(v any, args ...string) {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"--endpoint-url", emu.URL, "--region", emulator.Region, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
	}

	t.Run("functions with their environment", func(t *testing.T) {
		var fn struct {
			Runtime       string
			Architectures []string
			Handler       string
			Timeout       int
			Environment   struct{ Variables map[string]string }
		}
		aws(&fn, "lambda", "get-function-configuration", "--function-name", "scale-to-zero-wake")
		v := fn.Environment.Variables
		if fn.Runtime != "provided.al2023" || !slices.Equal(fn.Architectures, []string{"arm64"}) || fn.Handler != "bootstrap" {
			t.Fatalf("wake function %+v", fn)
		}
		if v["CLUSTER_NAME"] != "prod" || v["SERVICE_NAME"] != "web" || v["APP_PORT"] != "8080" || v["HEALTH_PATH"] != "/healthz" || v["SLEEP_AFTER_MINUTES"] != "15" {
			t.Fatalf("wake environment %v", v)
		}
		// The module makes the token key itself: 64 hex digits from two uuid()s, kept in the state.
		if key := v["TOKEN_KEY"]; len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" || v["OBSERVE_PER_SECOND"] != "1" {
			t.Fatalf("wake's token key %q and read budget %q", key, v["OBSERVE_PER_SECOND"])
		}
		wakeKey := v["TOKEN_KEY"]
		var conc struct{ ReservedConcurrentExecutions int }
		aws(&conc, "lambda", "get-function-concurrency", "--function-name", "scale-to-zero-wake")
		if conc.ReservedConcurrentExecutions != 20 {
			t.Fatalf("wake's reserved concurrency %d, want the default 20", conc.ReservedConcurrentExecutions)
		}
		var sleeper struct {
			Timeout     int
			Environment struct{ Variables map[string]string }
		}
		aws(&sleeper, "lambda", "get-function-configuration", "--function-name", "scale-to-zero-autosleep")
		if sleeper.Environment.Variables["SERVICE_NAME"] != "web" || sleeper.Timeout != 60 || sleeper.Environment.Variables["TOKEN_KEY"] != "" {
			t.Fatalf("autosleep function %+v", sleeper)
		}
		// A second apply keeps the key: visitors' tokens survive a deploy.
		tf(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
		fn.Environment.Variables = nil
		aws(&fn, "lambda", "get-function-configuration", "--function-name", "scale-to-zero-wake")
		if fn.Environment.Variables["TOKEN_KEY"] != wakeKey {
			t.Fatal("the token key changed on a second apply")
		}
	})

	t.Run("bad inputs fail at plan time; private addresses attach Wake to the VPC", func(t *testing.T) {
		// A root of its own that calls the module with the inputs under test.
		dir := filepath.Join(root, "bad-inputs")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "main.tf"), `variable "concurrency" {
  type = number
}
variable "key" {
  type = string
}
variable "signal" {
  type    = string
  default = "network"
}
variable "target_group" {
  type    = string
  default = ""
}
variable "address_mode" {
  type    = string
  default = "public"
}
variable "subnets" {
  type    = list(string)
  default = []
}
variable "security_groups" {
  type    = list(string)
  default = []
}
module "scale_to_zero" {
  source                    = "../infra"
  package_dir               = "`+pkgDir+`"
  cluster_name              = "prod"
  service_name              = "web"
  wake_reserved_concurrency = var.concurrency
  token_key                 = var.key
  idle_signal               = var.signal
  target_group              = var.target_group
  address_mode              = var.address_mode
  wake_subnet_ids           = var.subnets
  wake_security_group_ids   = var.security_groups
}
`+override)
		// Its own data folder: the example's modules stay installed.
		plan := terraformIn(t, dir, env, filepath.Join(root, "tfdata-bad-inputs"))
		for _, bad := range []struct {
			vars []string
			want string
		}{
			{[]string{"-var", "concurrency=0", "-var", "key="}, "wake_reserved_concurrency must be a whole number between 1 and 1000"},
			{[]string{"-var", "concurrency=10", "-var", "key=short"}, "token_key must be empty"},
			{[]string{"-var", "concurrency=10", "-var", "key=", "-var", "signal=requests", "-var", "target_group=targetgroup/web/1"}, "never by target group alone"},
			{[]string{"-var", "concurrency=10", "-var", "key=", "-var", "address_mode=private"}, "cannot reach a task's private IP"},
			{[]string{"-var", "concurrency=10", "-var", "key=", "-var", `subnets=["subnet-1"]`}, "set both or neither"},
		} {
			out, err := plan(append([]string{"plan", "-input=false", "-no-color"}, bad.vars...)...)
			if err == nil || !strings.Contains(out, bad.want) {
				t.Errorf("plan with %v: %v, want the message %q\n%s", bad.vars, err, bad.want, out)
			}
		}
		// Private addresses with Wake in the VPC: Wake alone is attached, with the permissions Lambda needs for it.
		out, err := plan("plan", "-input=false", "-no-color", "-var", "concurrency=10", "-var", "key=", "-var", "address_mode=private",
			"-var", `subnets=["subnet-0123456789abcdef0"]`, "-var", `security_groups=["sg-0123456789abcdef0"]`)
		if err != nil {
			t.Fatalf("plan with private addresses and Wake in the VPC: %v\n%s", err, out)
		}
		if strings.Count(out, `"subnet-0123456789abcdef0"`) != 1 || strings.Count(out, `"ec2:CreateNetworkInterface"`) != 1 {
			t.Errorf("plan: want one function in the subnet and one role allowed to attach it\n%s", out)
		}
	})

	t.Run("100 services with every setting: the list in S3, read by the built functions", func(t *testing.T) {
		dir := filepath.Join(root, "many")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		// Every setting, in the two shapes a fleet mixes: services judged by their
		// load balancer's requests and services judged by their network traffic.
		var list []string
		for i := range 100 {
			signal := fmt.Sprintf(`idleSignal = "requests", idleThreshold = 1, targetGroup = "targetgroup/service-%03d/0123456789abcdef", loadBalancer = "app/shared/0123456789abcdef", countConnections = false`, i)
			if i%2 == 1 {
				signal = `idleSignal = "network", idleThreshold = 2`
			}
			list = append(list, fmt.Sprintf(`{ name = "service-%03d", cluster = "prod", host = "service-%03d.apps.example.com", pathPrefix = "/app", port = 8080, scheme = "http", healthPath = "/healthz", address = "public", wakeCount = 2, wakeTimeoutSeconds = 600, sleepAfterMinutes = 30, graceMinutes = 10, %s, timezone = "Europe/Berlin", sleepAt = "22:30", keepWarm = ["mon-fri 08:00-18:00", "sat 10:00-12:00"] }`, i, i, signal))
		}
		write(t, filepath.Join(dir, "main.tf"), `variable "storage" {
  type = string
}
variable "scope" {
  type    = string
  default = "services"
}
module "scale_to_zero" {
  source            = "../infra"
  name              = "fleet"
  package_dir       = "`+pkgDir+`"
  cluster_name      = "prod"
  services_storage  = var.storage
  iam_service_scope = var.scope
  # Every optional statement of the roles' policies, to measure the largest.
  enable_tracing          = true
  wake_subnet_ids         = ["subnet-0123456789abcdef0"]
  wake_security_group_ids = ["sg-0123456789abcdef0"]
  services = [
    `+strings.Join(list, ",\n    ")+`
  ]
}
`+override)
		run := terraformIn(t, dir, env, filepath.Join(root, "tfdata-many"))
		// In the environment the list is over Lambda's 4 KB: the plan says so, and what to do.
		if out, err := run("plan", "-input=false", "-no-color", "-var", "storage=environment"); err == nil || !strings.Contains(out, "over Lambda's 4 KB") || !strings.Contains(out, `services_storage = "s3"`) {
			t.Fatalf("plan of 100 services in the environment: %v, want the 4 KB message naming services_storage\n%s", err, out)
		}
		apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", "-var", "storage=s3"}
		if out, err := run(apply...); err != nil {
			t.Fatalf("apply of 100 services kept in S3: %v\n%s", err, out)
		}
		t.Cleanup(func() {
			if out, err := run("destroy", "-auto-approve", "-input=false", "-no-color", "-var", "storage=s3"); err != nil {
				t.Errorf("destroy: %v\n%s", err, out)
			}
		})

		for _, fn := range []string{"wake", "autosleep"} {
			var conf struct {
				Environment struct{ Variables map[string]string }
			}
			aws(&conf, "lambda", "get-function-configuration", "--function-name", "fleet-"+fn)
			v := conf.Environment.Variables
			if v["SERVICES"] != "" || !strings.HasPrefix(v["SERVICES_S3"], "s3://fleet-config-") || !strings.HasSuffix(v["SERVICES_S3"], "/services.json") || v["SERVICES_S3_VERSION"] == "" {
				t.Fatalf("%s environment %v, want the list's object and version instead of the list", fn, v)
			}
			size, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s environment: %d bytes of Lambda's 4,096", fn, len(size))

			// Each role may read that object, and nothing else of S3.
			var pol struct {
				PolicyDocument struct {
					Statement []struct {
						Action   any
						Resource any
					}
				}
			}
			aws(&pol, "iam", "get-role-policy", "--role-name", "fleet-"+fn, "--policy-name", "fleet-"+fn)
			// The plan estimates the policy's size before the log group's ARN is
			// known: its fixed part must never be more than the module assumes.
			doc, err := json.Marshal(pol.PolicyDocument)
			if err != nil {
				t.Fatal(err)
			}
			var arns []string
			for i := range 100 {
				arns = append(arns, fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:service/prod/service-%03d", i))
			}
			arnChars, _ := json.Marshal(arns)
			clusterChars, _ := json.Marshal([]string{"arn:aws:ecs:us-east-1:123456789012:cluster/prod"})
			fixed := len(doc) - len(arnChars) - 2*len(clusterChars)
			t.Logf("%s role policy: %d characters of IAM's 10,240, %d of them not growing with the services", fn, len(doc), fixed)
			if fixed > 1024 {
				t.Errorf("%s role policy's fixed part is %d characters, more than the 1,024 the plan's estimate assumes (infra/iam.tf)", fn, fixed)
			}
			object := "arn:aws:s3:::" + strings.TrimPrefix(v["SERVICES_S3"], "s3://")
			var s3Actions []string
			for _, st := range pol.PolicyDocument.Statement {
				for _, a := range strs(st.Action) {
					if strings.HasPrefix(a, "s3:") {
						s3Actions = append(s3Actions, a)
						if !slices.Equal(strs(st.Resource), []string{object}) {
							t.Errorf("%s role grants %s on %v, want only %s", fn, a, st.Resource, object)
						}
					}
				}
			}
			code, err := awsactions.Of("..", "./functions/"+fn)
			if err != nil {
				t.Fatal(err)
			}
			// A pinned version is read with s3:GetObjectVersion as well.
			wantS3 := append(slices.DeleteFunc(code, func(a string) bool { return !strings.HasPrefix(a, "s3:") }), "s3:GetObjectVersion")
			slices.Sort(wantS3)
			if slices.Sort(s3Actions); !slices.Equal(s3Actions, wantS3) {
				t.Errorf("%s role's S3 actions %v, its code needs %v", fn, s3Actions, wantS3)
			}

			// The built function, with that environment, knows all 100 services.
			bin, err := testworld.Build(t.TempDir(), "../functions/"+fn, fn)
			if err != nil {
				t.Fatal(err)
			}
			cmdEnv := emu.Environ()
			for k, val := range v {
				cmdEnv = append(cmdEnv, k+"="+val)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			action := `{"action":"status"}`
			if fn == "wake" {
				action = `{"action":"status","service":"service-099"}`
			}
			cmd := exec.CommandContext(ctx, bin, "invoke", action)
			cmd.Env = cmdEnv
			var stderr strings.Builder
			cmd.Stderr = &stderr
			stdout, err := cmd.Output()
			out := append(stdout, stderr.String()...)
			t.Logf("%s invoke %s: %v\n%.600s", fn, action, err, out)
			// Lambda's JSON log format wants every line JSON, the S3 client's too.
			for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if !json.Valid([]byte(line)) {
					t.Errorf("%s printed a log line that is not JSON: %s", fn, line)
				}
			}
			if strings.Contains(string(out), "invalid configuration") || strings.Contains(string(out), "unknown service") {
				t.Fatalf("%s did not load the list from S3: %s", fn, out)
			}
			if fn == "autosleep" && strings.Count(string(out), `"service-0`) < 100 {
				t.Fatalf("autosleep's report names %d services, want 100:\n%s", strings.Count(string(out), `"service-0`), out)
			}
		}

		// A second apply with a changed list writes a new version, and the functions
		// move to it together; the version they left is still there for a rollback.
		var before struct {
			Environment struct{ Variables map[string]string }
		}
		aws(&before, "lambda", "get-function-configuration", "--function-name", "fleet-wake")
		write(t, filepath.Join(dir, "main.tf"), strings.Replace(readFile(t, filepath.Join(dir, "main.tf")), `service-000.apps.example.com`, `service-000.example.org`, 1))
		if out, err := run(apply...); err != nil {
			t.Fatalf("apply of a changed list: %v\n%s", err, out)
		}
		var after struct {
			Environment struct{ Variables map[string]string }
		}
		aws(&after, "lambda", "get-function-configuration", "--function-name", "fleet-wake")
		oldVersion, newVersion := before.Environment.Variables["SERVICES_S3_VERSION"], after.Environment.Variables["SERVICES_S3_VERSION"]
		if newVersion == oldVersion {
			t.Fatalf("the list changed but the functions still name version %s", oldVersion)
		}
		bucket, key, _ := strings.Cut(strings.TrimPrefix(after.Environment.Variables["SERVICES_S3"], "s3://"), "/")
		var versions struct{ Versions []struct{ VersionId string } }
		aws(&versions, "s3api", "list-object-versions", "--bucket", bucket, "--prefix", key)
		var ids []string
		for _, v := range versions.Versions {
			ids = append(ids, v.VersionId)
		}
		if !slices.Contains(ids, oldVersion) || !slices.Contains(ids, newVersion) {
			t.Fatalf("versions %v, want both %s and %s", ids, oldVersion, newVersion)
		}

		// Past what IAM lets a role's inline policy name, the plan says so and
		// what to do; granting on the clusters' services fits any number.
		wide := dir + "-iam"
		if err := os.MkdirAll(wide, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(wide, "main.tf"), `variable "scope" {
  type = string
}
module "scale_to_zero" {
  source            = "../infra"
  package_dir       = "`+pkgDir+`"
  cluster_name      = "prod"
  name              = "wide"
  services_storage  = "s3"
  iam_service_scope = var.scope
  services          = [for i in range(200) : { name = format("customer-portal-backend-%03d", i), host = format("c%03d.example.com", i) }]
}
`+override)
		plan := terraformIn(t, wide, env, filepath.Join(root, "tfdata-many-iam"))
		if out, err := plan("plan", "-input=false", "-no-color", "-var", "scope=services"); err == nil || !strings.Contains(out, "over IAM's 10,240") || !strings.Contains(out, `iam_service_scope = "clusters"`) {
			t.Fatalf("plan of 200 services named one by one: %v, want the IAM size message\n%s", err, out)
		}
		if out, err := plan("plan", "-input=false", "-no-color", "-var", "scope=clusters"); err != nil || !strings.Contains(out, `service/prod/*`) {
			t.Fatalf("plan of 200 services scoped to their cluster: %v\n%s", err, out)
		}
	})

	t.Run("the API's routes are the spec's, all to the Wake function", func(t *testing.T) {
		var apis struct {
			Items []struct{ ApiId, Name string }
		}
		aws(&apis, "apigatewayv2", "get-apis")
		if len(apis.Items) != 1 {
			t.Fatalf("apis %+v", apis)
		}
		id := apis.Items[0].ApiId
		var routes struct{ Items []struct{ RouteKey string } }
		aws(&routes, "apigatewayv2", "get-routes", "--api-id", id)
		var keys []string
		for _, r := range routes.Items {
			keys = append(keys, r.RouteKey)
		}
		slices.Sort(keys)
		want := []string{"GET /", "GET /_wake/status", "GET /{proxy+}", "HEAD /", "HEAD /_wake/status", "HEAD /{proxy+}", "POST /_wake/retry"}
		if !slices.Equal(keys, want) {
			t.Fatalf("routes %v, want %v", keys, want)
		}
		var integ struct {
			Items []struct{ IntegrationType, IntegrationUri, PayloadFormatVersion string }
		}
		aws(&integ, "apigatewayv2", "get-integrations", "--api-id", id)
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
		aws(&stages, "apigatewayv2", "get-stages", "--api-id", id)
		s := stages.Items[0]
		if s.StageName != "$default" || s.DefaultRouteSettings.ThrottlingBurstLimit != 100 || s.DefaultRouteSettings.ThrottlingRateLimit != 50 ||
			!strings.HasSuffix(s.AccessLogSettings.DestinationArn, "/aws/apigateway/scale-to-zero-wake") || !json.Valid([]byte(s.AccessLogSettings.Format)) {
			t.Fatalf("stage %+v", s)
		}
	})

	t.Run("the schedule runs Auto-Sleep every minute", func(t *testing.T) {
		var rule struct{ ScheduleExpression string }
		aws(&rule, "events", "describe-rule", "--name", "scale-to-zero-autosleep")
		var targets struct{ Targets []struct{ Arn string } }
		aws(&targets, "events", "list-targets-by-rule", "--rule", "scale-to-zero-autosleep")
		if rule.ScheduleExpression != "rate(1 minute)" || len(targets.Targets) != 1 || !strings.HasSuffix(targets.Targets[0].Arn, ":function:scale-to-zero-autosleep") {
			t.Fatalf("rule %+v targets %+v", rule, targets)
		}
	})

	t.Run("every log group has a retention", func(t *testing.T) {
		var groups struct {
			LogGroups []struct {
				LogGroupName    string
				RetentionInDays int
			}
		}
		aws(&groups, "logs", "describe-log-groups")
		names := map[string]int{}
		for _, g := range groups.LogGroups {
			names[g.LogGroupName] = g.RetentionInDays
		}
		for _, n := range []string{"/aws/lambda/scale-to-zero-wake", "/aws/lambda/scale-to-zero-autosleep", "/aws/apigateway/scale-to-zero-wake"} {
			if names[n] != 14 {
				t.Errorf("log group %s retention %d, want 14 (all: %v)", n, names[n], names)
			}
		}
	})

	t.Run("each role grants exactly what its function's code calls", func(t *testing.T) {
		for _, fn := range []string{"wake", "autosleep"} {
			want, err := awsactions.Of("..", "./functions/"+fn)
			if err != nil {
				t.Fatal(err)
			}
			// Reading the list from S3 is granted only when the module keeps it
			// there (checked with 100 services above).
			want = slices.DeleteFunc(want, func(a string) bool { return strings.HasPrefix(a, "s3:") })
			want = append(want, runtimeActions...)
			slices.Sort(want)
			var pol struct {
				PolicyDocument struct {
					Statement []struct {
						Action   any
						Resource any
					}
				}
			}
			aws(&pol, "iam", "get-role-policy", "--role-name", "scale-to-zero-"+fn, "--policy-name", "scale-to-zero-"+fn)
			var got []string
			for _, st := range pol.PolicyDocument.Statement {
				got = append(got, strs(st.Action)...)
			}
			slices.Sort(got)
			got = slices.Compact(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s role grants %v\nits code calls (with the runtime's logs) %v", fn, got, want)
			}
			t.Logf("%s role: %v", fn, got)
		}
	})

	t.Run("turning tracing on brings its permissions", func(t *testing.T) {
		plan := tf(append([]string{"plan", "-input=false", "-no-color", "-var", "enable_tracing=true"}, vars...)...)
		for _, want := range []string{`"xray:PutTraceSegments"`, `"xray:PutTelemetryRecords"`, `"Active"`} {
			if strings.Count(plan, want) < 2 {
				t.Errorf("plan with tracing mentions %s %d times, want it for both functions", want, strings.Count(plan, want))
			}
		}
	})

	start = time.Now()
	tf(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...)
	destroyed = true
	var fns struct {
		Functions []struct{ FunctionName string }
	}
	aws(&fns, "lambda", "list-functions")
	if len(fns.Functions) != 0 {
		t.Fatalf("functions left after destroy: %+v", fns.Functions)
	}
	t.Logf("terraform apply %s, destroy %s", applied.Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond))
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// packageFunction builds a function as `make package` does: linux/arm64, stripped, zipped as bootstrap.
func packageFunction(t *testing.T, name, dir string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, "../functions/"+name)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := io.Copy(w, src); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the .tf and .json files of a folder, skipping Terraform's own state.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if ext := filepath.Ext(p); ext != ".tf" && ext != ".json" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// terraformIn runs terraform in dir with its own data folder, after an init.
func terraformIn(t *testing.T, dir string, env []string, data string) func(args ...string) (string, error) {
	t.Helper()
	env = append(slices.Clone(env), "TF_DATA_DIR="+data)
	run := func(args ...string) (string, error) {
		cmd := exec.Command("terraform", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("init in %s: %v\n%s", dir, err, out)
	}
	return run
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
