package socket

import "github.com/wsroute/wsroute/internal/peer"

// StatusCode is a WebSocket close code (RFC 6455 §7.4). Its String method gives the code
// and its name ("1009 message too big"); Retry reports whether a client closed with it
// should reconnect on its own.
type StatusCode = peer.StatusCode

// The close codes wsroute sends or reports. The table in docs/close-codes.md (generated
// from internal/closecode, like these constants) says when each is sent and whether a
// client should reconnect.
const (
	StatusNormalClosure   = peer.StatusNormalClosure   // normal close; also idle and heartbeat timeouts
	StatusGoingAway       = peer.StatusGoingAway       // the server is shutting down
	StatusProtocolError   = peer.StatusProtocolError   // the peer broke the protocol (bad frame, unmasked frame, reserved opcode)
	StatusUnsupportedData = peer.StatusUnsupportedData // a data type the endpoint cannot accept
	StatusNoStatus        = peer.StatusNoStatus        // reported only: the peer's close frame had no code
	StatusAbnormal        = peer.StatusAbnormal        // reported only: the connection dropped without a close frame
	StatusInvalidPayload  = peer.StatusInvalidPayload  // a text message that is not valid UTF-8
	StatusPolicyViolation = peer.StatusPolicyViolation // a policy was broken: the route's rate limit
	StatusMessageTooBig   = peer.StatusMessageTooBig   // a message over the route's size limit
	StatusInternalError   = peer.StatusInternalError   // a handler panicked
	StatusServiceRestart  = peer.StatusServiceRestart  // the server is restarting: reconnect
	StatusTryAgainLater   = peer.StatusTryAgainLater   // the server is overloaded

	StatusMiddlewareRefused = peer.StatusMiddlewareRefused // a middleware returned an error; the reason is its message
	StatusUnauthorized      = peer.StatusUnauthorized      // the route needs an authorized client (or an unauthorized one)
	StatusInvalidToken      = peer.StatusInvalidToken      // the route's CSRF token is missing, invalid or expired
	StatusForbidden         = peer.StatusForbidden         // a middleware said no
	StatusSlowConsumer      = peer.StatusSlowConsumer      // the client's outgoing queue overflowed or a write stalled
)

// CloseEvent describes how a connection ended: Code (the peer's, the server's, or
// StatusAbnormal when the connection dropped), Reason, ByPeer (the peer started the close
// handshake) and Err (the transport error of a dropped connection).
type CloseEvent = peer.CloseEvent

// State is a client's ready state, numbered as the browser's WebSocket.readyState.
type State = peer.State

// The ready states.
const (
	StateConnecting = peer.StateConnecting // upgraded, open handler not yet run
	StateOpen       = peer.StateOpen       // open handler run; messages flow
	StateClosing    = peer.StateClosing    // a close has started; sends fail with ErrClosed
	StateClosed     = peer.StateClosed     // the connection is gone; the close handler runs in this state
)

// Overflow is what a client does when its outgoing queue is full (route.Config's
// Overflow). The queue is full when it holds QueueMessages messages, or when it is not
// empty and the new message would take it past QueueBytes.
type Overflow = peer.Overflow

// The overflow policies.
const (
	// OverflowClose closes the client with StatusSlowConsumer (the default): queued
	// messages are dropped, a close frame is attempted for one second, then the
	// connection is cut. The send returns ErrSlowConsumer.
	OverflowClose = peer.OverflowClose
	// OverflowDropNewest keeps the queue as it is and drops the new message; the send
	// returns ErrQueueFull.
	OverflowDropNewest = peer.OverflowDropNewest
	// OverflowDropOldest drops messages from the front of the queue until the new one fits.
	OverflowDropOldest = peer.OverflowDropOldest
)
