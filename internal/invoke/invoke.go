// Package invoke tells the kinds of Lambda event apart: an API Gateway HTTP
// API request, or an operator's direct invocation {"action": …}.
package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/apigw"
)

// Command is an operator's direct invocation.
type Command struct {
	Action  string `json:"action"`
	Service string `json:"service,omitempty"`
	DryRun  *bool  `json:"dryRun,omitempty"`
}

// Operator carries out commands.
type Operator func(ctx context.Context, cmd Command) (any, error)

// Dispatcher routes raw events.
type Dispatcher struct {
	// HTTP serves API Gateway events; nil when the function has no HTTP face.
	HTTP http.Handler
	// Other handles events that are neither HTTP nor commands (a schedule); nil to refuse them.
	Other    func(ctx context.Context, raw json.RawMessage) (any, error)
	Operator Operator
}

// ErrBadEvent is returned for events the function does not understand.
var ErrBadEvent = errors.New("unrecognised event")

// Handle is the Lambda handler.
func (d Dispatcher) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Action         *string         `json:"action"`
		Version        string          `json:"version"`
		RequestContext json.RawMessage `json:"requestContext"`
		HTTPMethod     string          `json:"httpMethod"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrBadEvent, err)
	}
	switch {
	case probe.Action != nil:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var cmd Command
		if err := dec.Decode(&cmd); err != nil {
			return nil, fmt.Errorf("%w: command: %v", ErrBadEvent, err)
		}
		return d.Operator(ctx, cmd)
	case probe.HTTPMethod != "":
		return nil, fmt.Errorf("%w: API Gateway payload format 1.0 is not supported; use an HTTP API with payload format 2.0", ErrBadEvent)
	case probe.Version == "2.0" && len(probe.RequestContext) > 0 && d.HTTP != nil:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("%w: API Gateway event: %v", ErrBadEvent, err)
		}
		return apigw.Serve(ctx, d.HTTP, ev)
	case d.Other != nil:
		return d.Other(ctx, raw)
	}
	return nil, fmt.Errorf("%w: expected an API Gateway HTTP API event (payload 2.0) or {\"action\": …}", ErrBadEvent)
}
