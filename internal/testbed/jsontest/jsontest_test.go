package jsontest

import (
	"slices"
	"testing"
)

func TestDiffNamesEachPlaceTheDocumentsDiffer(t *testing.T) {
	tests := []struct {
		name      string
		want, got string
		diffs     []string
	}{
		{"same values in another order and spacing", `{"a": 1, "b": [true, "x"]}`, `{"b":[true,"x"],"a":1.0}`, nil},
		{"a field the type drops", `{"a": 1, "servce": "web"}`, `{"a": 1}`, []string{`servce: dropped (was "web")`}},
		{"a field the type adds", `{"a": {}}`, `{"a": {"b": ""}}`, []string{`a.b: added ("")`}},
		{"null is not absent", `{"body": null}`, `{}`, []string{`body: dropped (was null)`}},
		{"a changed value deep inside", `{"a": {"b": [1, 2]}}`, `{"a": {"b": [1, 3]}}`, []string{`a.b[1]: 3, want 2`}},
		{"arrays of another length", `{"c": ["x"]}`, `{"c": ["x", "y"]}`, []string{`c: ["x","y"], want ["x"]`}},
		{"an object where a string was", `{"d": "x"}`, `{"d": {"e": 1}}`, []string{`d: {"e":1}, want "x"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			diffs, err := Diff([]byte(tc.want), []byte(tc.got))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range diffs {
				got = append(got, d.String())
			}
			if !slices.Equal(got, tc.diffs) {
				t.Fatalf("differences %q, want %q", got, tc.diffs)
			}
		})
	}
}

func TestDiffRefusesWhatIsNotJSON(t *testing.T) {
	if _, err := Diff([]byte(`{}`), []byte(`not json`)); err == nil {
		t.Fatal("no error for a document that is not JSON")
	}
}

func TestRoundTripShowsWhatATypeDrops(t *testing.T) {
	type command struct {
		Action string `json:"action"`
	}
	v, diffs, err := RoundTrip[command]([]byte(`{"action": "status", "service": "web"}`))
	if err != nil {
		t.Fatal(err)
	}
	if v.Action != "status" || len(diffs) != 1 || !diffs[0].Dropped() || diffs[0].Path != "service" {
		t.Fatalf("decoded %+v, differences %v; want service dropped", v, diffs)
	}
}

func TestEmptyIsOnlyZeroValues(t *testing.T) {
	tests := []struct {
		v    any
		want bool
	}{
		{nil, true},
		{"", true},
		{0.0, true},
		{false, true},
		{map[string]any{"a": "", "b": map[string]any{"c": 0.0}}, true},
		{[]any{"", nil}, true},
		{"x", false},
		{1.0, false},
		{true, false},
		{map[string]any{"a": map[string]any{"b": "x"}}, false},
		{[]any{"", "x"}, false},
	}
	for _, tc := range tests {
		if got := Empty(tc.v); got != tc.want {
			t.Errorf("Empty(%v) = %v, want %v", tc.v, got, tc.want)
		}
	}
}
