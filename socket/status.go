package socket

import "strconv"

// StatusCode is a WebSocket close code (RFC 6455 §7.4).
type StatusCode uint16

// The close codes wsroute sends or reports. The table in the package documentation says
// when each is sent and whether a client should reconnect.
const (
	StatusNormalClosure   StatusCode = 1000 // normal close; also idle and heartbeat timeouts
	StatusGoingAway       StatusCode = 1001 // the server is shutting down
	StatusProtocolError   StatusCode = 1002 // the peer broke the protocol (bad frame, unmasked frame, reserved opcode)
	StatusUnsupportedData StatusCode = 1003 // a data type the endpoint cannot accept
	StatusNoStatus        StatusCode = 1005 // reported only: the peer's close frame had no code
	StatusAbnormal        StatusCode = 1006 // reported only: the connection dropped without a close frame
	StatusInvalidPayload  StatusCode = 1007 // a text message that is not valid UTF-8
	StatusPolicyViolation StatusCode = 1008 // a policy was broken: the route's rate limit
	StatusMessageTooBig   StatusCode = 1009 // a message over the route's size limit
	StatusInternalError   StatusCode = 1011 // a handler panicked
	StatusTryAgainLater   StatusCode = 1013 // the server is overloaded

	StatusMiddlewareRefused StatusCode = 4000 // a middleware returned an error; the reason is its message
	StatusUnauthorized      StatusCode = 4001 // the route needs an authorized client (or an unauthorized one)
	StatusInvalidToken      StatusCode = 4002 // the route's CSRF token is missing, invalid or expired
	StatusForbidden         StatusCode = 4003 // a middleware said no
	StatusSlowConsumer      StatusCode = 4008 // the client's outgoing queue overflowed or a write stalled
)

var statusNames = map[StatusCode]string{
	StatusNormalClosure:     "normal closure",
	StatusGoingAway:         "going away",
	StatusProtocolError:     "protocol error",
	StatusUnsupportedData:   "unsupported data",
	StatusNoStatus:          "no status",
	StatusAbnormal:          "abnormal closure",
	StatusInvalidPayload:    "invalid payload",
	StatusPolicyViolation:   "policy violation",
	StatusMessageTooBig:     "message too big",
	StatusInternalError:     "internal error",
	StatusTryAgainLater:     "try again later",
	StatusMiddlewareRefused: "middleware refused",
	StatusUnauthorized:      "unauthorized",
	StatusInvalidToken:      "invalid token",
	StatusForbidden:         "forbidden",
	StatusSlowConsumer:      "slow consumer",
}

// String returns the code and its name, such as "1009 message too big".
func (s StatusCode) String() string {
	if n, ok := statusNames[s]; ok {
		return strconv.Itoa(int(s)) + " " + n
	}
	return strconv.Itoa(int(s))
}

// Retry reports whether a client closed with s should reconnect on its own. Codes that
// say the client itself is at fault (bad data, a broken policy, refused credentials) are
// not worth retrying unchanged; codes that say the connection or the server went away are.
func (s StatusCode) Retry() bool {
	switch s {
	case StatusGoingAway, StatusAbnormal, StatusInternalError, StatusTryAgainLater, StatusSlowConsumer, StatusNoStatus:
		return true
	case StatusNormalClosure:
		return true
	}
	return false
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
