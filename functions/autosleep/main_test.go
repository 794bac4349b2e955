package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testworld"
)

// autosleepBin and wakeBin are built once for every test here.
var autosleepBin, wakeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "autosleep-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if autosleepBin, err = testworld.Build(dir, ".", "autosleep"); err == nil {
		wakeBin, err = testworld.Build(dir, "../wake", "wake")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
