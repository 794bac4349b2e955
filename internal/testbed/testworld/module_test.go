package testworld

import (
	"strings"
	"testing"
)

func TestModuleDefaultReadsOnlyTheVariablesOwnBlock(t *testing.T) {
	src := []byte(`variable "memory_mb" {
  type    = number
  default = null
}

variable "wake_memory_mb" {
  type    = number
  default = 512

  validation {
    condition = var.wake_memory_mb >= 128
  }
}

variable "wake" {
  default = 7
}
`)
	for _, tc := range []struct {
		variable string
		want     int
		err      string
	}{
		{"wake_memory_mb", 512, ""},
		{"wake", 7, ""},
		{"memory_mb", 0, "no number default"}, // not the next variable's 512
		{"autosleep_memory_mb", 0, "no variable"},
	} {
		got, err := moduleDefault(src, tc.variable)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %d, %v; want an error saying %q", tc.variable, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.variable, got, err, tc.want)
		}
	}
}

func TestModuleDefaultReadsTheModule(t *testing.T) {
	if got := ModuleDefault(t, "wake_reserved_concurrency"); got < 1 {
		t.Fatalf("wake_reserved_concurrency's default %d", got)
	}
}
