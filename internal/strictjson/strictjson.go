// Package strictjson decodes JSON that people write — the services list, an
// operator's command — refusing names the target has no field for, and says
// what is wrong in the writer's words: where, what was wanted, what was given
// (`[1].port: want a number, got "8080"`), not in Go's
// (`cannot unmarshal string into Go struct field serviceJSON.port of type int`).
package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// Error is a JSON document at fault.
type Error struct {
	// Path is where, as the document spells it with the target's own field
	// names: "metric.statistic", "[1].port", "keepWarm[0]"; empty for the
	// document itself.
	Path string
	// Unknown is a name the document gives that the target has no field
	// for, and Suggestion the known name closest to it, if one is close.
	Unknown, Suggestion string
	// Reason says what is wrong.
	Reason string
	// Err is the decoder's own error: a *json.SyntaxError or a
	// *json.UnmarshalTypeError; nil for an unknown name.
	Err error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

func (e *Error) Unwrap() error { return e.Err }

// DidYouMean is "; did you mean "port"?" when the unknown name is close to a
// known one, else "".
func (e *Error) DidYouMean() string {
	if e.Suggestion == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", e.Suggestion)
}

// Decode unmarshals data into v, a pointer, and refuses any name in data that
// v's type has no field for, at any depth (matched as encoding/json matches
// them: exactly, else ignoring case). Every error is an *Error.
func Decode(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return Explain(data, err, reflect.TypeOf(v))
	}
	if e := unknownName(data, reflect.TypeOf(v), nil); e != nil {
		return e
	}
	return nil
}

// Explain turns the error json.Unmarshal gave for data into an *Error that
// says where and what, naming fields as target (the type decoded into, or
// nil) spells them. Other errors are returned as they are.
func Explain(data []byte, err error, target reflect.Type) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return &Error{Reason: fmt.Sprintf("not JSON %s: %s", position(data, syntax), syntax), Err: err}
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		path, got := locate(data, typ.Offset)
		if got == "" {
			got = typ.Value
		}
		return &Error{Path: canonical(target, path), Reason: fmt.Sprintf("want %s, got %s", want(typ.Type, typ.Value), got), Err: err}
	}
	return err
}
