package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// decodeErrorObject reads stdout as exactly one JSON error object.
func decodeErrorObject(t *testing.T, stdout string) invoke.Object {
	t.Helper()
	var got invoke.Object
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || dec.More() {
		t.Fatalf("stdout %q is not one JSON error object: %v", stdout, err)
	}
	return got
}

// offline is an environment whose AWS answers nothing: its endpoint is a
// loopback port nobody listens on.
func offline(t *testing.T, extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL=http://" + testworld.FreeAddr(t),
		"CLUSTER_NAME=c", "SERVICE_NAME=web", "APP_PORT=8080", "LOG_LEVEL=error",
	}, extra...)
}

func TestALocalInvocationThatFailsPrintsAJSONErrorAndExitsNonZero(t *testing.T) {
	alb, err := os.ReadFile("../../testdata/lambda/bad-alb-request.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, event string
		env         []string
		errorType   invoke.Kind
		field, says string
	}{
		{"a payload that is not JSON", `not json`, nil, "BadEvent", "", "the payload is not JSON at character 2"},
		{"a misspelt field", `{"action":"status","servce":"web"}`, nil, "BadEvent", "servce", `did you mean "service"?`},
		{"an unknown action", `{"action":"reboot"}`, nil, "UnknownAction", "action", "use wake, status or sleep"},
		{"a service not configured", `{"action":"wake","service":"nope"}`, nil, "UnknownService", "service", `unknown service "nope": one of web`},
		{"an option of Auto-Sleep's", `{"action":"sleep","dryRun":true}`, nil, "InvalidRequest", "dryRun", "Auto-Sleep option"},
		{"a load balancer's request", string(alb), nil, "BadEvent", "", "Application Load Balancer"},
		{"an AWS call that gets no answer", `{"action":"sleep"}`, nil, "AWSError", "", "sleep web: "},
		{"a broken configuration", `{"action":"status"}`, []string{"APP_PORT=http"}, "InvalidConfiguration", "APP_PORT", "invalid configuration: APP_PORT: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := testworld.RunOnce(t, wakeBin, offline(t, tc.env...), "invoke", tc.event)
			got := decodeErrorObject(t, stdout)
			if code != 1 || got.ErrorType != tc.errorType || got.Field != tc.field || !strings.Contains(got.Error, tc.says) {
				t.Fatalf("exit %d, printed %+v; want 1 and %s about %q saying %q", code, got, tc.errorType, tc.field, tc.says)
			}
			if !strings.Contains(stderr, "wake: "+got.Error+"\n") {
				t.Fatalf("stderr %q: want the error in words", stderr)
			}
		})
	}
}

func TestHelpPrintsTheUsageWithoutAnyConfiguration(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		code, stdout, stderr := testworld.RunOnce(t, wakeBin, []string{"PATH=" + os.Getenv("PATH")}, arg)
		if code != 0 || !strings.HasPrefix(stdout, "usage: wake [invoke '{\"action\":\"wake|status|sleep\"") || stderr != "" {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q; want the usage", arg, code, stdout, stderr)
		}
	}
}
