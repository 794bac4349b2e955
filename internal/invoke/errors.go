package invoke

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Kind is what kind of error an event or a direct invocation met, in one
// word: under Lambda it is the answer's errorType, locally the JSON error
// object's.
type Kind string

// The kinds of error an operator can get.
const (
	// BadEvent: the payload is not a JSON object, a field has the wrong type
	// or a name the command does not have, or it is an event this function
	// does not take (an Application Load Balancer's, a WebSocket API's, an
	// API Gateway REST API's).
	BadEvent Kind = "BadEvent"
	// UnknownAction: the command's action is none the function has.
	UnknownAction Kind = "UnknownAction"
	// UnknownService: the service named is none the function is configured
	// for, or none is named while several are.
	UnknownService Kind = "UnknownService"
	// InvalidRequest: a well-formed command the action does not take (dryRun
	// where it means nothing, calibrate for a signal that reads no metric).
	InvalidRequest Kind = "InvalidRequest"
	// ServiceNotFound: the service is configured but ECS has no such service
	// (or cluster).
	ServiceNotFound Kind = "ServiceNotFound"
	// AWSError: an AWS call failed; its code, when AWS answered one, says
	// whether to ask again later (throttling, a 5xx) or not.
	AWSError Kind = "AWSError"
	// InvalidConfiguration: the function's settings are invalid: it cannot start.
	InvalidConfiguration Kind = "InvalidConfiguration"
	// InternalError: anything else.
	InternalError Kind = "InternalError"
)

// Error is an error an operator gets back from an event or a direct
// invocation: its kind, the field at fault and, for AWS, AWS's error code.
type Error struct {
	Kind Kind
	// Field is the event's field ("action", "service", "dryRun") or the
	// setting ("SERVICE_NAME") at fault, when it is one.
	Field string
	// Code is AWS's error code ("ThrottlingException"), when AWS answered one.
	Code string
	// Err is the cause; its text is the error's.
	Err error
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Object is the JSON error object a local invocation prints:
// {"error", "errorType", "field"?, "code"?}.
type Object struct {
	Error     string `json:"error"`
	ErrorType Kind   `json:"errorType"`
	Field     string `json:"field,omitempty"`
	Code      string `json:"code,omitempty"`
}

// MarshalJSON writes e as its Object.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(Object{Error: e.Error(), ErrorType: e.Kind, Field: e.Field, Code: e.Code})
}

// Errorf is an error of kind about field (or none), its text formatted. A
// BadEvent is made by BadEventf, which gives it ErrBadEvent's words.
func Errorf(kind Kind, field, format string, args ...any) *Error {
	return &Error{Kind: kind, Field: field, Err: fmt.Errorf(format, args...)}
}

// BadEventf is a BadEvent: ErrBadEvent's words, then the reason formatted.
func BadEventf(format string, args ...any) *Error {
	return badEvent("", fmt.Errorf(format, args...))
}

// badEvent is a BadEvent about field (or none) for cause.
func badEvent(field string, cause error) *Error {
	return &Error{Kind: BadEvent, Field: field, Err: fmt.Errorf("%w: %w", ErrBadEvent, cause)}
}

// AWSFailure is an AWS call's failure: ServiceNotFound when err is notFound
// (ecsservice.ErrServiceNotFound: ECS does not know the service or its
// cluster), else AWSError with AWS's error code when there is one (none for
// the network or a deadline).
func AWSFailure(err, notFound error) *Error {
	if notFound != nil && errors.Is(err, notFound) {
		return &Error{Kind: ServiceNotFound, Field: "service", Err: err}
	}
	e := &Error{Kind: AWSError, Err: err}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		e.Code = apiErr.ErrorCode()
	}
	return e
}

// AsError is err as an operator gets it: the *Error it is or wraps, or an
// InternalError.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		if e == err {
			return e
		}
		// Keep the outer words: they name what failed.
		return &Error{Kind: e.Kind, Field: e.Field, Code: e.Code, Err: err}
	}
	return &Error{Kind: InternalError, Err: err}
}
