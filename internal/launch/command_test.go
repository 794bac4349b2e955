package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// withReport is echo with a command `report [--json]`.
func withReport(built *Env) Function {
	f := echo(built)
	f.Commands = map[string]func([]string) error{"report": func(args []string) error {
		if len(args) > 1 || (len(args) == 1 && args[0] != "--json") {
			return errors.New("takes --json only")
		}
		return nil
	}}
	build := f.Build
	f.Build = func(ctx context.Context, env Env) (Handlers, error) {
		h, err := build(ctx, env)
		h.Command = func(_ context.Context, c Command, out io.Writer) error {
			_, err := fmt.Fprintf(out, "%s %q", c.Name, c.Args)
			return err
		}
		return h, err
	}
	return f
}

func TestAFunctionsOwnCommandsRunWithTheirArgumentsChecked(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"the command runs", []string{"report"}, 0, `report []`, ""},
		{"with its arguments", []string{"report", "--json"}, 0, `report ["--json"]`, ""},
		{"arguments it does not take are a usage error, before anything starts", []string{"report", "--xml"}, 2, "", "echo: report: takes --json only\nusage: echo"},
		{"invoke still works beside it", []string{"invoke", `{"action":"status"}`}, 0, `"did": "status"`, ""},
		{"a command it does not have is refused", []string{"reboot"}, 2, "", `unexpected arguments ["reboot"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			var built Env
			code := run(context.Background(), withReport(&built), tc.args, environment(t, nil), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
