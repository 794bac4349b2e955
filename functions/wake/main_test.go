package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testworld"
)

// wakeBin is the Wake binary built once for every test here.
var wakeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wake-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wakeBin, err = testworld.Build(dir, ".", "wake")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
