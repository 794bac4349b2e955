package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/lambdafront"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestBootstrapUnderTheLambdaRuntime drives the built binary as Lambda does:
// the EventBridge schedule, then operators' direct invocations.
func TestBootstrapUnderTheLambdaRuntime(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "web", 0)
	w.Awake(t, "web", 1, time.Hour)
	w.NetworkBytes(t, "web", 10, 30) // 0.5 bytes/second: idle
	rt, err := lambdafront.NewRuntimeAPI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	testworld.StartProcess(t, autosleepBin, w.Env(
		"AWS_LAMBDA_RUNTIME_API="+rt.Addr, "AWS_LAMBDA_FUNCTION_NAME=autosleep",
		"CLUSTER_NAME="+testworld.Cluster, "SERVICE_NAME=web", "SLEEP_AFTER_MINUTES=5", "DRY_RUN=true",
	))
	invoke := func(file string) lambdafront.Result {
		t.Helper()
		ev, err := os.ReadFile("../../testdata/lambda/" + file)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rt.Invoke(ev, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	t.Run("the schedule runs a tick in the configured dry-run mode", func(t *testing.T) {
		var rep report
		if res := invoke("eventbridge-scheduled.json"); res.IsError || res.Decode(&rep) != nil {
			t.Fatalf("answer %s", res.Body)
		}
		if !rep.DryRun || actions(rep)["web"] == "" || !strings.HasPrefix(actions(rep)["web"], "slept") || w.Desired(t, "web") != 1 {
			t.Fatalf("report %+v, desired %d", rep, w.Desired(t, "web"))
		}
	})
	t.Run("an HTTP event is refused: this function has no HTTP face", func(t *testing.T) {
		if res := invoke("http-visit-browser.json"); !res.IsError {
			t.Fatalf("answer %s", res.Body)
		}
	})
	t.Run("calibrate answers the signal's distribution", func(t *testing.T) {
		res := invoke("invoke-calibrate.json")
		if res.IsError || !strings.Contains(string(res.Body), `"minutesWithData":10`) || !strings.Contains(string(res.Body), `"suggestedThreshold"`) {
			t.Fatalf("answer %s", res.Body)
		}
	})
	t.Run("an operator's sleep puts the service to sleep", func(t *testing.T) {
		res := invoke("invoke-sleep.json")
		if res.IsError || !strings.Contains(string(res.Body), `"action":"slept"`) || w.Desired(t, "web") != 0 {
			t.Fatalf("answer %s, desired %d", res.Body, w.Desired(t, "web"))
		}
	})
	t.Run("an unknown action is a clear error", func(t *testing.T) {
		if res := invoke("bad-invoke-unknown-action.json"); !res.IsError || !strings.Contains(string(res.Body), "evaluate, sleep, status or calibrate") {
			t.Fatalf("answer %s", res.Body)
		}
	})
	t.Run("an error answers Lambda's error object, its type the kind of error", func(t *testing.T) {
		tests := []struct {
			name, event, errorType, says string
			fault                        bool
		}{
			{"an unknown action", `{"action":"reboot"}`, "UnknownAction", "evaluate, sleep, status or calibrate", false},
			{"a dry run that is not true or false", `{"action":"evaluate","dryRun":"yes"}`, "BadEvent", `dryRun: want true or false`, false},
			{"a service not configured", `{"action":"calibrate","service":"nope"}`, "UnknownService", `unknown service \"nope\"`, false},
			{"sleep with a dry run", `{"action":"sleep","dryRun":true}`, "InvalidRequest", "sleep takes no dryRun", false},
			{"a load balancer's request", "", "BadEvent", "Application Load Balancer's request (requestContext.elb): this function answers no HTTP requests", false},
			{"a calibration CloudWatch fails", `{"action":"calibrate","service":"web"}`, "AWSError", "InternalFailure", true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if tc.fault {
					w.Gate.SetFault("GetMetricData", testworld.Fault{Status: 500, Code: "InternalFailure"})
					defer w.Gate.ClearFaults()
				}
				ev := []byte(tc.event)
				if tc.event == "" {
					ev, _ = os.ReadFile("../../testdata/lambda/bad-alb-request.json")
				}
				res, err := rt.Invoke(ev, 20*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				var got struct {
					ErrorMessage string `json:"errorMessage"`
					ErrorType    string `json:"errorType"`
				}
				dec := json.NewDecoder(bytes.NewReader(res.Body))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&got); err != nil || !res.IsError || got.ErrorType != tc.errorType || !strings.Contains(string(res.Body), tc.says) {
					t.Fatalf("answer %s (%v); want errorType %s saying %s", res.Body, err, tc.errorType, tc.says)
				}
			})
		}
	})
}
