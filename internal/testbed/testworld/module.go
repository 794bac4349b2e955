package testworld

import (
	"bytes"
	"fmt"
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
	n, err := moduleDefault(b, variable)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}

var numberDefault = regexp.MustCompile(`\n  default\s*=\s*(\d+)\n`)

// moduleDefault reads the number default of variable from variables.tf's
// text: within the variable's own block, which ends at the first closing
// brace at the start of a line (terraform fmt's layout, checked by the infra
// test), so a variable without one never borrows the next one's.
func moduleDefault(src []byte, variable string) (int, error) {
	start := bytes.Index(src, []byte(`variable "`+variable+`" {`))
	if start < 0 {
		return 0, fmt.Errorf("no variable %q", variable)
	}
	block := src[start:]
	if end := bytes.Index(block, []byte("\n}\n")); end >= 0 {
		block = block[:end+1]
	}
	m := numberDefault.FindSubmatch(block)
	if m == nil {
		return 0, fmt.Errorf("variable %q has no number default", variable)
	}
	return strconv.Atoi(string(m[1]))
}
