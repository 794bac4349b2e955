package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestTheEnvFileReachesTheStack runs the invoke commands the stack prints,
// as written, from a shell whose environment would send them elsewhere (a
// profile that does not exist, an ECS endpoint that does not answer, another
// services list): the env file puts them on the stack, and they answer about
// the demo service. The file is gone once the stack stops.
func TestTheEnvFileReachesTheStack(t *testing.T) {
	needsEmulator(t)
	t.Parallel() // each runs a stack of its own, on its own address
	dir := t.TempDir()
	p := testworld.StartProcess(t, devstackBin, append(os.Environ(), "AWS_ENDPOINT_URL="), stackArgs(testworld.FreeAddr(t), dir)...)
	waitUp(t, p)
	var commands []string
	for line := range strings.Lines(p.Output()) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "source ") {
			commands = append(commands, line)
		}
	}
	if len(commands) != 3 {
		t.Fatalf("want 3 invoke commands (status, evaluate, calibrate) in the banner:\n%s", p.Output())
	}
	shellEnv := append(os.Environ(), "AWS_PROFILE=not-on-this-machine", "AWS_ENDPOINT_URL_ECS=http://127.0.0.1:9",
		`SERVICES=[{"name":"elsewhere","cluster":"elsewhere"}]`)
	for _, command := range commands {
		cmd := exec.Command("bash", "-c", command)
		cmd.Env = shellEnv
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", command, err, exitOutput(err))
		}
		var answer struct {
			Service, State string
			DryRun         bool
			Services       []struct{ Service string }
		}
		if err := json.Unmarshal(out, &answer); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", command, err, out)
		}
		switch {
		case strings.Contains(command, `"status"`) && (answer.Service != service || answer.State != "asleep"):
			t.Errorf("%s: %s, want the demo service asleep", command, out)
		case strings.Contains(command, `"evaluate"`) && (!answer.DryRun || len(answer.Services) != 1 || answer.Services[0].Service != service):
			t.Errorf("%s: %s, want a dry run over the demo service", command, out)
		case strings.Contains(command, `"calibrate"`) && answer.Service != service:
			t.Errorf("%s: %s, want the demo service's calibration", command, out)
		}
	}
	_ = syscall.Kill(p.Cmd.Process.Pid, syscall.SIGTERM)
	if !p.Wait(30 * time.Second) {
		t.Fatal("devstack did not stop within 30 s of SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(dir, "devstack.env")); !os.IsNotExist(err) {
		t.Errorf("the env file is still there once the stack stopped (%v)", err)
	}
}

func exitOutput(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func TestTheEnvFileExportsEachValueAsGivenAndUnsetsWhatWouldGetInTheWay(t *testing.T) {
	text := string(envFileText([]string{"AWS_REGION=us-east-1", "SERVICE_NAME=demo-app", "ODD=it's $HOME"}))
	for _, want := range []string{
		"\nunset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_ECS",
		"\nexport AWS_REGION=us-east-1\nexport AWS_DEFAULT_REGION=us-east-1\n",
		"\nexport SERVICE_NAME=demo-app\n",
		"\nexport ODD='it'\\''s $HOME'\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("env file lacks %q:\n%s", want, text)
		}
	}
	// What a shell makes of it is what was given.
	cmd := exec.Command("sh", "-c", `eval "$0"; printf '%s|%s' "$ODD" "$AWS_DEFAULT_REGION"`, text)
	cmd.Env = []string{"HOME=/nowhere", "AWS_PROFILE=x"}
	out, err := cmd.Output()
	if err != nil || string(out) != "it's $HOME|us-east-1" {
		t.Errorf("sourced: %q, %v", out, err)
	}
}

func TestTheInvokeCommandsRunFromThisFolder(t *testing.T) {
	tests := []struct {
		name string
		o    options
		want []string
	}{
		{"as make run gives them", options{wakeBin: "build/wake", sleepBin: "build/autosleep", envFile: "build/devstack.env"}, []string{
			`source build/devstack.env && build/wake invoke '{"action":"status"}'`,
			`source build/devstack.env && build/autosleep invoke '{"action":"evaluate","dryRun":true}'`,
			`source build/devstack.env && build/autosleep invoke '{"action":"calibrate","service":"demo-app"}'`,
		}},
		{"bare names are run from this folder, odd paths quoted, no Auto-Sleep no commands of its own",
			options{wakeBin: "wake", envFile: "my stack.env"}, []string{
				`source './my stack.env' && ./wake invoke '{"action":"status"}'`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := invokeCommands(tc.o); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestTheStackRunsWakeOnTheModulesMemory(t *testing.T) {
	if want := testworld.ModuleDefault(t, "wake_memory_mb"); wakeMemoryMB != want {
		t.Fatalf("the stack runs Wake on %d MB, the module deploys it on %d MB", wakeMemoryMB, want)
	}
}
