package socket

import "github.com/wsroute/wsroute/internal/peer"

// The errors of sends and replies; compare with errors.Is.
var (
	// ErrClosed is returned by a send on a client that is closing or closed.
	// It is net.ErrClosed, so errors.Is(err, net.ErrClosed) holds as well.
	ErrClosed = peer.ErrClosed
	// ErrQueueFull is returned by a send that the client's overflow policy dropped.
	ErrQueueFull = peer.ErrQueueFull
	// ErrSlowConsumer is returned by the send that made the client overflow its queue under
	// the default policy: the client is being closed with StatusSlowConsumer.
	ErrSlowConsumer = peer.ErrSlowConsumer
	// ErrUnsupportedValue is returned when a route's mode cannot send a value,
	// such as a struct on a @binary route.
	ErrUnsupportedValue = peer.ErrUnsupportedValue
	// ErrInvalidText is returned when bytes sent as a text message are not valid UTF-8.
	ErrInvalidText = peer.ErrInvalidText
	// ErrNoCallbackID is returned by Message.Reply and Client.ReplyTo when the request
	// carries no callback id (route.Config's ReplyField), or one that is not valid JSON.
	ErrNoCallbackID = peer.ErrNoCallbackID
)

// InvalidJSONError is passed to the error handler when a message on a @json route is not
// valid JSON: Offset is the byte offset where the decoder gave up, Size the message's
// size, Err the decoder's error. The message is not delivered and the connection stays
// open.
type InvalidJSONError = peer.InvalidJSONError

// PanicError is passed to the error handler when a handler panicked: Value is what it
// panicked with, Stack the goroutine's stack. The client is then closed with
// StatusInternalError.
type PanicError = peer.PanicError

// ConnError is passed to the error handler, before the close handler, when the
// connection failed under the client: a read or a write (Op) on the network failed (a
// reset, a timeout), or the peer broke the protocol and was closed with Code. A peer that
// merely hangs up is no error: only its close event reports it.
type ConnError = peer.ConnError
