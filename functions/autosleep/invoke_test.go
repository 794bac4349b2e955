package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

func TestALocalInvocationThatFailsPrintsAJSONErrorAndExitsNonZero(t *testing.T) {
	tests := []struct {
		name, event string
		env         []string
		errorType   invoke.Kind
		field, says string
	}{
		{"a payload cut short", `{"action":"status"`, nil, invoke.BadEvent, "", "the payload is not JSON at the end"},
		{"a dry run that is not true or false", `{"action":"evaluate","dryRun":"yes"}`, nil, invoke.BadEvent, "dryRun", `want true or false, got "yes"`},
		{"an unknown action", `{"action":"reboot"}`, nil, invoke.UnknownAction, "action", "use evaluate, sleep, status or calibrate"},
		{"a service not configured", `{"action":"sleep","service":"nope"}`, nil, invoke.UnknownService, "service", `unknown service "nope"`},
		{"status with dryRun false", `{"action":"status","dryRun":false}`, nil, invoke.InvalidRequest, "dryRun", "status never changes anything"},
		{"an HTTP request", `{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}}}`, nil, invoke.BadEvent, "", "expected an EventBridge scheduled event"},
		{"an AWS call that gets no answer", `{"action":"sleep","service":"web"}`, nil, invoke.AWSError, "", "sleep web: "},
		{"a broken configuration", `{"action":"status"}`, []string{"SLEEP_AFTER_MINUTES=soon"}, invoke.InvalidConfiguration, "SLEEP_AFTER_MINUTES", "invalid configuration: SLEEP_AFTER_MINUTES: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := append([]string{
				"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
				"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
				// AWS answers nothing: a loopback port nobody listens on.
				"AWS_ENDPOINT_URL=http://" + testworld.FreeAddr(t),
				"CLUSTER_NAME=c", "SERVICE_NAME=web", "LOG_LEVEL=error",
			}, tc.env...)
			code, stdout, stderr := testworld.RunOnce(t, autosleepBin, env, "invoke", tc.event)
			var got invoke.Object
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil || dec.More() {
				t.Fatalf("stdout %q is not one JSON error object: %v", stdout, err)
			}
			if code != 1 || got.ErrorType != tc.errorType || got.Field != tc.field || !strings.Contains(got.Error, tc.says) {
				t.Fatalf("exit %d, printed %+v; want 1 and %s about %q saying %q", code, got, tc.errorType, tc.field, tc.says)
			}
			if !strings.Contains(stderr, "autosleep: "+got.Error+"\n") {
				t.Fatalf("stderr %q: want the error in words", stderr)
			}
		})
	}
}

func TestHelpPrintsTheUsageWithoutAnyConfiguration(t *testing.T) {
	code, stdout, stderr := testworld.RunOnce(t, autosleepBin, []string{"PATH=" + os.Getenv("PATH")}, "-h")
	if code != 0 || !strings.HasPrefix(stdout, "usage: autosleep [invoke '{\"action\":\"evaluate|sleep|status|calibrate\"") || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the usage", code, stdout, stderr)
	}
}
