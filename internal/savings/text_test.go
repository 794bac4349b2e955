package savings

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestTheTextTableMatchesItsGoldenFileAndFits100Columns(t *testing.T) {
	for _, tt := range []struct {
		name, golden string
		report       Report
	}{
		{"services", "report.txt", sampleReport()},
		{"services and their databases", "report-databases.txt", sampleReportWithDatabases()},
	} {
		t.Run(tt.name, func(t *testing.T) { checkGolden(t, tt.report, tt.golden) })
	}
}

func checkGolden(t *testing.T, r Report, file string) {
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("the table differs from %s (go test -run TextTable -update rewrites it):\n%s", golden, b.String())
	}
	for i, line := range strings.Split(b.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line %d is %d columns: %q", i+1, n, line)
		}
	}
}
