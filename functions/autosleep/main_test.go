package main

import (
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// autosleepBin and wakeBin are built once for every test here.
var autosleepBin, wakeBin string

func TestMain(m *testing.M) {
	testworld.Main(m, map[string]testworld.Binary{
		"autosleep": {Pkg: ".", Path: &autosleepBin},
		"wake":      {Pkg: "../wake", Path: &wakeBin},
	})
}
