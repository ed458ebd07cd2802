package peer

import (
	"errors"
	"net"
	"strconv"
)

var (
	// ErrClosed is returned by a send on a client that is closing or closed.
	// It is net.ErrClosed, so errors.Is(err, net.ErrClosed) holds as well.
	ErrClosed = net.ErrClosed
	// ErrQueueFull is returned by a send that the client's overflow policy dropped.
	ErrQueueFull = errors.New("socket: outgoing queue full")
	// ErrSlowConsumer is returned by the send that made the client overflow its queue under
	// the default policy: the client is being closed with StatusSlowConsumer.
	ErrSlowConsumer = errors.New("socket: slow consumer")
	// ErrUnsupportedValue is returned when a route's mode cannot send a value,
	// such as a struct on a @binary route.
	ErrUnsupportedValue = errors.New("socket: value not supported by the route's mode")
	// ErrInvalidText is returned when bytes sent as a text message are not valid UTF-8.
	ErrInvalidText = errors.New("socket: text message is not valid UTF-8")
	// ErrNoCallbackID is returned by Message.Reply and Client.ReplyTo when the request
	// carries no callback id (Options.ReplyField), or one that is not valid JSON.
	ErrNoCallbackID = errors.New("socket: message has no callback id")
)

// InvalidJSONError is passed to the error handler when a message on a @json route is not
// valid JSON. The message is not delivered and the connection stays open.
type InvalidJSONError struct {
	Offset int64 // byte offset where the JSON decoder gave up
	Size   int   // the message's size in bytes
	Err    error // the decoder's error
}

func (e *InvalidJSONError) Error() string {
	return "socket: invalid JSON message at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Err.Error()
}

func (e *InvalidJSONError) Unwrap() error { return e.Err }

// PanicError is passed to the error handler when a handler panicked. The client is then
// closed with StatusInternalError.
type PanicError struct {
	Value any    // what the handler panicked with
	Stack []byte // the goroutine's stack at the panic
}

func (e *PanicError) Error() string {
	if err, ok := e.Value.(error); ok {
		return "socket: handler panicked: " + err.Error()
	}
	return "socket: handler panicked"
}

// ConnError is passed to the error handler, before the close handler, when the
// connection failed under the client: a read or a write on the network failed (a reset,
// a timeout), or the peer broke the protocol and was closed with Code. A peer that
// merely hangs up is no error: only its close event reports it.
type ConnError struct {
	Op   string     // "read" or "write"
	Code StatusCode // the close code sent for a protocol failure; 0 for a transport error
	Err  error
}

func (e *ConnError) Error() string {
	if e.Code != 0 {
		return "socket: " + e.Op + ": " + e.Code.String() + ": " + e.Err.Error()
	}
	return "socket: " + e.Op + ": " + e.Err.Error()
}

func (e *ConnError) Unwrap() error { return e.Err }
