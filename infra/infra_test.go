// Package infra_test applies the Terraform module's example against the AWS
// emulator and checks what it created, that each role grants exactly the
// actions its function's code calls, and that bad inputs fail at plan time.
package infra_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
)

// mirror is where the machines keep the AWS provider; nothing is downloaded.
const mirror = "/opt/tf-plugins"

func TestTerraformFormatting(t *testing.T) {
	out, err := exec.Command("terraform", "fmt", "-check", "-recursive", "-diff", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("terraform fmt -check: %v\n%s", err, out)
	}
}

func TestExampleAppliesAgainstTheEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("applies the module against the emulator (about 5 minutes)")
	}
	w := newWorld(t)
	ex := w.example(t)
	start := time.Now()
	ex.apply(t)
	applied := time.Since(start)
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			ex.destroy(t)
		}
	})

	t.Run("functions with their environment", func(t *testing.T) { checkFunctions(t, w, ex) })
	t.Run("bad inputs fail at plan time; private addresses attach Wake to the VPC", func(t *testing.T) { checkBadInputs(t, w) })
	t.Run("a service's settings left out are not written: the list stays small", func(t *testing.T) { checkListWithoutNulls(t, w) })
	t.Run("100 services with every setting: the list in S3, read by the built functions", func(t *testing.T) { checkManyServices(t, w) })
	t.Run("the API's routes are the spec's, all to the Wake function", func(t *testing.T) { checkRoutes(t, w) })
	t.Run("the schedule runs Auto-Sleep every minute", func(t *testing.T) { checkSchedule(t, w) })
	t.Run("every log group has a retention", func(t *testing.T) { checkLogRetention(t, w) })
	t.Run("a KMS key for the logs encrypts every log group", func(t *testing.T) { checkLogEncryption(t, w) })
	t.Run("each role grants exactly what its function's code calls", func(t *testing.T) { checkRolesMatchTheCode(t, w) })
	t.Run("the operator's prices reach Auto-Sleep, checked at plan time", func(t *testing.T) { checkPrices(t, w) })
	t.Run("the dashboard and the alarm watch the metrics the functions write", func(t *testing.T) { checkMonitoring(t, w) })
	t.Run("a plan after the apply leaves the API as it is, without a warning", func(t *testing.T) { checkPlanAfterApply(t, ex) })
	t.Run("turning tracing on brings its permissions", func(t *testing.T) { checkTracingPlan(t, ex) })

	start = time.Now()
	ex.destroy(t)
	destroyed = true
	var fns struct {
		Functions []struct{ FunctionName string }
	}
	w.aws(t, &fns, "lambda", "list-functions")
	if len(fns.Functions) != 0 {
		t.Fatalf("functions left after destroy: %+v", fns.Functions)
	}
	t.Logf("terraform apply %s, destroy %s", applied.Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond))
}

// world is what every root of the test shares: a copy of the module and the
// API spec, the functions packaged as `make package` does, the emulator, and
// Terraform's settings.
type world struct {
	root, pkgDir string
	emu          *emulator.Server
	// env runs Terraform with the provider mirror, offline.
	env []string
	// override points the AWS provider at the emulator.
	override string
	// inputsRoot plans the module with the inputs under test (see inputs).
	inputsRoot func(args ...string) (string, error)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{root: t.TempDir()}
	copyTree(t, ".", filepath.Join(w.root, "infra"))
	copyTree(t, "../api", filepath.Join(w.root, "api"))
	w.pkgDir = filepath.Join(w.root, "build", "lambda")
	for _, fn := range []string{"wake", "autosleep"} {
		packageFunction(t, fn, w.pkgDir)
	}
	emu, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Stop)
	w.emu = emu
	w.override = `provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  endpoints {
    apigatewayv2   = "` + emu.URL + `"
    cloudwatch     = "` + emu.URL + `"
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
	cli := filepath.Join(w.root, "terraform.rc")
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
	w.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cli, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return w
}

// aws runs the AWS CLI against the emulator and decodes its JSON answer into v.
func (w *world) aws(t *testing.T, v any, args ...string) {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", w.emu.URL, "--region", emulator.Region, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
}

// module writes a root of its own, named name, that calls the module with
// main.tf's inputs against the emulator, initialises it with its own data
// folder (the example's modules stay installed), and returns a runner.
func (w *world) module(t *testing.T, name, mainTF string) func(args ...string) (string, error) {
	t.Helper()
	dir := filepath.Join(w.root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "main.tf"), mainTF+w.override)
	return terraformIn(t, dir, w.env, filepath.Join(w.root, "tfdata-"+name))
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

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, path string, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
