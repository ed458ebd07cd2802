package peer

import (
	"encoding/json"
	"testing"

	"github.com/lxzan/gws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRing(t *testing.T) {
	var r ring
	for round := 0; round < 3; round++ {
		for i := 0; i < 100; i++ {
			r.push(outItem{data: []byte{byte(i)}})
		}
		for i := 0; i < 60; i++ {
			require.Equal(t, byte(i), r.pop().data[0], "round %d, item %d", round, i)
		}
		for i := 100; i < 130; i++ {
			r.push(outItem{data: []byte{byte(i)}})
		}
		assert.Equal(t, 70, r.len())
		for i := 60; i < 130; i++ {
			require.Equal(t, byte(i), r.pop().data[0], "round %d, item %d", round, i)
		}
		assert.Zero(t, r.len())
	}
	r.push(outItem{data: []byte("a")})
	r.push(outItem{data: []byte("b")})
	got := r.drain()
	require.Len(t, got, 2)
	assert.Equal(t, "a", string(got[0].data))
	assert.Zero(t, r.len())
}

func TestEncodeErrors(t *testing.T) {
	_, _, err := encode(ModeText, "\xff")
	assert.ErrorIs(t, err, ErrInvalidText)
	_, _, err = encode(ModeText, []byte{0xff})
	assert.ErrorIs(t, err, ErrInvalidText)
	_, _, err = encode(ModeJSON, json.RawMessage{0xff})
	assert.ErrorIs(t, err, ErrInvalidText)
	_, _, err = encode(ModeJSON, Text("\xff"))
	assert.ErrorIs(t, err, ErrInvalidText)
	_, _, err = encode(ModeJSON, func() {})
	assert.Error(t, err, "json.Marshal of a func")
	_, _, err = encode(ModeBinary, 1.5)
	assert.ErrorIs(t, err, ErrUnsupportedValue)
	op, p, err := encode(ModeBinary, "ok")
	require.NoError(t, err)
	assert.Equal(t, gws.OpcodeBinary, op)
	assert.Equal(t, "ok", string(p))
}

func TestStatusCodes(t *testing.T) {
	assert.Equal(t, "1009 message too big", StatusMessageTooBig.String())
	assert.Equal(t, "4999", StatusCode(4999).String())
	for code, retry := range map[StatusCode]bool{
		StatusNormalClosure: true, StatusGoingAway: true, StatusInternalError: true, StatusSlowConsumer: true,
		StatusAbnormal: true, StatusProtocolError: false, StatusInvalidPayload: false, StatusPolicyViolation: false,
		StatusMessageTooBig: false, StatusMiddlewareRefused: false, StatusUnauthorized: false,
		StatusInvalidToken: false, StatusForbidden: false,
	} {
		assert.Equal(t, retry, code.Retry(), "%s", code)
	}
	for _, s := range []State{StateConnecting, StateOpen, StateClosing, StateClosed} {
		assert.NotEmpty(t, s.String())
	}
}

func TestMessage(t *testing.T) {
	m := NewMessage([]byte(`{"a":1}`), false)
	assert.Equal(t, 7, m.Size())
	assert.False(t, m.Binary())
	var v struct{ A int }
	require.NoError(t, m.Decode(&v))
	assert.Equal(t, 1, v.A)
	c := m.Clone()
	c[0] = 'x'
	assert.Equal(t, `{"a":1}`, m.String(), "Clone copies")
}
