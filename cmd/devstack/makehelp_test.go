package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestMakeHelpListsEveryTarget: each `## target: text` line of the Makefile
// is a line of `make help`, the target's name in a column of its own.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make on this machine")
	}
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("make", "-s", "--no-print-directory", "-C", "../..", "help").Output()
	if err != nil {
		t.Fatalf("make help: %v", err)
	}
	documented := regexp.MustCompile(`(?m)^## ([a-z-]+): (.*)$`).FindAllStringSubmatch(string(makefile), -1)
	if len(documented) < 10 {
		t.Fatalf("only %d documented targets in the Makefile", len(documented))
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(documented) {
		t.Fatalf("make help printed %d lines for %d documented targets:\n%s", len(lines), len(documented), out)
	}
	column := strings.Index(lines[0], documented[0][2])
	for i, d := range documented {
		want := "  " + d[1] + strings.Repeat(" ", max(1, column-2-len(d[1]))) + d[2]
		if lines[i] != want {
			t.Errorf("line %d: %q, want %q", i+1, lines[i], want)
		}
	}
}
