package infra_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// inputs is a root that calls the module with the inputs under test, made once.
func (w *world) inputs(t *testing.T) func(args ...string) (string, error) {
	t.Helper()
	if w.inputsRoot == nil {
		w.inputsRoot = w.module(t, "inputs", inputsTF(w.pkgDir))
	}
	return w.inputsRoot
}

func inputsTF(pkgDir string) string {
	return `variable "concurrency" {
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
variable "services" {
  type    = any
  default = []
}
variable "log_key" {
  type    = string
  default = ""
}
variable "metrics_namespace" {
  type    = string
  default = "ScaleToZero"
}
variable "dashboard" {
  type    = bool
  default = false
}
variable "alarm_topic" {
  type    = string
  default = ""
}
variable "wake_memory" {
  type    = number
  default = 512
}
module "scale_to_zero" {
  source                    = "../infra"
  package_dir               = "` + pkgDir + `"
  cluster_name              = "prod"
  service_name              = "web"
  services                  = var.services
  wake_reserved_concurrency = var.concurrency
  token_key                 = var.key
  idle_signal               = var.signal
  target_group              = var.target_group
  address_mode              = var.address_mode
  wake_subnet_ids           = var.subnets
  wake_security_group_ids   = var.security_groups
  log_kms_key_arn           = var.log_key
  metrics_namespace         = var.metrics_namespace
  dashboard                 = var.dashboard
  alarm_sns_topic_arn       = var.alarm_topic
  wake_memory_mb            = var.wake_memory
}
`
}

func checkBadInputs(t *testing.T, w *world) {
	plan := w.inputs(t)
	for _, bad := range []struct {
		vars  []string
		wants []string
	}{
		{[]string{"-var", "concurrency=0", "-var", "key="}, []string{"wake_reserved_concurrency must be a whole number between 1 and 1000"}},
		{[]string{"-var", "concurrency=10", "-var", "key=short"}, []string{"token_key must be empty"}},
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", "signal=requests", "-var", "target_group=targetgroup/web/1"}, []string{"never by target group alone"}},
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", "address_mode=private"}, []string{"cannot reach a task's private IP"}},
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", `subnets=["subnet-1"]`}, []string{"set both or neither"}},
		// The same rules for a list, naming the services at fault (a plan
		// reports every rule of the list it breaks).
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", `services=[{name="web",port=0},{name="docs",idleSignal="requests",targetGroup="targetgroup/docs/1"},{name="api",port=80}]`},
			[]string{"port must be between 1 and 65535: web.", "never a target group alone", "At fault: docs."}},
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", `services=[{name="web",address="private"}]`}, []string{"cannot reach a task's private IP"}},
		// A database is named by exactly one key, with an identifier RDS accepts.
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", `services=[{name="web",dependsOn=[{rdsInstance="1db"}]},{name="api",dependsOn=[{rdsInstance="a",auroraCluster="b"}]},{name="ok",dependsOn=[{auroraCluster="orders"}]}]`},
			[]string{"Each dependsOn entry is", "At fault: web, api."}},
		// Lambda's memory range: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", "wake_memory=64"}, []string{"wake_memory_mb must be a whole number of MB between 128 and 10240"}},
		// CloudWatch Logs takes a key's ARN, never an alias.
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", "log_key=arn:aws:kms:us-east-1:123456789012:alias/logs"}, []string{"log_kms_key_arn must be a KMS key's ARN"}},
		{[]string{"-var", "concurrency=10", "-var", "key=", "-var", "log_key=1234abcd-12ab-34cd-56ef-1234567890ab"}, []string{"log_kms_key_arn must be a KMS key's ARN"}},
	} {
		out, err := plan(append([]string{"plan", "-input=false", "-no-color"}, bad.vars...)...)
		// Terraform wraps its messages: compare them on one line.
		flat := strings.Join(strings.Fields(out), " ")
		for _, want := range bad.wants {
			if err == nil || !strings.Contains(flat, want) {
				t.Errorf("plan with %v: %v, want the message %q\n%s", bad.vars, err, want, out)
			}
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
}

// checkListWithoutNulls plans a list whose entries give few settings, one of
// them inside the metric, and reads the list the functions would get.
func checkListWithoutNulls(t *testing.T, w *world) {
	run := w.inputs(t)
	list := `services=[{ name = "shop", host = "shop.example.com", port = 8080, dependsOn = [{ rdsInstance = "shop-db" }] }, ` +
		`{ name = "docs", pathPrefix = "/docs", idleSignal = "custom", idleThreshold = 0.5, metric = { namespace = "App", name = "Sessions" } }]`
	envs, out := planEnvironments(t, run, "-var", "concurrency=10", "-var", "key=", "-var", list)
	const want = `[{"dependsOn":[{"rdsInstance":"shop-db"}],"host":"shop.example.com","name":"shop","port":8080},` +
		`{"idleSignal":"custom","idleThreshold":0.5,"metric":{"name":"Sessions","namespace":"App"},"name":"docs","pathPrefix":"/docs"}]`
	// Auto-Sleep's environment is known at plan time (Wake's holds the
	// token key, made at apply).
	env, found := envs[autosleepFunction]
	if !found {
		t.Fatalf("no Auto-Sleep function in the plan:\n%.2000s", out)
	}
	if env["SERVICES"] != want {
		t.Errorf("SERVICES in the plan: %+v\nwant only the settings given: %s", env, want)
	}
}

// autosleepFunction is Auto-Sleep's function in the module's plan.
const autosleepFunction = `module.scale_to_zero.aws_lambda_function.function["autosleep"]`

// planEnvironments plans the module with the variables given and returns the
// environment of each function the plan shows one for (by address), and the
// plan as JSON.
func planEnvironments(t *testing.T, run func(args ...string) (string, error), vars ...string) (map[string]map[string]string, string) {
	t.Helper()
	if out, err := run(append(append([]string{"plan", "-input=false", "-no-color"}, vars...), "-out=plan.bin")...); err != nil {
		t.Fatalf("plan with %v: %v\n%s", vars, err, out)
	}
	out, err := run("show", "-json", "plan.bin")
	if err != nil {
		t.Fatalf("show the plan: %v\n%s", err, out)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string
			Change  struct {
				After struct {
					Environment []struct{ Variables map[string]string }
				}
			}
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatal(err)
	}
	envs := map[string]map[string]string{}
	for _, rc := range plan.ResourceChanges {
		if len(rc.Change.After.Environment) == 1 {
			envs[rc.Address] = rc.Change.After.Environment[0].Variables
		}
	}
	return envs, out
}

// checkLogEncryption plans the module with a KMS key for the logs, in both
// forms of key ID, and reads the key on each of the three log groups.
func checkLogEncryption(t *testing.T, w *world) {
	run := w.inputs(t)
	for _, key := range []string{
		"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
	} {
		if out, err := run("plan", "-input=false", "-no-color", "-var", "concurrency=10", "-var", "key=", "-var", "log_key="+key, "-out=plan.bin"); err != nil {
			t.Fatalf("plan with log_kms_key_arn %s: %v\n%s", key, err, out)
		}
		out, err := run("show", "-json", "plan.bin")
		if err != nil {
			t.Fatalf("show the plan: %v\n%s", err, out)
		}
		var plan struct {
			ResourceChanges []struct {
				Address string
				Type    string
				Change  struct {
					After struct {
						Name     string
						KmsKeyID string `json:"kms_key_id"`
					}
				}
			} `json:"resource_changes"`
		}
		if err := json.Unmarshal([]byte(out), &plan); err != nil {
			t.Fatal(err)
		}
		groups := 0
		for _, rc := range plan.ResourceChanges {
			if rc.Type != "aws_cloudwatch_log_group" {
				continue
			}
			groups++
			if rc.Change.After.KmsKeyID != key {
				t.Errorf("log group %s: kms_key_id %q, want %q", rc.Change.After.Name, rc.Change.After.KmsKeyID, key)
			}
		}
		if groups != 3 {
			t.Errorf("%d log groups in the plan, want the two functions' and the API's", groups)
		}
	}
}
