package peer

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

var fieldCases = []struct {
	name, in, field string
	want            string // "" means nil
}{
	{"first field", `{"callbackid":7,"a":1}`, "callbackid", `7`},
	{"later field", `{"a":1,"callbackid":"x"}`, "callbackid", `"x"`},
	{"spaces everywhere", " \n{ \"a\" : [1,2] ,\t\"id\" :\r\n{\"b\":\"}\"} } ", "id", `{"b":"}"}`},
	{"nested key does not count", `{"a":{"id":1},"b":2}`, "id", ""},
	{"key inside a string does not count", `{"a":"\"id\":1","b":2}`, "id", ""},
	{"array value", `{"id":[1,{"x":"]"}],"z":0}`, "id", `[1,{"x":"]"}]`},
	{"escaped quote in value", `{"id":"a\"b","z":0}`, "id", `"a\"b"`},
	{"escaped key", `{"typ\u0065":"join"}`, "type", `"join"`},
	{"null", `{"id":null}`, "id", `null`},
	{"literal true", `{"id":true}`, "id", `true`},
	{"negative float", `{"id":-1.5e3}`, "id", `-1.5e3`},
	{"first of duplicates", `{"id":1,"id":2}`, "id", `1`},
	{"absent", `{"a":1}`, "id", ""},
	{"empty object", `{}`, "id", ""},
	{"not an object", `[{"id":1}]`, "id", ""},
	{"a string", `"id"`, "id", ""},
	{"empty", ``, "id", ""},
	{"truncated value", `{"id":`, "id", ""},
	{"truncated string", `{"id":"abc`, "id", ""},
	{"truncated key", `{"i`, "id", ""},
	{"missing colon", `{"id" 1}`, "id", ""},
	{"case matters", `{"ID":1}`, "id", ""},
}

func TestField(t *testing.T) {
	for _, tc := range fieldCases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewMessage([]byte(tc.in), false).Field(tc.field)
			if tc.want == "" {
				assert.Nil(t, got, "Field(%q) of %s", tc.field, tc.in)
				return
			}
			assert.Equal(t, tc.want, string(got), "Field(%q) of %s", tc.field, tc.in)
		})
	}
}

func TestFieldAllocatesNothing(t *testing.T) {
	data := []byte(`{"type":"game-action","gameId":"g1","action":{"x":1,"y":[2,3]},"callbackid":42}`)
	m := NewMessage(data, false)
	allocs := testing.AllocsPerRun(100, func() {
		if m.Field("callbackid") == nil {
			t.Fatal("no id")
		}
	})
	assert.Zero(t, allocs)
}

// FuzzField checks Field against encoding/json: on valid JSON objects they agree on
// the value of a top-level key, and on any input Field does not panic.
func FuzzField(f *testing.F) {
	for _, tc := range fieldCases {
		f.Add(tc.in, tc.field)
	}
	f.Fuzz(func(t *testing.T, in, name string) {
		got := field([]byte(in), name)
		if !json.Valid([]byte(in)) {
			return
		}
		var want json.RawMessage
		dec := json.NewDecoder(bytes.NewReader([]byte(in)))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			if got != nil {
				t.Fatalf("Field(%q) of non-object %q = %q", name, in, got)
			}
			return
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if tok.(string) == name {
				want = v
				break
			}
		}
		if want == nil {
			if got != nil {
				t.Fatalf("Field(%q) of %q = %q, want nil", name, in, got)
			}
			return
		}
		if got == nil {
			t.Fatalf("Field(%q) of %q = nil, want %q", name, in, want)
		}
		if !json.Valid(got) || !bytes.Equal(compact(t, got), compact(t, want)) {
			t.Fatalf("Field(%q) of %q = %q, want %q", name, in, got, want)
		}
	})
}

func compact(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func BenchmarkField(b *testing.B) {
	data := []byte(`{"type":"game-action","gameId":"g1","action":{"x":1,"y":[2,3]},"callbackid":42}`)
	m := NewMessage(data, false)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Field("callbackid")
	}
}
