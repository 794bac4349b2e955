package infra_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/awsactions"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// fleetTF is a root with 100 services giving every setting, in the three
// shapes a fleet mixes: services judged by their load balancer's requests,
// by their network traffic, and by a metric of their own.
func fleetTF(pkgDir string) string {
	var list []string
	for i := range 100 {
		var signal string
		switch i % 3 {
		case 0:
			signal = fmt.Sprintf(`idleSignal = "requests", idleThreshold = 1, targetGroup = "targetgroup/service-%03d/0123456789abcdef", loadBalancer = "app/shared/0123456789abcdef", countConnections = false`, i)
		case 1:
			signal = `idleSignal = "network", idleThreshold = 2`
		case 2:
			signal = `idleSignal = "custom", idleThreshold = 0, metric = { namespace = "App", name = "ActiveSessions", dimensions = { Service = "web" }, statistic = "Maximum", missingData = "idle" }`
		}
		list = append(list, fmt.Sprintf(`{ name = "service-%03d", cluster = "prod", host = "service-%03d.apps.example.com", pathPrefix = "/app", port = 8080, scheme = "http", healthPath = "/healthz", address = "public", wakeCount = 2, wakeTimeoutSeconds = 600, sleepAfterMinutes = 30, graceMinutes = 10, %s, timezone = "Europe/Berlin", sleepAt = "22:30", keepWarm = ["mon-fri 08:00-18:00", "sat 10:00-12:00"] }`, i, i, signal))
	}
	return `variable "storage" {
  type = string
}
variable "scope" {
  type    = string
  default = "services"
}
module "scale_to_zero" {
  source            = "../infra"
  name              = "fleet"
  package_dir       = "` + pkgDir + `"
  cluster_name      = "prod"
  services_storage  = var.storage
  iam_service_scope = var.scope
  # Every optional statement of the roles' policies, to measure the largest.
  enable_tracing          = true
  wake_subnet_ids         = ["subnet-0123456789abcdef0"]
  wake_security_group_ids = ["sg-0123456789abcdef0"]
  services = [
    ` + strings.Join(list, ",\n    ") + `
  ]
}
`
}

// environment is a function's configuration as Lambda reports it.
type environment struct {
	Environment struct{ Variables map[string]string }
}

func checkManyServices(t *testing.T, w *world) {
	run := w.module(t, "many", fleetTF(w.pkgDir))
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
		checkFleetFunction(t, w, fn)
	}

	// A second apply with a changed list writes a new version, and the functions
	// move to it together; the version they left is still there for a rollback.
	var before, after environment
	w.aws(t, &before, "lambda", "get-function-configuration", "--function-name", "fleet-wake")
	main := filepath.Join(w.root, "many", "main.tf")
	write(t, main, strings.Replace(readFile(t, main), `service-000.apps.example.com`, `service-000.example.org`, 1))
	if out, err := run(apply...); err != nil {
		t.Fatalf("apply of a changed list: %v\n%s", err, out)
	}
	w.aws(t, &after, "lambda", "get-function-configuration", "--function-name", "fleet-wake")
	oldVersion, newVersion := before.Environment.Variables["SERVICES_S3_VERSION"], after.Environment.Variables["SERVICES_S3_VERSION"]
	if newVersion == oldVersion {
		t.Fatalf("the list changed but the functions still name version %s", oldVersion)
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(after.Environment.Variables["SERVICES_S3"], "s3://"), "/")
	var versions struct{ Versions []struct{ VersionId string } }
	w.aws(t, &versions, "s3api", "list-object-versions", "--bucket", bucket, "--prefix", key)
	var ids []string
	for _, v := range versions.Versions {
		ids = append(ids, v.VersionId)
	}
	if !slices.Contains(ids, oldVersion) || !slices.Contains(ids, newVersion) {
		t.Fatalf("versions %v, want both %s and %s", ids, oldVersion, newVersion)
	}
	checkIAMScope(t, w)
}

// checkFleetFunction checks one function of the fleet: its environment names
// the list's object, its role may read that object and nothing else of S3,
// and the built function, given that environment, knows all 100 services.
func checkFleetFunction(t *testing.T, w *world, fn string) {
	var conf environment
	w.aws(t, &conf, "lambda", "get-function-configuration", "--function-name", "fleet-"+fn)
	v := conf.Environment.Variables
	if v["SERVICES"] != "" || !strings.HasPrefix(v["SERVICES_S3"], "s3://fleet-config-") || !strings.HasSuffix(v["SERVICES_S3"], "/services.json") || v["SERVICES_S3_VERSION"] == "" {
		t.Fatalf("%s environment %v, want the list's object and version instead of the list", fn, v)
	}
	size, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s environment: %d bytes of Lambda's 4,096", fn, len(size))

	pol := rolePolicy(t, w, "fleet-"+fn)
	checkPolicySizeEstimate(t, fn, pol)
	object := "arn:aws:s3:::" + strings.TrimPrefix(v["SERVICES_S3"], "s3://")
	var s3Actions []string
	for _, st := range pol.Statement {
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
	checkBuiltFunctionReadsTheList(t, w, fn, v)
}

// checkPolicySizeEstimate: the plan estimates the policy's size before the
// log group's ARN is known; its fixed part must never be more than the
// module assumes.
func checkPolicySizeEstimate(t *testing.T, fn string, pol policy) {
	doc, err := json.Marshal(pol)
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
}

// checkBuiltFunctionReadsTheList runs the built function with the deployed
// environment: it must load the list from S3 and know every service.
func checkBuiltFunctionReadsTheList(t *testing.T, w *world, fn string, v map[string]string) {
	bin, err := testworld.Build(t.TempDir(), "../functions/"+fn, fn)
	if err != nil {
		t.Fatal(err)
	}
	cmdEnv := w.emu.Environ()
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

// checkIAMScope: past what IAM lets a role's inline policy name, the plan
// says so and what to do; granting on the clusters' services fits any number.
func checkIAMScope(t *testing.T, w *world) {
	plan := w.module(t, "many-iam", `variable "scope" {
  type = string
}
module "scale_to_zero" {
  source            = "../infra"
  package_dir       = "`+w.pkgDir+`"
  cluster_name      = "prod"
  name              = "wide"
  services_storage  = "s3"
  iam_service_scope = var.scope
  services          = [for i in range(200) : { name = format("customer-portal-backend-%03d", i), host = format("c%03d.example.com", i) }]
}
`)
	if out, err := plan("plan", "-input=false", "-no-color", "-var", "scope=services"); err == nil || !strings.Contains(out, "over IAM's 10,240") || !strings.Contains(out, `iam_service_scope = "clusters"`) {
		t.Fatalf("plan of 200 services named one by one: %v, want the IAM size message\n%s", err, out)
	}
	if out, err := plan("plan", "-input=false", "-no-color", "-var", "scope=clusters"); err != nil || !strings.Contains(out, `service/prod/*`) {
		t.Fatalf("plan of 200 services scoped to their cluster: %v\n%s", err, out)
	}
}
