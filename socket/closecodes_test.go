package socket_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/closecode"
	"github.com/wsroute/wsroute/socket"
)

// TestCloseCodeConstants keeps the socket constants and the close-code table of
// internal/closecode (from which docs/close-codes.md and the README's summary are
// generated) in step: one constant per row, of the same code, with the row's name and
// reconnect rule, and every code the library sends has a row.
func TestCloseCodeConstants(t *testing.T) {
	constants := map[string]socket.StatusCode{
		"StatusNormalClosure":     socket.StatusNormalClosure,
		"StatusGoingAway":         socket.StatusGoingAway,
		"StatusProtocolError":     socket.StatusProtocolError,
		"StatusUnsupportedData":   socket.StatusUnsupportedData,
		"StatusNoStatus":          socket.StatusNoStatus,
		"StatusAbnormal":          socket.StatusAbnormal,
		"StatusInvalidPayload":    socket.StatusInvalidPayload,
		"StatusPolicyViolation":   socket.StatusPolicyViolation,
		"StatusMessageTooBig":     socket.StatusMessageTooBig,
		"StatusInternalError":     socket.StatusInternalError,
		"StatusServiceRestart":    socket.StatusServiceRestart,
		"StatusTryAgainLater":     socket.StatusTryAgainLater,
		"StatusMiddlewareRefused": socket.StatusMiddlewareRefused,
		"StatusUnauthorized":      socket.StatusUnauthorized,
		"StatusInvalidToken":      socket.StatusInvalidToken,
		"StatusForbidden":         socket.StatusForbidden,
		"StatusSlowConsumer":      socket.StatusSlowConsumer,
	}
	require.Len(t, closecode.Table, len(constants), "one table row per socket constant")
	for _, in := range closecode.Table {
		code, ok := constants[in.Constant]
		require.True(t, ok, "row %d names %s, which is not a socket constant", in.Code, in.Constant)
		assert.Equal(t, in.Code, uint16(code), "%s", in.Constant)
		assert.Equal(t, strconv.Itoa(int(in.Code))+" "+in.Name, code.String(), "%s", in.Constant)
		assert.Equal(t, in.Retry, code.Retry(), "%s: Retry()", in.Constant)
		assert.Equal(t, !in.Reported, code.Sendable(), "%s: only the reported-only codes cannot be sent", in.Constant)
	}
	for _, code := range []socket.StatusCode{
		socket.StatusNormalClosure, socket.StatusGoingAway, socket.StatusProtocolError,
		socket.StatusInvalidPayload, socket.StatusPolicyViolation, socket.StatusMessageTooBig,
		socket.StatusInternalError, socket.StatusMiddlewareRefused, socket.StatusUnauthorized,
		socket.StatusInvalidToken, socket.StatusForbidden, socket.StatusSlowConsumer,
	} {
		in, ok := closecode.Lookup(uint16(code))
		assert.True(t, ok && !in.Reported, "%s is sent by the library and has a row", code)
	}
	assert.False(t, socket.StatusCode(4321).Retry(), "an application's own code")
	assert.Equal(t, "4321", socket.StatusCode(4321).String(), "an application's own code has no name")
}

func TestSendable(t *testing.T) {
	for _, tt := range []struct {
		code socket.StatusCode
		ok   bool
	}{
		{999, false}, {1000, true}, {1003, true}, {1004, false}, {1005, false}, {1006, false},
		{1007, true}, {1011, true}, {1013, true}, {1014, false}, {1015, false}, {2999, false},
		{3000, true}, {4999, true}, {5000, false},
	} {
		assert.Equal(t, tt.ok, tt.code.Sendable(), "%d", tt.code)
	}
}
