package peer

import (
	"strconv"

	"github.com/wsroute/wsroute/internal/closecode"
)

// StatusCode is a WebSocket close code (RFC 6455 §7.4).
type StatusCode uint16

// The close codes wsroute sends or reports. The table in docs/close-codes.md (generated
// from internal/closecode, like these constants) says when each is sent and whether a
// client should reconnect.
const (
	StatusNormalClosure   StatusCode = closecode.NormalClosure   // normal close; also idle and heartbeat timeouts
	StatusGoingAway       StatusCode = closecode.GoingAway       // the server is shutting down
	StatusProtocolError   StatusCode = closecode.ProtocolError   // the peer broke the protocol (bad frame, unmasked frame, reserved opcode)
	StatusUnsupportedData StatusCode = closecode.UnsupportedData // a data type the endpoint cannot accept
	StatusNoStatus        StatusCode = closecode.NoStatus        // reported only: the peer's close frame had no code
	StatusAbnormal        StatusCode = closecode.Abnormal        // reported only: the connection dropped without a close frame
	StatusInvalidPayload  StatusCode = closecode.InvalidPayload  // a text message that is not valid UTF-8
	StatusPolicyViolation StatusCode = closecode.PolicyViolation // a policy was broken: the route's rate limit
	StatusMessageTooBig   StatusCode = closecode.MessageTooBig   // a message over the route's size limit
	StatusInternalError   StatusCode = closecode.InternalError   // a handler panicked
	StatusServiceRestart  StatusCode = closecode.ServiceRestart  // the server is restarting: reconnect
	StatusTryAgainLater   StatusCode = closecode.TryAgainLater   // the server is overloaded

	StatusMiddlewareRefused StatusCode = closecode.MiddlewareRefused // a middleware returned an error; the reason is its message
	StatusUnauthorized      StatusCode = closecode.Unauthorized      // the route needs an authorized client (or an unauthorized one)
	StatusInvalidToken      StatusCode = closecode.InvalidToken      // the route's CSRF token is missing, invalid or expired
	StatusForbidden         StatusCode = closecode.Forbidden         // a middleware said no
	StatusSlowConsumer      StatusCode = closecode.SlowConsumer      // the client's outgoing queue overflowed or a write stalled
)

// String returns the code and its name, such as "1009 message too big".
func (s StatusCode) String() string {
	if in, ok := closecode.Lookup(uint16(s)); ok {
		return strconv.Itoa(int(s)) + " " + in.Name
	}
	return strconv.Itoa(int(s))
}

// Retry reports whether a client closed with s should reconnect on its own. Codes that
// say the client itself is at fault (bad data, a broken policy, refused credentials) are
// not worth retrying unchanged; codes that say the connection or the server went away are.
// An application's own codes (3000-4999 outside the table) are not retried.
func (s StatusCode) Retry() bool {
	in, ok := closecode.Lookup(uint16(s))
	return ok && in.Retry
}

// CloseEvent describes how a connection ended.
type CloseEvent struct {
	// Code is the close code: the one the peer sent, the one the server sent when it
	// closed the connection, or StatusAbnormal when the connection dropped.
	Code StatusCode
	// Reason is the close frame's reason text, if any.
	Reason string
	// ByPeer is true when the peer started the close handshake.
	ByPeer bool
	// Err is the transport error when the connection dropped without a close frame.
	Err error
}

// Sendable reports whether s may be sent in a close frame: 1000–1003, 1007–1013 and the
// application range 3000–4999. The others are reserved (1004, 1005, 1006, 1015), unassigned
// or out of range, and a peer answers them with a protocol error.
func (s StatusCode) Sendable() bool {
	switch {
	case s >= 1000 && s <= 1003, s >= 1007 && s <= 1013:
		return true
	}
	return s >= 3000 && s <= 4999
}
