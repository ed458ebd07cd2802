package peer_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/closecode"
	"github.com/wsroute/wsroute/internal/peer"
)

// TestCloseCodeConstants keeps the socket constants and the close-code table of
// internal/closecode (from which docs/close-codes.md and the README's summary are
// generated) in step: one constant per row, of the same code, with the row's name and
// reconnect rule, and every code the library sends has a row.
func TestCloseCodeConstants(t *testing.T) {
	constants := map[string]peer.StatusCode{
		"StatusNormalClosure":     peer.StatusNormalClosure,
		"StatusGoingAway":         peer.StatusGoingAway,
		"StatusProtocolError":     peer.StatusProtocolError,
		"StatusUnsupportedData":   peer.StatusUnsupportedData,
		"StatusNoStatus":          peer.StatusNoStatus,
		"StatusAbnormal":          peer.StatusAbnormal,
		"StatusInvalidPayload":    peer.StatusInvalidPayload,
		"StatusPolicyViolation":   peer.StatusPolicyViolation,
		"StatusMessageTooBig":     peer.StatusMessageTooBig,
		"StatusInternalError":     peer.StatusInternalError,
		"StatusServiceRestart":    peer.StatusServiceRestart,
		"StatusTryAgainLater":     peer.StatusTryAgainLater,
		"StatusMiddlewareRefused": peer.StatusMiddlewareRefused,
		"StatusUnauthorized":      peer.StatusUnauthorized,
		"StatusInvalidToken":      peer.StatusInvalidToken,
		"StatusForbidden":         peer.StatusForbidden,
		"StatusSlowConsumer":      peer.StatusSlowConsumer,
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
	for _, code := range []peer.StatusCode{
		peer.StatusNormalClosure, peer.StatusGoingAway, peer.StatusProtocolError,
		peer.StatusInvalidPayload, peer.StatusPolicyViolation, peer.StatusMessageTooBig,
		peer.StatusInternalError, peer.StatusMiddlewareRefused, peer.StatusUnauthorized,
		peer.StatusInvalidToken, peer.StatusForbidden, peer.StatusSlowConsumer,
	} {
		in, ok := closecode.Lookup(uint16(code))
		assert.True(t, ok && !in.Reported, "%s is sent by the library and has a row", code)
	}
	assert.False(t, peer.StatusCode(4321).Retry(), "an application's own code")
	assert.Equal(t, "4321", peer.StatusCode(4321).String(), "an application's own code has no name")
}

func TestSendable(t *testing.T) {
	for _, tt := range []struct {
		code peer.StatusCode
		ok   bool
	}{
		{999, false}, {1000, true}, {1003, true}, {1004, false}, {1005, false}, {1006, false},
		{1007, true}, {1011, true}, {1013, true}, {1014, false}, {1015, false}, {2999, false},
		{3000, true}, {4999, true}, {5000, false},
	} {
		assert.Equal(t, tt.ok, tt.code.Sendable(), "%d", tt.code)
	}
}
