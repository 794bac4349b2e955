package invoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
)

func TestEventsOfOtherSourcesSayWhatTheyAreAndWhatToUseInstead(t *testing.T) {
	tests := []struct {
		name  string
		event json.RawMessage
		says  []string
	}{
		{"an Application Load Balancer's request", sample(t, "bad-alb-request.json"), []string{"Application Load Balancer", "requestContext.elb"}},
		{"a WebSocket API's message", sample(t, "bad-websocket-message.json"), []string{"WebSocket API"}},
		{"a WebSocket API's connection, which carries an httpMethod too",
			json.RawMessage(`{"httpMethod":"POST","requestContext":{"routeKey":"$connect","eventType":"CONNECT","connectionId":"TWegAcC4EowCHnA="}}`), []string{"WebSocket API"}},
		{"a REST API's request", sample(t, "bad-apigw-payload-1.0.json"), []string{"payload format 1.0", "REST API"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			_, err := dispatcher(&got).Handle(context.Background(), tc.event)
			for _, want := range append(tc.says, "is not supported: put an API Gateway HTTP API with payload format 2.0 in front of this function") {
				if !strings.Contains(fmt.Sprint(err), want) {
					t.Errorf("error %v; want it to say %q", err, want)
				}
			}
			checkKind(t, err, BadEvent, "")
			if len(got) != 0 {
				t.Fatalf("the event reached %v", got)
			}

			// A function without an HTTP face says so, and its other handler never sees the event.
			d := dispatcher(&got)
			d.HTTP = nil
			_, err = d.Handle(context.Background(), tc.event)
			if !strings.Contains(fmt.Sprint(err), tc.says[0]) || !strings.Contains(fmt.Sprint(err), "this function answers no HTTP requests") || len(got) != 0 {
				t.Fatalf("without an HTTP face: error %v, handlers %v", err, got)
			}
			checkKind(t, err, BadEvent, "")
		})
	}
}

func TestAMalformedEventIsABadEventNamingTheField(t *testing.T) {
	tests := []struct{ name, event, field string }{
		{"not JSON", `not json`, ""},
		{"not an object", `["status"]`, ""},
		{"an action that is not a string", `{"action":3}`, "action"},
		{"a misspelt field", `{"action":"evaluate","dryrn":true}`, "dryrn"},
		{"a field of the wrong type", `{"action":"evaluate","dryRun":"yes"}`, "dryRun"},
		{"an API Gateway event with a field of the wrong type", `{"version":"2.0","requestContext":{},"rawPath":7}`, "rawPath"},
		{"an event of no kind the function takes", `{}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			d := dispatcher(&got)
			d.Other = nil
			_, err := d.Handle(context.Background(), json.RawMessage(tc.event))
			checkKind(t, err, BadEvent, tc.field)
		})
	}
}

func TestAnErrorPrintsAsAJSONErrorObject(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"a bad event", badEvent("dryRun", errors.New(`command: dryRun: want true or false, got "yes"`)),
			`{"error":"unrecognised event: command: dryRun: want true or false, got \"yes\"","errorType":"BadEvent","field":"dryRun"}`},
		{"an unknown action", Errorf(UnknownAction, "action", "unknown action %q", "reboot"),
			`{"error":"unknown action \"reboot\"","errorType":"UnknownAction","field":"action"}`},
		{"an AWS failure with AWS's code", AWSFailure(fmt.Errorf("sleep web: %w", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}), ecsservice.ErrServiceNotFound),
			`{"error":"sleep web: api error ThrottlingException: Rate exceeded","errorType":"AWSError","code":"ThrottlingException"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.err)
			if err != nil || string(b) != tc.want {
				t.Fatalf("printed %s (%v), want %s", b, err, tc.want)
			}
		})
	}
}

func TestAnAWSFailureSaysWhetherAWSAnsweredAndWhat(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		kind  Kind
		field string
		code  string
	}{
		{"throttled", fmt.Errorf("update service: %w", &smithy.GenericAPIError{Code: "ThrottlingException"}), AWSError, "", "ThrottlingException"},
		{"refused", fmt.Errorf("describe services: %w", &smithy.GenericAPIError{Code: "AccessDeniedException"}), AWSError, "", "AccessDeniedException"},
		{"no answer at all", errors.New("dial tcp 127.0.0.1:1: connection refused"), AWSError, "", ""},
		{"ECS does not know the service", fmt.Errorf("describe services: %w", ecsservice.ErrServiceNotFound), ServiceNotFound, "service", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := AWSFailure(tc.err, ecsservice.ErrServiceNotFound)
			if e.Kind != tc.kind || e.Field != tc.field || e.Code != tc.code || !errors.Is(e, tc.err) || e.Error() != tc.err.Error() {
				t.Fatalf("got %+v, want kind %s, field %q, code %q, wrapping %v", e, tc.kind, tc.field, tc.code, tc.err)
			}
		})
	}
}

func TestAnErrorOfNoKindIsInternalAndAWrappedOneKeepsItsKindAndTheOuterWords(t *testing.T) {
	if e := AsError(errors.New("broke")); e.Kind != InternalError || e.Error() != "broke" {
		t.Fatalf("got %+v", e)
	}
	inner := Errorf(UnknownService, "service", "unknown service %q", "x")
	if e := AsError(inner); e != inner {
		t.Fatalf("an *Error became %+v", e)
	}
	if e := AsError(fmt.Errorf("sleep: %w", inner)); e.Kind != UnknownService || e.Field != "service" || e.Error() != `sleep: unknown service "x"` {
		t.Fatalf("got %+v", e)
	}
}

// checkKind fails t unless err is an *Error of kind about field.
func checkKind(t *testing.T, err error, kind Kind, field string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e != err || e.Kind != kind || e.Field != field {
		t.Fatalf("error %#v (%v); want an *Error of kind %s about %q", err, err, kind, field)
	}
	if kind == BadEvent && (!errors.Is(err, ErrBadEvent) || !strings.HasPrefix(err.Error(), ErrBadEvent.Error()+": ")) {
		t.Fatalf("a BadEvent %q does not begin with ErrBadEvent", err)
	}
}
