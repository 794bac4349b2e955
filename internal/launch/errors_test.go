package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
)

// failing is a function whose direct invocations fail with the error named
// by the event's action.
func failing(built *Env) Function {
	errs := map[string]error{
		"bad":     invoke.BadEventf("not a JSON object"),
		"reboot":  invoke.Errorf(invoke.UnknownAction, "action", "unknown action %q", "reboot"),
		"plain":   errors.New("something broke"),
		"wrapped": fmt.Errorf("sleep web: %w", invoke.Errorf(invoke.UnknownService, "service", "unknown service %q", "web")),
	}
	return Function{
		Name:  "echo",
		Usage: "echo [invoke '{\"action\":\"NAME\"}']",
		Build: func(_ context.Context, env Env) (Handlers, error) {
			*built = env
			return Handlers{Event: func(_ context.Context, raw json.RawMessage) (any, error) {
				var cmd struct{ Action string }
				_ = json.Unmarshal(raw, &cmd)
				return nil, errs[cmd.Action]
			}}, nil
		},
	}
}

func TestALocalInvocationThatFailsPrintsAJSONErrorObject(t *testing.T) {
	tests := []struct {
		name   string
		action string
		env    map[string]string
		want   invoke.Object
	}{
		{"a bad event", "bad", nil, invoke.Object{Error: "unrecognised event: not a JSON object", ErrorType: invoke.BadEvent}},
		{"an unknown action names the field", "reboot", nil, invoke.Object{Error: `unknown action "reboot"`, ErrorType: invoke.UnknownAction, Field: "action"}},
		{"a wrapped error keeps its kind and its whole message", "wrapped", nil, invoke.Object{Error: `sleep web: unknown service "web"`, ErrorType: invoke.UnknownService, Field: "service"}},
		{"an error of no kind is internal", "plain", nil, invoke.Object{Error: "something broke", ErrorType: invoke.InternalError}},
		{"an invalid configuration names the setting", "bad", map[string]string{"LOG_LEVEL": "loud"},
			invoke.Object{Error: "invalid configuration: LOG_LEVEL: must be debug, info, warn or error, got \"loud\"", ErrorType: invoke.InvalidConfiguration, Field: "LOG_LEVEL"}},
		{"no region names AWS_REGION", "bad", map[string]string{"AWS_REGION": ""},
			invoke.Object{Error: errNoRegion.Error(), ErrorType: invoke.InvalidConfiguration, Field: "AWS_REGION"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := environment(t, tc.env)
			if r, ok := tc.env["AWS_REGION"]; ok {
				t.Setenv("AWS_REGION", r)
			}
			var built Env
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), failing(&built), []string{"invoke", `{"action":"` + tc.action + `"}`}, getenv, &stdout, &stderr)
			var got invoke.Object
			dec := json.NewDecoder(&stdout)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil || code != 1 {
				t.Fatalf("exit %d, stdout %q (%v); want 1 and a JSON error object", code, stdout.String(), err)
			}
			if got != tc.want {
				t.Fatalf("printed %+v, want %+v", got, tc.want)
			}
			if stderr.String() != "echo: "+tc.want.Error+"\n" {
				t.Fatalf("stderr %q: want the error in words too", stderr.String())
			}
		})
	}
}

func TestUnderLambdaAnErrorsTypeIsItsKind(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want messages.InvokeResponse_Error
	}{
		{"a kind is the type", invoke.Errorf(invoke.UnknownAction, "action", "unknown action %q", "x"),
			messages.InvokeResponse_Error{Message: `unknown action "x"`, Type: "UnknownAction"}},
		{"through a wrap", fmt.Errorf("sleep web: %w", invoke.AWSFailure(errors.New("timeout"), nil)),
			messages.InvokeResponse_Error{Message: "sleep web: timeout", Type: "AWSError"}},
		{"an error of no kind is internal, never wrapError", fmt.Errorf("x: %w", errors.New("y")),
			messages.InvokeResponse_Error{Message: "x: y", Type: "InternalError"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := lambdaHandler(func(context.Context, json.RawMessage) (any, error) { return nil, tc.err })
			out, err := h(context.Background(), json.RawMessage(`{}`))
			if out != nil || !reflect.DeepEqual(err, tc.want) {
				t.Fatalf("answer %v, error %#v; want %#v", out, err, tc.want)
			}
		})
	}
	ok := lambdaHandler(func(context.Context, json.RawMessage) (any, error) { return "fine", nil })
	if out, err := ok(context.Background(), nil); out != "fine" || err != nil {
		t.Fatalf("a success became %v, %v", out, err)
	}
}

func TestUnderLambdaAnInvalidConfigurationIsReportedAsTheInitError(t *testing.T) {
	type report struct {
		header string
		body   messages.InvokeResponse_Error
	}
	got := make(chan report, 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rep report
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &rep.body)
		rep.header = r.Method + " " + r.URL.Path + " " + r.Header.Get("Lambda-Runtime-Function-Error-Type")
		got <- rep
		w.WriteHeader(http.StatusAccepted)
	}))
	defer api.Close()
	getenv := environment(t, map[string]string{"LOG_LEVEL": "loud", "AWS_LAMBDA_RUNTIME_API": strings.TrimPrefix(api.URL, "http://")})
	var built Env
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), failing(&built), nil, getenv, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d", code)
	}
	select {
	case rep := <-got:
		want := messages.InvokeResponse_Error{Message: `invalid configuration: LOG_LEVEL: must be debug, info, warn or error, got "loud"`, Type: "InvalidConfiguration"}
		if rep.header != "POST /2018-06-01/runtime/init/error InvalidConfiguration" || rep.body.Message != want.Message || rep.body.Type != want.Type {
			t.Fatalf("reported %+v, want %+v", rep, want)
		}
	default:
		t.Fatal("the start-up error was not reported to the Runtime API")
	}
	if !strings.HasPrefix(stderr.String(), "echo: invalid configuration: LOG_LEVEL") || stdout.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
