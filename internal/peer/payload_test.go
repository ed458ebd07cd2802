package peer

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCopyPayload(t *testing.T) {
	for _, tc := range []struct {
		n, cap int
		pooled bool
	}{
		{1, 64, true}, {64, 64, true}, {65, 128, true}, {4096, 4096, true}, {4097, 8192, true},
		{64 << 10, 64 << 10, true}, {64<<10 + 1, 64<<10 + 1, false},
	} {
		p := bytes.Repeat([]byte{'a'}, tc.n)
		data, buf := copyPayload(p)
		assert.Equal(t, p, data, "copy of %d bytes", tc.n)
		assert.NotSame(t, &p[0], &data[0], "a copy")
		assert.Equal(t, tc.pooled, buf != nil, "%d bytes pooled", tc.n)
		if tc.pooled {
			assert.Equal(t, tc.cap, cap(*buf), "class of %d bytes", tc.n)
			freePayload(buf)
		}
	}
}

func TestCallersBytes(t *testing.T) {
	b := []byte(`"x"`)
	for _, tc := range []struct {
		name string
		v    any
		mode Mode
		want bool
	}{
		{"RawMessage", json.RawMessage(b), ModeJSON, true},
		{"Binary", Binary(b), ModeJSON, true},
		{"[]byte on @text", b, ModeText, true},
		{"[]byte on @binary", b, ModeBinary, true},
		{"[]byte on @json is marshalled", b, ModeJSON, false},
		{"a string", `"x"`, ModeText, false},
		{"Text", Text(`"x"`), ModeJSON, false},
		{"a struct", struct{ A int }{1}, ModeJSON, false},
		{"empty", json.RawMessage{}, ModeJSON, false},
	} {
		_, data, err := encode(tc.mode, tc.v)
		if assert.NoError(t, err, tc.name) {
			assert.Equal(t, tc.want, callersBytes(tc.v, data), tc.name)
		}
	}
}
