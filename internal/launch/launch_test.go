package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// environment is a function's environment: one service, a region, and
// nothing that makes the SDK look for an instance's metadata.
func environment(t *testing.T, extra map[string]string) func(string) string {
	t.Helper()
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	vars := map[string]string{"SERVICE_NAME": "web", "CLUSTER_NAME": "c", "LOG_LEVEL": "error"}
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

// echo is a function whose direct invocations answer with the event's action
// and whose local run prints "local".
func echo(built *Env) Function {
	return Function{
		Name:  "echo",
		Usage: "echo [invoke '{\"action\":\"NAME\"}']",
		Build: func(_ context.Context, env Env) (Handlers, error) {
			*built = env
			return Handlers{
				Event: func(_ context.Context, raw json.RawMessage) (any, error) {
					var cmd struct{ Action string }
					if err := json.Unmarshal(raw, &cmd); err != nil || cmd.Action == "fail" {
						return nil, errors.New("cannot " + cmd.Action)
					}
					return map[string]string{"did": cmd.Action}, nil
				},
				Local: func(_ context.Context, out io.Writer) error { return PrintJSON(out, "local") },
			}, nil
		},
	}
}

func TestTheCommandLineChoosesHowTheFunctionRuns(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		code       int
		stdout     string
		stderr     string
		configured bool
	}{
		{"no arguments runs it locally", nil, nil, 0, "\"local\"\n", "", true},
		{"invoke runs one event and prints the answer", []string{"invoke", `{"action":"status"}`}, nil, 0, "{\n  \"did\": \"status\"\n}\n", "", true},
		{"an invocation that fails says why", []string{"invoke", `{"action":"fail"}`}, nil, 1, "", "echo: cannot fail\n", true},
		{"-h prints the usage, whatever the configuration", []string{"-h"}, map[string]string{"SERVICE_NAME": ""}, 0, "usage: echo [invoke", "", false},
		{"--help too", []string{"--help"}, nil, 0, "usage: echo [invoke", "", false},
		{"arguments it does not take are refused with the usage", []string{"evaluate"}, nil, 2, "", "echo: unexpected arguments [\"evaluate\"]\nusage: echo [invoke", false},
		{"invoke without an event is refused", []string{"invoke"}, nil, 2, "", "echo: invoke takes one event in JSON", false},
		{"an invalid configuration names the setting", nil, map[string]string{"LOG_LEVEL": "loud"}, 1, "", "echo: invalid configuration: LOG_LEVEL: must be debug, info, warn or error", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var built Env
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), echo(&built), tc.args, environment(t, tc.env), &stdout, &stderr)
			if code != tc.code || !strings.HasPrefix(stdout.String(), tc.stdout) || !strings.HasPrefix(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
			}
			if configured := built.Log != nil; configured != tc.configured {
				t.Fatalf("built with a configuration: %v, want %v", configured, tc.configured)
			}
		})
	}
}

func TestTheFunctionStartsWithItsConfigurationLoggerAndRegion(t *testing.T) {
	var built Env
	var stdout, stderr bytes.Buffer
	getenv := environment(t, map[string]string{"LOG_LEVEL": "WARN", "DRY_RUN": "true"})
	if code := run(context.Background(), echo(&built), nil, getenv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if built.Config.Services.Names()[0] != "web" || !built.Config.DryRun || built.AWS.Region != "us-east-1" {
		t.Fatalf("started with %+v", built)
	}
	built.Log.Info("not shown")
	built.Log.Warn("shown")
	var line struct{ Function, Services, Msg string }
	if err := json.Unmarshal(stderr.Bytes(), &line); err != nil || line.Function != "echo" || line.Services != "web" || line.Msg != "shown" {
		t.Fatalf("log %q (%v), want one JSON line at warn naming the function and its service", stderr.String(), err)
	}
}
