package peer

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/wsroute/wsroute/internal/jsonscan"
)

// FuzzDecode holds the decoding path of a @json route to encoding/json: a message is
// delivered exactly when encoding/json.Valid accepts it, and a delivered message always
// decodes with Message.Decode. The seeds run with go test; go test -fuzz=FuzzDecode
// ./internal/peer explores further.
func FuzzDecode(f *testing.F) {
	for _, in := range []string{`{"type":"msg","body":[1,2.5e3,"x\\u00e9",null,true]}`, `[]`, `"s"`, `{"a":`, `1e400`, ``} {
		f.Add([]byte(in))
	}
	f.Add([]byte(strings.Repeat("[", 600) + strings.Repeat("]", 600)))
	f.Fuzz(func(t *testing.T, data []byte) {
		want := json.Valid(data)
		got := jsonscan.Valid(data)
		if got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json.Valid says %v", data, got, want)
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
