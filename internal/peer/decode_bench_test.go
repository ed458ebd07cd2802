package peer

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// benchMessage returns the JSON message of cmd/wsbench's echo scenario: an object of
// exactly size bytes.
func benchMessage(size int) []byte {
	const head, tail = `{"type":"echo","pad":"`, `"}`
	return []byte(head + strings.Repeat("x", size-len(head)-len(tail)) + tail)
}

// realisticMessage is a chat-like message of about size bytes with escapes, numbers and
// nesting, so that the validator leaves its fast string path.
func realisticMessage(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"msg","items":[`)
	for i := 0; b.Len() < size-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"text":"héllo \"w\" %d\n","score":%d.5e-3,"ok":true}`, i, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkDecode measures what a @json route does to every incoming text message before
// its handler runs: the UTF-8 check and the JSON validation (validJSON, against
// encoding/json.Valid, which it replaces), and then Message.Decode as a handler calls it.
//
//	go test -run='^$' -bench=Decode -benchmem ./internal/peer
func BenchmarkDecode(b *testing.B) {
	msgs := []struct {
		name string
		data []byte
	}{
		{"echo64B", benchMessage(64)},
		{"echo4KiB", benchMessage(4096)},
		{"chat4KiB", realisticMessage(4096)},
	}
	for _, m := range msgs {
		b.Run("validate/"+m.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(m.data)))
			for b.Loop() {
				if !utf8.Valid(m.data) || !validJSON(m.data) {
					b.Fatal("invalid")
				}
			}
		})
		b.Run("encoding-json-valid/"+m.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(m.data)))
			for b.Loop() {
				if !utf8.Valid(m.data) || !json.Valid(m.data) {
					b.Fatal("invalid")
				}
			}
		})
		b.Run("Message.Decode/"+m.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(m.data)))
			msg := NewMessage(m.data, false)
			for b.Loop() {
				var v struct {
					Type string `json:"type"`
				}
				if err := msg.Decode(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
