package peer

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonCases are documents on both sides of every rule of the grammar; each is checked
// against encoding/json.Valid, which defines the answer.
var jsonCases = []string{
	// scalars
	`0`, `-0`, `1`, `-1`, `123`, `1.5`, `-1.5e10`, `1E+2`, `1e-2`, `0.0`, `1e0`,
	`01`, `-`, `+1`, `1.`, `.5`, `1e`, `1e+`, `1.e5`, `0x1`, `1_000`, `NaN`, `Infinity`, `--1`,
	`true`, `false`, `null`, `tru`, `nul`, `True`, `nulll`, `truefalse`,
	`""`, `"a"`, `"\""`, `"\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\u00e9"`, `"\uD83D\uDE00"`, `"\uZZZZ"`,
	`"\u12"`, `"\x"`, `"\a"`, `"unterminated`, `"tab	inside"`, "\"nl\ninside\"", "\"\x00\"", "\"\x1f\"",
	"\"\x7f\"", "\"caf\xc3\xa9\"", "\"\xff\xfe\"", `"a\`, `"\`, `"\u`,
	// whitespace
	` 1 `, "\t\n\r 1\r\n", "\v1", "\f1", "1 2", "", " ", "\n",
	// arrays
	`[]`, `[ ]`, `[1]`, `[1,2,3]`, `[1,]`, `[,1]`, `[1 2]`, `[`, `]`, `[[]]`, `[[],[]]`, `[[[1]]]`, `[1]]`, `[[1]`,
	// objects
	`{}`, `{ }`, `{"a":1}`, `{"a":1,"b":[true,null]}`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a" 1}`,
	`{"a":1 "b":2}`, `{1:2}`, `{"a":{"b":{"c":[]}}}`, `{"a":[{"b":"}"}]}`, `{"a":"]"}`, `{"a":1}}`, `{`, `}`,
	`{"a":1]`, `[1}`, `{"":""}`, `{"a":"b","a":"c"}`,
	// the benchmark's messages
	`{"type":"echo","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`,
	`{"t":"1700000000000000000","s":"0000001","p":"xxxxxxxxxxxx"}`,
	`{"type":"msg","body":{"text":"héllo \"world\"\n","n":[1,2.5,-3e4],"ok":true,"none":null}}`,
}

func TestValidJSON(t *testing.T) {
	for _, in := range jsonCases {
		assert.Equal(t, json.Valid([]byte(in)), validJSON([]byte(in)), "validJSON(%q)", in)
	}
}

// TestValidJSONStrings puts every byte at every position of an 8-byte block of a string,
// where the eight-at-a-time scan must notice it.
func TestValidJSONStrings(t *testing.T) {
	for b := range 256 {
		for pos := range 17 {
			s := []byte(`"` + strings.Repeat("a", 16) + `"`)
			s[1+pos%16] = byte(b)
			if pos == 16 {
				s = append(s[:len(s)-1], byte(b), '"')
			}
			require.Equal(t, json.Valid(s), validJSON(s), "byte %#x at %d: %q", b, pos, s)
		}
	}
}

func TestValidJSONDepth(t *testing.T) {
	for _, depth := range []int{1, 63, 64, 65, 511, 512, 513, 1000, maxJSONDepth, maxJSONDepth + 1} {
		for _, open := range []string{"[", `{"k":`} {
			closer := "]"
			if open != "[" {
				closer = "}"
			}
			doc := strings.Repeat(open, depth) + "1" + strings.Repeat(closer, depth)
			assert.Equal(t, json.Valid([]byte(doc)), validJSON([]byte(doc)), "depth %d of %q", depth, open)
			assert.Equal(t, depth <= maxJSONDepth, validJSON([]byte(doc)), "depth %d of %q", depth, open)
		}
		// Mixed nesting across the 64-level words of the stack: [{"k":[{"k":...
		var b strings.Builder
		for d := range depth {
			if d%2 == 0 {
				b.WriteString("[")
			} else {
				b.WriteString(`{"k":`)
			}
		}
		b.WriteString("0")
		for d := depth - 1; d >= 0; d-- {
			if d%2 == 0 {
				b.WriteString("]")
			} else {
				b.WriteString("}")
			}
		}
		doc := []byte(b.String())
		assert.Equal(t, json.Valid(doc), validJSON(doc), "mixed depth %d", depth)
		// The same with one closer swapped deep inside: a ']' where a '}' belongs.
		if depth > 2 {
			bad := []byte(strings.Replace(b.String(), "}", "]", 1))
			assert.False(t, validJSON(bad), "mixed depth %d with a wrong closer", depth)
		}
	}
}

func TestValidJSONAllocs(t *testing.T) {
	doc := []byte(`{"type":"msg","body":{"text":"hello","n":[1,2,3],"deep":[[[[[[[[1]]]]]]]]}}`)
	allocs := testing.AllocsPerRun(100, func() { validJSON(doc) })
	assert.Zero(t, allocs, "validJSON allocates")
}

// FuzzDecode holds the decoding path of a @json route to encoding/json: a message is
// delivered exactly when encoding/json.Valid accepts it, and a delivered message always
// decodes with Message.Decode. The seeds run with go test; go test -fuzz=FuzzDecode
// ./socket explores further.
func FuzzDecode(f *testing.F) {
	for _, in := range jsonCases {
		f.Add([]byte(in))
	}
	f.Add([]byte(strings.Repeat("[", 600) + strings.Repeat("]", 600)))
	f.Fuzz(func(t *testing.T, data []byte) {
		want := json.Valid(data)
		got := validJSON(data)
		if got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json.Valid says %v", data, got, want)
		}
		if !got {
			return
		}
		m := NewMessage(data, false)
		var raw json.RawMessage
		if err := m.Decode(&raw); err != nil {
			t.Fatalf("a valid message does not decode: %q: %v", data, err)
		}
		// Into an interface a number may overflow float64; that is the only failure left.
		var v any
		var typeErr *json.UnmarshalTypeError
		if err := m.Decode(&v); err != nil && !errors.As(err, &typeErr) {
			t.Fatalf("a valid message fails to decode with %T: %q: %v", err, data, err)
		}
	})
}
