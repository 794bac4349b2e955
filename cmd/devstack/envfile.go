package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// unsetForTheStack are variables a shell may already have that would send the
// functions, or the AWS CLI, somewhere other than this stack: a profile (it
// names settings of this machine's shared configuration, not the stack's:
// https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html), a
// session token (part of other credentials than the stack's:
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html),
// per-service endpoints (they win over AWS_ENDPOINT_URL:
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html),
// the switch that ignores configured endpoints, another services list, and
// the Lambda Runtime API (with it a function waits for Lambda's events).
var unsetForTheStack = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
	"AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_RDS",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"SERVICES", "SERVICES_FILE", "SERVICES_S3", "SERVICES_S3_VERSION",
	"AWS_LAMBDA_RUNTIME_API",
}

// envFileText is the env file for env (NAME=value entries): a shell script
// that unsets what would get in the way and exports each variable.
func envFileText(env []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# The local stack's environment, written by devstack (pid %d) and removed when it stops.\n", os.Getpid())
	b.WriteString("# Source it to run the functions, or the AWS CLI, against the stack. It unsets what would\n")
	b.WriteString("# send them elsewhere (a profile, per-service endpoints, another services list).\n")
	b.WriteString("unset " + strings.Join(unsetForTheStack, " ") + "\n")
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", name, shellQuote(value))
		if name == "AWS_REGION" {
			// For tools that read only the older name (the AWS CLI reads both:
			// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html).
			fmt.Fprintf(&b, "export AWS_DEFAULT_REGION=%s\n", shellQuote(value))
		}
	}
	return b.Bytes()
}

// writeEnvFile writes the env file for env at path (readable by this user
// only: it holds the stack's token key); remove removes it, unless another
// stack has written its own there since.
func writeEnvFile(path string, env []string) (remove func(), err error) {
	text := envFileText(env)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	if err := os.WriteFile(path, text, 0o600); err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	return func() {
		if now, err := os.ReadFile(path); err == nil && bytes.Equal(now, text) {
			_ = os.Remove(path)
		}
	}, nil
}

// invokeCommands are the one-line direct invocations of the functions against
// the stack, to paste in another terminal in this folder.
func invokeCommands(o options) []string {
	source := "source " + shellPath(o.envFile) + " && "
	cmds := []string{source + shellPath(o.wakeBin) + ` invoke '{"action":"status"}'`}
	if o.sleepBin != "" {
		cmds = append(cmds,
			source+shellPath(o.sleepBin)+` invoke '{"action":"evaluate","dryRun":true}'`,
			source+shellPath(o.sleepBin)+` invoke '{"action":"calibrate","service":"`+service+`"}'`)
	}
	return cmds
}

// shellPath is path as a shell command line names it: a bare name would be
// looked up in PATH, so it gets ./ before it.
func shellPath(path string) string {
	if !strings.ContainsRune(path, '/') {
		path = "./" + path
	}
	return shellQuote(path)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
