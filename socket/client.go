package socket

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"time"

	"github.com/wsroute/wsroute/internal/peer"
)

// Client is one WebSocket connection: what a handler gets.
//
// All methods of Client are safe for concurrent use. Sends never block on the network:
// they go to a bounded outgoing queue (route.Config's QueueMessages and QueueBytes)
// written in order by one writer at a time.
type Client peer.Client

// ID is the client's identifier: 16 characters from 96 random bits, unique and unguessable.
func (c *Client) ID() string {
	return (*peer.Client)(c).ID()
}

// URL is the normalised request path the client connected to: static segments
// lower-cased, parameter values with their case kept and canonically percent-escaped,
// slashes collapsed, with a trailing slash ("/chat/Room1/").
func (c *Client) URL() string {
	return (*peer.Client)(c).URL()
}

// Path is the request path as the client sent it.
func (c *Client) Path() string {
	return (*peer.Client)(c).Path()
}

// Param returns the value of the route parameter name, percent-decoded, with its case
// kept, or "" when the route has no such parameter.
func (c *Client) Param(name string) string {
	return (*peer.Client)(c).Param(name)
}

// Params returns the route parameters as name, value pairs in route order.
// The slice must not be modified.
func (c *Client) Params() []string {
	return (*peer.Client)(c).Params()
}

// Query returns the first value of the query parameter name.
func (c *Client) Query(name string) string {
	return (*peer.Client)(c).Query(name)
}

// Header returns the handshake request's headers, but for Sec-WebSocket-Key, -Version
// and -Extensions, which only the handshake reads. It must not be modified.
func (c *Client) Header() http.Header {
	return (*peer.Client)(c).Header()
}

// IP is the client's address: the socket's remote IP, or the first untrusted address of
// X-Forwarded-For when the request came through a proxy the registry trusts.
func (c *Client) IP() string {
	return (*peer.Client)(c).IP()
}

// RemoteAddr is the network address of the connection's peer.
func (c *Client) RemoteAddr() net.Addr {
	return (*peer.Client)(c).RemoteAddr()
}

// User is what the registry's authorizer returned for this client, or nil.
func (c *Client) User() any {
	return (*peer.Client)(c).User()
}

// AuthData is the data the registry's authenticate hook returned for this client, or nil.
func (c *Client) AuthData() any {
	return (*peer.Client)(c).AuthData()
}

// Mode is the route's message mode.
func (c *Client) Mode() Mode {
	return (*peer.Client)(c).Mode()
}

// Subprotocol is the subprotocol chosen in the handshake, or "".
func (c *Client) Subprotocol() string {
	return (*peer.Client)(c).Subprotocol()
}

// State is the client's ready state.
func (c *Client) State() State {
	return (*peer.Client)(c).State()
}

// Latency is the round trip of the last answered ping, or 0 before the first pong.
func (c *Client) Latency() time.Duration {
	return (*peer.Client)(c).Latency()
}

// Dropped counts the messages this client's overflow policy has dropped.
func (c *Client) Dropped() uint64 {
	return (*peer.Client)(c).Dropped()
}

// Queued reports what waits in the client's outgoing queue, beyond the batch being
// written: at most route.Config's QueueMessages messages and QueueBytes bytes (a single
// message larger than QueueBytes is let into an empty queue).
func (c *Client) Queued() (messages, bytes int) {
	return (*peer.Client)(c).Queued()
}

// Send encodes v by the route's mode and queues it for this client. It returns an error
// when the mode cannot encode v, when the client is closing (ErrClosed), or when the
// overflow policy refused it (ErrQueueFull, ErrSlowConsumer). The encoding table is in
// the package documentation. Bytes passed in v ([]byte, json.RawMessage, Binary) are
// copied: the caller may reuse them once Send returns, and a handler may pass on the
// bytes of the message it handles (Message.Bytes) as they are.
func (c *Client) Send(v any) error {
	return (*peer.Client)(c).Send(v)
}

// SendBinary queues data as a binary frame, whatever the route's mode. data is copied, as
// by Send.
func (c *Client) SendBinary(data []byte) error {
	return (*peer.Client)(c).SendBinary(data)
}

// ReplyTo sends v to the client as the answer to the request whose callback id is id
// (from Message.CallbackID), in the form Message.Reply describes. It is for answers
// made after the handler has returned, such as from a goroutine that queried a database.
func (c *Client) ReplyTo(id json.RawMessage, v any) error {
	return (*peer.Client)(c).ReplyTo(id, v)
}

// Close starts the close handshake: messages already queued are written first, then a
// close frame with code and reason (cut to 123 bytes), then the connection is closed.
// Later sends fail with ErrClosed. Closing twice returns ErrClosed.
func (c *Client) Close(code StatusCode, reason string) error {
	return (*peer.Client)(c).Close(code, reason)
}

// Ping sends a ping frame now. Its pong updates Latency.
func (c *Client) Ping() error {
	return (*peer.Client)(c).Ping()
}

// Context returns a context cancelled when the client closes.
func (c *Client) Context() context.Context {
	return (*peer.Client)(c).Context()
}

// Set stores value under key in the client's data store.
func (c *Client) Set(key string, value any) {
	(*peer.Client)(c).Set(key, value)
}

// Get returns the value stored under key and whether there was one.
func (c *Client) Get(key string) (any, bool) {
	return (*peer.Client)(c).Get(key)
}

// Delete removes key from the client's data store.
func (c *Client) Delete(key string) {
	(*peer.Client)(c).Delete(key)
}

// AfterClose registers fn to run once the client has closed, after the close handler.
// If the client is already closed, fn runs at once. It returns a function that
// unregisters fn; once the close has begun running the callbacks, unregistering no
// longer stops fn. Unregistered callbacks are forgotten, so a long-lived client may
// register and unregister any number of them.
func (c *Client) AfterClose(fn func()) (stop func()) {
	return (*peer.Client)(c).AfterClose(fn)
}

// Join adds the client to room. Joining a room twice is the same as joining it once.
// It returns ErrClosed when the client has closed (it is no longer in the registry), so a
// closed client never reappears in a room.
func (c *Client) Join(room string) error {
	return (*peer.Client)(c).Join(room)
}

// Leave removes the client from room and reports whether it was a member. The room is
// freed when its last member leaves.
func (c *Client) Leave(room string) bool {
	return (*peer.Client)(c).Leave(room)
}

// Rooms returns the names of the rooms the client is in, sorted. It is empty once the
// client has closed.
func (c *Client) Rooms() []string {
	return (*peer.Client)(c).Rooms()
}

// InRoom reports whether the client is in room.
func (c *Client) InRoom(room string) bool {
	return (*peer.Client)(c).InRoom(room)
}

// To returns the room named room across the whole registry: its members on every route
// and URL, wherever they connected.
func (c *Client) To(room string) Room {
	return Room((*peer.Client)(c).To(room))
}

// After runs fn once, d from now, unless the client has started closing by then or the
// returned Timer was stopped.
//
// fn runs on a goroutine of its own, concurrently with the client's handlers; it may
// call any method of the client. A panic in fn is handled as a panic in a handler: it
// is logged, passed to the error handler as a *PanicError and the client is closed with
// StatusInternalError.
func (c *Client) After(d time.Duration, fn func()) *Timer {
	return (*Timer)((*peer.Client)(c).After(d, fn))
}

// Every runs fn every d until the client starts closing or the returned Timer is
// stopped. The first run is d from now. Runs never overlap: when fn takes longer than
// d, the ticks it missed are skipped, not queued. It panics if d is not positive.
//
// fn runs as After's does: on a goroutine of its own, concurrently with the client's
// handlers, with panics recovered.
func (c *Client) Every(d time.Duration, fn func()) *Timer {
	return (*Timer)((*peer.Client)(c).Every(d, fn))
}
