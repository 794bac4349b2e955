// Package jsontest compares JSON documents as values, the way aws-lambda-go's
// own event tests do (white space and key order aside), and says where they
// differ: a sample event round-tripped through a Go type shows every field
// the type drops or adds, so a test can name each one instead of hiding it.
package jsontest

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
)

// Difference is one place where two JSON documents differ.
type Difference struct {
	// Path names the place: requestContext.http.path, cookies[0].
	Path string
	// Want and Got are the decoded values on each side; nil when absent (see In*).
	Want, Got any
	// InWant and InGot tell an absent value from a null one.
	InWant, InGot bool
}

// Dropped reports whether the value is in want and missing from got.
func (d Difference) Dropped() bool { return d.InWant && !d.InGot }

// Added reports whether the value is in got and missing from want.
func (d Difference) Added() bool { return !d.InWant && d.InGot }

func (d Difference) String() string {
	switch {
	case d.Dropped():
		return fmt.Sprintf("%s: dropped (was %s)", d.Path, show(d.Want))
	case d.Added():
		return fmt.Sprintf("%s: added (%s)", d.Path, show(d.Got))
	}
	return fmt.Sprintf("%s: %s, want %s", d.Path, show(d.Got), show(d.Want))
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Diff decodes both documents and lists where they differ, in path order.
// Numbers compare as numbers: 1.0 equals 1.
func Diff(want, got []byte) ([]Difference, error) {
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		return nil, fmt.Errorf("want: %w", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return nil, fmt.Errorf("got: %w", err)
	}
	var out []Difference
	walk("", w, g, &out)
	return out, nil
}

// RoundTrip decodes sample into a T, encodes that again, and lists where the
// result differs from the sample: what T drops, adds or changes.
func RoundTrip[T any](sample []byte) (T, []Difference, error) {
	var v T
	if err := json.Unmarshal(sample, &v); err != nil {
		return v, nil, fmt.Errorf("decode into %T: %w", v, err)
	}
	again, err := json.Marshal(v)
	if err != nil {
		return v, nil, fmt.Errorf("encode %T: %w", v, err)
	}
	diffs, err := Diff(sample, again)
	return v, diffs, err
}

// Empty reports whether a decoded JSON value holds nothing but zero values:
// null, "", 0, false, and objects and arrays of those. Encoding/json writes a
// struct field even with omitempty, so a type may add such a value.
func Empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case float64:
		return v == 0
	case bool:
		return !v
	case map[string]any:
		for _, x := range v {
			if !Empty(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !Empty(x) {
				return false
			}
		}
		return true
	}
	return false
}

func walk(path string, w, g any, out *[]Difference) {
	wm, wIsMap := w.(map[string]any)
	gm, gIsMap := g.(map[string]any)
	if wIsMap && gIsMap {
		keys := slices.Sorted(maps.Keys(wm))
		for k := range gm {
			if _, ok := wm[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			wv, inW := wm[k]
			gv, inG := gm[k]
			p := join(path, k)
			if inW && inG {
				walk(p, wv, gv, out)
				continue
			}
			*out = append(*out, Difference{Path: p, Want: wv, Got: gv, InWant: inW, InGot: inG})
		}
		return
	}
	wa, wIsArray := w.([]any)
	ga, gIsArray := g.([]any)
	if wIsArray && gIsArray && len(wa) == len(ga) {
		for i := range wa {
			walk(path+"["+strconv.Itoa(i)+"]", wa[i], ga[i], out)
		}
		return
	}
	if !reflect.DeepEqual(w, g) {
		*out = append(*out, Difference{Path: path, Want: w, Got: g, InWant: true, InGot: true})
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
