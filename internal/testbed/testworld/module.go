package testworld

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"
)

// ModuleDefault is the default of a number variable of the Terraform module
// (infra/variables.tf), so that the test world runs the functions as the
// module deploys them and follows it when a default changes.
func ModuleDefault(t testing.TB, variable string) int {
	t.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find the module: no caller information")
	}
	path := filepath.Join(filepath.Dir(here), "..", "..", "..", "infra", "variables.tf")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the module's variables: %v", err)
	}
	// The variable's block, up to its first default (every variable's default
	// comes before its validation blocks in this file).
	re := regexp.MustCompile(`(?s)variable "` + regexp.QuoteMeta(variable) + `" \{.*?\n  default\s*=\s*(\d+)\n`)
	m := re.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no variable %q with a number default", path, variable)
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
