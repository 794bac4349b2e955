// Package infra_test applies the Terraform module's example against the AWS
// emulator and checks what it created, and that each role grants exactly the
// actions its function's code calls.
package infra_test

import (
	"archive/zip"
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
    sts            = "` + emu.URL + `"
  }
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
		ownEnv := append(slices.Clone(env), "TF_DATA_DIR="+filepath.Join(root, "tfdata-bad-inputs"))
		plan := func(args ...string) (string, error) {
			cmd := exec.Command("terraform", args...)
			cmd.Dir, cmd.Env = dir, ownEnv
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := plan("init", "-input=false", "-no-color"); err != nil {
			t.Fatalf("init: %v\n%s", err, out)
		}
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
		// Many services with every setting: Lambda's 4 KB of environment is over; the plan says so.
		many := dir + "-many"
		if err := os.MkdirAll(many, 0o755); err != nil {
			t.Fatal(err)
		}
		var list []string
		for i := range 40 {
			list = append(list, fmt.Sprintf(`{ name = "service-%02d", cluster = "prod", host = "service-%02d.example.com", port = 8080, healthPath = "/healthz", wakeCount = 2, sleepAfterMinutes = 30, keepWarm = ["mon-fri 08:00-18:00"], timezone = "Europe/Berlin" }`, i, i))
		}
		write(t, filepath.Join(many, "main.tf"), `module "scale_to_zero" {
  source       = "../infra"
  package_dir  = "`+pkgDir+`"
  cluster_name = "prod"
  services     = [`+strings.Join(list, ",\n    ")+`]
}
`+override)
		manyEnv := append(slices.Clone(env), "TF_DATA_DIR="+filepath.Join(root, "tfdata-many"))
		for _, args := range [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}} {
			cmd := exec.Command("terraform", args...)
			cmd.Dir, cmd.Env = many, manyEnv
			out, err := cmd.CombinedOutput()
			if args[0] == "init" && err != nil {
				t.Fatalf("init: %v\n%s", err, out)
			}
			if args[0] == "plan" && (err == nil || !strings.Contains(string(out), "over Lambda's 4 KB")) {
				t.Errorf("plan of 40 services with every setting: %v, want the 4 KB message\n%s", err, out)
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

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
