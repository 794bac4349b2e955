package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// segment is one step of a path: an object's member or a list's element.
type segment struct {
	key     string
	index   int
	isIndex bool
}

func render(path []segment) string {
	var b strings.Builder
	for i, s := range path {
		switch {
		case s.isIndex:
			fmt.Fprintf(&b, "[%d]", s.index)
		case i > 0:
			b.WriteString("." + s.key)
		default:
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// with returns path and one more step, leaving path's array alone.
func with(path []segment, s segment) []segment {
	return append(path[:len(path):len(path)], s)
}

// position says where a syntax error lies, as an editor would: "at
// character 12" on one line, else "at line 3, column 14"; "at the end" when
// the document stops short. The offending character is the Offset-th.
func position(data []byte, err *json.SyntaxError) string {
	offset := err.Offset
	if offset > int64(len(data)) || strings.HasPrefix(err.Error(), "unexpected end") {
		return "at the end"
	}
	before := data[:max(offset-1, 0)]
	line := bytes.Count(before, []byte("\n")) + 1
	column := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	if !bytes.Contains(data, []byte("\n")) {
		return fmt.Sprintf("at character %d", column)
	}
	return fmt.Sprintf("at line %d, column %d", line, column)
}

// frame is an object or a list being read.
type frame struct {
	object, wantKey bool
	key             string
	index           int
}

// locate finds the value that ends at byte offset (where json's
// UnmarshalTypeError points: after a literal, or after the { or [ that opens
// a value) and returns its path and the value as written, shortened.
func locate(data []byte, offset int64) ([]segment, string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, ""
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].wantKey {
			if key, ok := tok.(string); ok {
				stack[top].key, stack[top].wantKey = key, false
				continue
			}
		}
		if tok == json.Delim('}') || tok == json.Delim(']') {
			stack = stack[:top]
			advance(stack)
			continue
		}
		if dec.InputOffset() == offset {
			return pathOf(stack), written(tok)
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		default:
			advance(stack)
		}
	}
}

// advance moves the innermost container past the value just read.
func advance(stack []frame) {
	if len(stack) == 0 {
		return
	}
	if f := &stack[len(stack)-1]; f.object {
		f.wantKey = true
	} else {
		f.index++
	}
}

func pathOf(stack []frame) []segment {
	path := make([]segment, len(stack))
	for i, f := range stack {
		if f.object {
			path[i] = segment{key: f.key}
		} else {
			path[i] = segment{index: f.index, isIndex: true}
		}
	}
	return path
}

// maxWritten is how much of a value an error repeats.
const maxWritten = 40

// written is a token as the document wrote it.
func written(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "a list"
	case string:
		if utf8.RuneCountInString(v) > maxWritten {
			v = string([]rune(v)[:maxWritten]) + "…"
		}
		return strconv.Quote(v)
	case json.Number:
		return shorten(string(v))
	case bool:
		return strconv.FormatBool(v)
	}
	return "null"
}

func shorten(s string) string {
	if len(s) > maxWritten {
		return s[:maxWritten] + "…"
	}
	return s
}

// canonical renders path with the field names of t (the type decoded into)
// where the document spelled them in another case.
func canonical(t reflect.Type, path []segment) string {
	out := make([]segment, len(path))
	for i, s := range path {
		out[i] = s
		t = deref(t)
		switch {
		case t == nil:
		case s.isIndex && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
			t = t.Elem()
		case !s.isIndex && t.Kind() == reflect.Struct:
			f, ok := lookup(fieldsOf(t), s.key)
			if !ok {
				t = nil
				continue
			}
			out[i].key, t = f.name, f.typ
		case !s.isIndex && t.Kind() == reflect.Map:
			t = t.Elem()
		default:
			t = nil
		}
	}
	return render(out)
}

// want says what a value of type t is, in JSON's words; value is json's
// description of what was given ("string", "number 80.5").
func want(t reflect.Type, value string) string {
	t = deref(t)
	if t == nil {
		return "something else"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if strings.HasPrefix(value, "number") {
			return "a whole number"
		}
		return "a number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
