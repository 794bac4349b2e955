package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/lambdafront"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/testworld"
)

// TestBootstrapUnderTheLambdaRuntime drives the built binary through the
// Lambda Runtime API with an API Gateway event and direct invocations.
func TestBootstrapUnderTheLambdaRuntime(t *testing.T) {
	w := testworld.Start(t)
	w.CreateService(t, "web", 0)
	rt, err := lambdafront.NewRuntimeAPI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	testworld.StartProcess(t, wakeBin, w.Env(
		"AWS_LAMBDA_RUNTIME_API="+rt.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=wake",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"CLUSTER_NAME="+testworld.Cluster,
		"SERVICE_NAME=web",
		"APP_PORT=8080",
	))

	t.Run("an API Gateway visit wakes the service and answers with the wait page", func(t *testing.T) {
		ev, err := os.ReadFile("../../testdata/lambda/http-visit-browser.json")
		if err != nil {
			t.Fatal(err)
		}
		res, err := rt.Invoke(ev, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := res.Decode(&resp); err != nil || res.IsError {
			t.Fatalf("answer %s: %v", res.Body, err)
		}
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Headers["Content-Type"], "text/html") ||
			resp.Headers["Cache-Control"] != "no-store" || !strings.Contains(resp.Headers["Content-Security-Policy"], "default-src 'none'") {
			t.Fatalf("response %d %v", resp.StatusCode, resp.Headers)
		}
		if !strings.Contains(resp.Body, "%2Fsome%2Fpath%3Fx%3D1") {
			t.Fatal("the page does not poll with the visitor's path and query")
		}
		if w.Desired(t, "web") != 1 {
			t.Fatal("the visit did not wake the service")
		}
	})

	t.Run("a direct status invocation answers JSON", func(t *testing.T) {
		ev, _ := os.ReadFile("../../testdata/lambda/invoke-status.json")
		res, err := rt.Invoke(ev, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Action, Service, State, Stage string }
		if err := res.Decode(&got); err != nil || res.IsError {
			t.Fatalf("answer %s: %v", res.Body, err)
		}
		if got.Action != "status" || got.Service != "web" || got.State != "waking" || got.Stage != "no-task" {
			t.Fatalf("status %+v", got)
		}
	})

	t.Run("an unknown action is a clear error, and the function lives on", func(t *testing.T) {
		ev, _ := os.ReadFile("../../testdata/lambda/bad-invoke-unknown-action.json")
		res, err := rt.Invoke(ev, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !res.IsError || !strings.Contains(string(res.Body), `unknown action \"reboot\"`) {
			t.Fatalf("answer %s (error %v)", res.Body, res.IsError)
		}
		// The next event is still served.
		ev, _ = os.ReadFile("../../testdata/lambda/invoke-status.json")
		if res, err := rt.Invoke(ev, 20*time.Second); err != nil || res.IsError {
			t.Fatalf("after an error: %v %s", err, res.Body)
		}
	})

	t.Run("an error answers Lambda's error object, its type the kind of error", func(t *testing.T) {
		tests := []struct {
			name, event, errorType, says string
			fault                        *testworld.Fault
		}{
			// A payload that is not JSON never reaches a function: Lambda's Invoke refuses it
			// (InvalidRequestContentException). JSON that is not an object does.
			// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
			{"JSON that is not an object", `["status"]`, "BadEvent", "not a JSON object", nil},
			{"a misspelt field", sample(t, "bad-invoke-unknown-field.json"), "BadEvent", `unknown field \"servce\"`, nil},
			{"an unknown action", sample(t, "bad-invoke-unknown-action.json"), "UnknownAction", `unknown action \"reboot\"`, nil},
			{"a service not configured", `{"action":"status","service":"nope"}`, "UnknownService", `unknown service \"nope\"`, nil},
			{"an option of Auto-Sleep's", `{"action":"status","dryRun":true}`, "InvalidRequest", "dryRun", nil},
			{"a load balancer's request", sample(t, "bad-alb-request.json"), "BadEvent", "Application Load Balancer", nil},
			{"a WebSocket API's message", sample(t, "bad-websocket-message.json"), "BadEvent", "WebSocket API", nil},
			{"a sleep ECS throttles", `{"action":"sleep"}`, "AWSError", "ThrottlingException", &testworld.Fault{Status: 400, Code: "ThrottlingException"}},
			{"a sleep of a service whose cluster ECS does not have", `{"action":"sleep"}`, "ServiceNotFound", "service not found", &testworld.Fault{Status: 400, Code: "ClusterNotFoundException"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if tc.fault != nil {
					w.Gate.SetFault("DescribeServices", *tc.fault)
					defer w.Gate.ClearFaults()
				}
				res, err := rt.Invoke([]byte(tc.event), 20*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				got := lambdaError(t, res)
				if got.ErrorType != tc.errorType || !strings.Contains(string(res.Body), tc.says) {
					t.Fatalf("answer %s; want errorType %s saying %s", res.Body, tc.errorType, tc.says)
				}
			})
		}
	})
}

// sample is a sample event of testdata/lambda.
func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/lambda/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lambdaError is the error object Lambda answers an invocation that failed:
// {"errorMessage", "errorType"} and nothing else.
func lambdaError(t *testing.T, res lambdafront.Result) struct{ ErrorMessage, ErrorType string } {
	t.Helper()
	var got struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || !res.IsError || got.ErrorMessage == "" {
		t.Fatalf("answer %s (error %v): want Lambda's error object (%v)", res.Body, res.IsError, err)
	}
	return struct{ ErrorMessage, ErrorType string }{got.ErrorMessage, got.ErrorType}
}

func TestUnderTheLambdaRuntimeABrokenConfigurationIsTheInitError(t *testing.T) {
	rt, err := lambdafront.NewRuntimeAPI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	p := testworld.StartProcess(t, wakeBin, []string{
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr, "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
		"CLUSTER_NAME=c", "SERVICE_NAME=web", "APP_PORT=http",
	})
	select {
	case res := <-rt.InitError():
		got := lambdaError(t, res)
		if got.ErrorType != "InvalidConfiguration" || !strings.HasPrefix(got.ErrorMessage, "invalid configuration: APP_PORT: ") {
			t.Fatalf("init error %s", res.Body)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no init error reported; output:\n%s", p.Output())
	}
	if !p.Wait(10*time.Second) || p.Cmd.ProcessState.ExitCode() == 0 {
		t.Fatal("the function did not exit after reporting its init error")
	}
}

func TestBrokenConfigurationFailsAtStartNamingTheField(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"no service", nil, "SERVICE_NAME"},
		{"bad port", []string{"SERVICE_NAME=web", "CLUSTER_NAME=c", "APP_PORT=http"}, "APP_PORT"},
		{"bad list", []string{`SERVICES=[{"name":"a","cluster":"c","prot":80}]`}, "SERVICES"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testworld.StartProcess(t, wakeBin, append([]string{"AWS_REGION=us-east-1", "LISTEN_ADDR=127.0.0.1:0"}, tc.env...))
			if !p.Wait(10 * time.Second) {
				t.Fatal("the binary kept running with a broken configuration")
			}
			if p.Cmd.ProcessState.ExitCode() == 0 || !strings.Contains(p.Output(), tc.want) {
				t.Fatalf("exit %d, output %q; want a failure naming %s", p.Cmd.ProcessState.ExitCode(), p.Output(), tc.want)
			}
		})
	}
}
