package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

type metric struct {
	Namespace  string            `json:"namespace"`
	Dimensions map[string]string `json:"dimensions"`
}

type sleep struct {
	GraceMinutes *int     `json:"graceMinutes"`
	KeepWarm     []string `json:"keepWarm"`
}

type service struct {
	Name        string  `json:"name"`
	Port        *int    `json:"port"`
	WakeTimeout *int    `json:"wakeTimeoutSeconds"`
	IdleSignal  string  `json:"idleSignal"`
	Metric      *metric `json:"metric"`
	Ignored     string  `json:"-"`
	sleep
}

func TestErrorsSayWhereWhatWasWantedAndWhatWasGiven(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"a number as a string", `[{"name":"a"},{"port":"8080"}]`, `[1].port: want a number, got "8080"`},
		{"a fraction for a whole number", `[{"port":80.5}]`, `[0].port: want a whole number, got 80.5`},
		{"a field of an embedded struct", `[{"graceMinutes":true}]`, `[0].graceMinutes: want a number, got true`},
		{"an element of a list", `[{"keepWarm":["mon 08:00-18:00",3]}]`, `[0].keepWarm[1]: want a string, got 3`},
		{"a value of a map", `[{"metric":{"dimensions":{"Service":1}}}]`, `[0].metric.dimensions.Service: want a string, got 1`},
		{"a name in another case", `[{"PORT":"x"}]`, `[0].port: want a number, got "x"`},
		{"an object where a list belongs", `{"name":"a"}`, `want a list, got an object`},
		{"a list where an object belongs", `[{"metric":[]}]`, `[0].metric: want an object, got a list`},
		{"a long value is shortened", `[{"name":12345678901234567890123456789012345678901234567890}]`, `[0].name: want a string, got 1234567890123456789012345678901234567890…`},
		{"not JSON, on one line", `[{name: "a"}]`, `not JSON at character 3: invalid character 'n' looking for beginning of object key string`},
		{"not JSON, on several lines", "[\n  {\"name\": \"a\"},\n  {\"name\" \"b\"}\n]", `not JSON at line 3, column 11: invalid character '"' after object key`},
		{"cut short", `[{"name":"a"}`, `not JSON at the end: unexpected end of JSON input`},
		{"something after the list", `[] x`, `not JSON at character 4: invalid character 'x' after top-level value`},
		{"a typo", `[{"name":"a","prot":80}]`, `[0]: unknown field "prot"; did you mean "port"?`},
		{"another separator", `[{"idle_signal":"cpu"}]`, `[0]: unknown field "idle_signal"; did you mean "idleSignal"?`},
		{"a name cut short", `[{"wakeTimeout":30}]`, `[0]: unknown field "wakeTimeout"; did you mean "wakeTimeoutSeconds"?`},
		{"a typo in a nested object", `[{"metric":{"namespce":"A"}}]`, `[0].metric: unknown field "namespce"; did you mean "namespace"?`},
		{"nothing close", `[{"colour":"blue"}]`, `[0]: unknown field "colour"`},
		{"a field the decoder skips", `[{"Ignored":"x"}]`, `[0]: unknown field "Ignored"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []service
			err := Decode([]byte(tc.doc), &got)
			var e *Error
			if !errors.As(err, &e) || err.Error() != tc.want {
				t.Fatalf("error %v (%T), want %q", err, err, tc.want)
			}
		})
	}
}

func TestTheDecodersOwnErrorIsKept(t *testing.T) {
	var got []service
	err := Decode([]byte(`[{"port":"8080"}]`), &got)
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) || typ.Field != "port" {
		t.Fatalf("error %v does not wrap the decoder's *json.UnmarshalTypeError", err)
	}
	err = Decode([]byte(`nope`), &got)
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		t.Fatalf("error %v does not wrap the decoder's *json.SyntaxError", err)
	}
}

func TestWhatItKnowsDecodesAsEncodingJSONDoes(t *testing.T) {
	var got []service
	doc := `[{"name":"a","Port":8080,"graceMinutes":5,"keepWarm":["daily 08:00-09:00"],"metric":{"namespace":"A","dimensions":{"x":"y"}}}]`
	if err := Decode([]byte(doc), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "a" || *got[0].Port != 8080 || *got[0].GraceMinutes != 5 || got[0].Metric.Dimensions["x"] != "y" {
		t.Fatalf("decoded %+v", got)
	}
}

func TestSuggestions(t *testing.T) {
	fields := fieldsOf(reflect.TypeFor[service]())
	tests := []struct{ name, want string }{
		{"prot", "port"},
		{"nmae", "name"},
		{"Idle-Signal", "idleSignal"},
		{"metrics", "metric"},
		{"keepwarm", "keepWarm"},
		{"x", ""},
		{"colour", ""},
		{"wakeTimeoutSecs", "wakeTimeoutSeconds"},
	}
	for _, tc := range tests {
		if got := closest(tc.name, fields); got != tc.want {
			t.Errorf("closest to %q: %q, want %q", tc.name, got, tc.want)
		}
	}
}
