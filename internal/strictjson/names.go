package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// field is a name a JSON object may give, and the type of its value.
type field struct {
	name string
	typ  reflect.Type
}

// fieldsOf lists the names encoding/json decodes into struct t: tagged or
// exported fields, and those of embedded structs as if they were t's own.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			if et := deref(sf.Type); et.Kind() == reflect.Struct {
				out = append(out, fieldsOf(et)...)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, field{name: name, typ: sf.Type})
	}
	return out
}

// lookup finds key among fields as encoding/json does: the exact name first,
// else one that differs only in case.
func lookup(fields []field, key string) (field, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return field{}, false
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// opaque: values of t decode themselves; their names are theirs to check.
func opaque(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler)
}

// unknownName finds the first name in data, in document order, that type t
// has no field for.
func unknownName(data []byte, t reflect.Type, path []segment) *Error {
	t = deref(t)
	if t == nil || opaque(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := fieldsOf(t)
		for _, m := range members(data) {
			f, ok := lookup(fields, m.key)
			if !ok {
				suggestion := closest(m.key, fields)
				e := &Error{Path: render(path), Unknown: m.key, Suggestion: suggestion}
				e.Reason = fmt.Sprintf("unknown field %q", m.key) + e.DidYouMean()
				return e
			}
			if e := unknownName(m.value, f.typ, with(path, segment{key: f.name})); e != nil {
				return e
			}
		}
	case reflect.Map:
		for _, m := range members(data) {
			if e := unknownName(m.value, t.Elem(), with(path, segment{key: m.key})); e != nil {
				return e
			}
		}
	case reflect.Slice, reflect.Array:
		var elems []json.RawMessage
		if json.Unmarshal(data, &elems) != nil {
			return nil
		}
		for i, el := range elems {
			if e := unknownName(el, t.Elem(), with(path, segment{index: i, isIndex: true})); e != nil {
				return e
			}
		}
	}
	return nil
}

type member struct {
	key   string
	value json.RawMessage
}

// members lists an object's members in document order; nothing for a value
// that is not an object.
func members(data []byte) []member {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return out
		}
		out = append(out, member{key: key, value: value})
	}
	return out
}

// closest is the known name an unknown one most likely meant — a typo
// (one or two letters off, two swapped), another case or separator
// (idle_signal), a name cut short (wakeTimeout) — or "" when none is close.
func closest(name string, fields []field) string {
	n := fold(name)
	best, bestDistance := "", tolerance(n)+1
	for _, f := range fields {
		k := fold(f.name)
		d := bestDistance
		if abs(len(n)-len(k)) < bestDistance {
			d = distance(n, k)
		}
		if len(n) >= 4 && len(k) >= 4 && (strings.HasPrefix(k, n) || strings.HasPrefix(n, k)) {
			d = min(d, 1)
		}
		if d < bestDistance {
			best, bestDistance = f.name, d
		}
	}
	return best
}

// tolerance is how many edits still read as a typo of a name that long.
func tolerance(s string) int {
	switch n := len(s); {
	case n <= 2:
		return 0
	case n <= 5:
		return 1
	case n <= 10:
		return 2
	}
	return 3
}

func abs(n int) int { return max(n, -n) }

func fold(s string) string {
	return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
}

// distance is the optimal string alignment distance between a and b: the
// edits (a letter inserted, deleted, replaced, or two neighbours swapped)
// that turn one into the other.
func distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
