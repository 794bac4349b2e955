// Package invoke tells the kinds of Lambda event apart: an API Gateway HTTP
// API request, or an operator's direct invocation {"action": …}, or another
// event the function takes (Auto-Sleep's schedule).
//
// It leaves HTTP to the function that has an HTTP face: Wake hands its
// handler in (through the API Gateway adapter), so Auto-Sleep's binary
// carries no HTTP adapter at all.
package invoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/strictjson"
)

// Command is an operator's direct invocation.
type Command struct {
	Action  string `json:"action"`
	Service string `json:"service,omitempty"`
	DryRun  *bool  `json:"dryRun,omitempty"`
}

// Operator carries out commands.
type Operator func(ctx context.Context, cmd Command) (any, error)

// HTTPHandler answers an API Gateway HTTP API event (payload format 2.0).
type HTTPHandler func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Dispatcher routes raw events.
type Dispatcher struct {
	// HTTP serves API Gateway events; nil when the function has no HTTP face.
	HTTP HTTPHandler
	// Other handles events that are neither HTTP nor commands (a schedule); nil to refuse them.
	Other    func(ctx context.Context, raw json.RawMessage) (any, error)
	Operator Operator
}

// ErrBadEvent is what every BadEvent error matches (errors.Is) and begins with.
var ErrBadEvent = errors.New("unrecognised event")

// kind is what tells the events apart.
type kind struct {
	Action         *string         `json:"action"`
	Version        string          `json:"version"`
	RequestContext json.RawMessage `json:"requestContext"`
	HTTPMethod     string          `json:"httpMethod"`
}

// Handle is the Lambda handler. Its errors are *Error: BadEvent for an event
// it does not take, or the operator's own.
func (d Dispatcher) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var k kind
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, unreadable(raw, err)
	}
	switch {
	case k.Action != nil:
		var cmd Command
		if err := strictjson.Decode(raw, &cmd); err != nil {
			return nil, badEvent(fieldOf(err), fmt.Errorf("command: %w", err))
		}
		return d.Operator(ctx, cmd)
	case foreign(k) != "":
		return nil, d.refuseHTTP(foreign(k))
	case k.Version == "2.0" && len(k.RequestContext) > 0 && d.HTTP != nil:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			explained := strictjson.Explain(raw, err, reflect.TypeOf(ev))
			return nil, badEvent(fieldOf(explained), fmt.Errorf("API Gateway event: %w", explained))
		}
		resp, err := d.HTTP(ctx, ev)
		if err != nil {
			return nil, err
		}
		return resp, nil
	case d.Other != nil:
		return d.Other(ctx, raw)
	}
	return nil, BadEventf("expected an API Gateway HTTP API event (payload 2.0) or {\"action\": …}")
}

// refuseHTTP says what an HTTP event this function does not take is, and
// what to use instead.
func (d Dispatcher) refuseHTTP(what string) error {
	if d.HTTP == nil {
		return BadEventf("%s: this function answers no HTTP requests", what)
	}
	return BadEventf("%s is not supported: put an API Gateway HTTP API with payload format 2.0 in front of this function", what)
}

// unreadable says why raw could not be told apart: it is not JSON (and
// where), not an object, or a field that tells events apart has another type.
func unreadable(raw []byte, err error) error {
	explained := strictjson.Explain(raw, err, reflect.TypeFor[kind]())
	var e *strictjson.Error
	var syntax *json.SyntaxError
	switch {
	case errors.As(explained, &e) && e.Path != "":
		return badEvent(e.Path, explained)
	case errors.As(err, &syntax):
		return badEvent("", fmt.Errorf("not a JSON object: the payload is %w", explained))
	}
	return badEvent("", fmt.Errorf("not a JSON object: %w", explained))
}

// fieldOf is the field a strictjson error is about: the unknown name, or the
// field of the wrong type; "" for the document itself.
func fieldOf(err error) string {
	var e *strictjson.Error
	if !errors.As(err, &e) {
		return ""
	}
	if e.Unknown != "" {
		if e.Path != "" {
			return e.Path + "." + e.Unknown
		}
		return e.Unknown
	}
	return e.Path
}
