package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode: whatever the bytes, Decode accepts exactly what encoding/json
// accepts as one document with unknown fields disallowed, decodes it to the
// same value, and explains every refusal with an *Error that says something.
func FuzzDecode(f *testing.F) {
	for _, doc := range []string{
		`[{"name":"a","port":8080,"graceMinutes":5,"keepWarm":["daily 08:00-09:00"],"metric":{"namespace":"A","dimensions":{"x":"y"}}}]`,
		`[{"name":"a"},{"port":"8080"}]`, `[{"prot":80}]`, `[{"metric":{"namespce":"A"}}]`, `[{"PORT":1}]`, `[{"Ignored":"x"}]`,
		`{"name":"a"}`, `[{name: "a"}]`, "[\n{\"name\" \"b\"}\n]", `[{"name":"a"}`, `[] x`, `null`, `[null]`, `[{"metric":null}]`,
		`[{"keepWarm":["a",3]}]`, `[{"metric":{"dimensions":{"a":1}}}]`, `[{"port":1e400}]`, `"str"`,
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var got, want []service
		err := Decode(doc, &got)
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.DisallowUnknownFields()
		wantErr := dec.Decode(&want)
		if wantErr == nil && !json.Valid(doc) {
			wantErr = errors.New("more after the document")
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Decode: %v; encoding/json: %v", err, wantErr)
		}
		if err == nil {
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded %+v, encoding/json %+v", got, want)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Reason == "" {
			t.Fatalf("error %v (%T) is not an *Error with a reason", err, err)
		}
	})
}
