package main

import (
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// wakeBin is the Wake binary built once for every test here.
var wakeBin string

func TestMain(m *testing.M) {
	testworld.Main(m, map[string]testworld.Binary{"wake": {Pkg: ".", Path: &wakeBin}})
}
