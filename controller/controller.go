package controller

import (
	"github.com/wsroute/wsroute/internal/endpoint"
	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/socket"
)

// ErrDestroyed is returned by sends on a destroyed controller.
var ErrDestroyed = endpoint.ErrDestroyed

// DefaultAutoDestroyDelay is how long an empty controller with AutoDestroy waits before
// it is destroyed: 5 s, as in Total.js.
const DefaultAutoDestroyDelay = endpoint.DefaultAutoDestroyDelay

// Controller is the "$" of a socket route: the clients of one route at one
// concrete URL, the handlers set up for them, and the ways to reach them.
//
// All methods of Controller are safe for concurrent use. Handlers for one client run one
// at a time, in order; handlers for different clients run concurrently and must not
// block for long. Handlers are set in the setup function only.
type Controller endpoint.Endpoint

// e is the implementation behind ctl.
func (ctl *Controller) e() *endpoint.Endpoint { return (*endpoint.Endpoint)(ctl) }

// Room is a named room (socket.Room). The rooms a controller gives are narrowed to the
// controller's URL: Controller.To reaches the room's members connected to this
// controller only; socket.Client.To and the registry's To reach all of them.
type Room = socket.Room

// BroadcastOptions narrow Controller.BroadcastWith, in the style of the Vite plugin's
// conn.broadcast(data, {rooms, includeSelf}).
type BroadcastOptions struct {
	// Rooms limits the send to clients in at least one of these rooms; a client in
	// several of them gets the message once. Empty means every client of the controller.
	Rooms []string
	// IncludeSelf sends to the sender as well. The default leaves it out.
	IncludeSelf bool
}

// OnOpen adds a handler run when a client has connected. The client is already counted
// in Online and reachable by Send.
func (ctl *Controller) OnOpen(fn func(c *socket.Client)) {
	ctl.e().OnOpen(func(c *peer.Client) { fn((*socket.Client)(c)) })
}

// OnMessage adds a handler for every message that no On handler took. On a @json route
// only valid JSON reaches it; invalid JSON goes to the error handlers as a
// *socket.InvalidJSONError.
func (ctl *Controller) OnMessage(fn func(c *socket.Client, m socket.Message)) {
	ctl.e().OnMessage(func(c *peer.Client, m peer.Message) { fn((*socket.Client)(c), socket.Message(m)) })
}

// On adds a handler for JSON messages whose type field (route.Config's TypeField,
// "type" by default) equals typ, as openspeed's custom events. Messages it takes do not
// reach OnMessage. It panics if typ is empty: a message without a type goes to OnMessage.
func (ctl *Controller) On(typ string, fn func(c *socket.Client, m socket.Message)) {
	ctl.e().On(typ, func(c *peer.Client, m peer.Message) { fn((*socket.Client)(c), socket.Message(m)) })
}

// OnClose adds a handler run when a client has gone. The client no longer counts in
// Online.
func (ctl *Controller) OnClose(fn func(c *socket.Client, e socket.CloseEvent)) {
	ctl.e().OnClose(func(c *peer.Client, e peer.CloseEvent) { fn((*socket.Client)(c), e) })
}

// OnError adds a handler for errors that do not end the connection: invalid JSON, and
// recovered handler panics (*socket.PanicError, after which the client is closed with
// 1011). Without an error handler these are logged.
func (ctl *Controller) OnError(fn func(c *socket.Client, err error)) {
	ctl.e().OnError(func(c *peer.Client, err error) { fn((*socket.Client)(c), err) })
}

// OnPing adds a handler for ping frames from clients (the pong is sent regardless).
func (ctl *Controller) OnPing(fn func(c *socket.Client, payload []byte)) {
	ctl.e().OnPing(func(c *peer.Client, p []byte) { fn((*socket.Client)(c), p) })
}

// OnPong adds a handler for pong frames from clients.
func (ctl *Controller) OnPong(fn func(c *socket.Client, payload []byte)) {
	ctl.e().OnPong(func(c *peer.Client, p []byte) { fn((*socket.Client)(c), p) })
}

// OnDestroy adds a handler run once when the controller is destroyed.
func (ctl *Controller) OnDestroy(fn func()) {
	ctl.e().OnDestroy(fn)
}

// URL is the normalised concrete URL: the route's static segments lower-cased, the
// parameter values with their case kept and canonically percent-escaped, each followed by
// a slash ("/chat/Room1/").
func (ctl *Controller) URL() string {
	return ctl.e().URL()
}

// Route is the canonical string of the route the controller serves.
func (ctl *Controller) Route() string {
	return ctl.e().Route()
}

// Mode is the route's message mode.
func (ctl *Controller) Mode() socket.Mode {
	return ctl.e().Mode()
}

// Param returns the route parameter name as the controller's first client sent it
// (case kept, percent-decoded), or "".
func (ctl *Controller) Param(name string) string {
	return ctl.e().Param(name)
}

// Online is the number of connected clients.
func (ctl *Controller) Online() int {
	return ctl.e().Online()
}

// ClusterOnline is the number of clients of this controller's URL on every live node of
// the registry's cluster, from the nodes' last heartbeats; Online counts this node's only.
// Without a cluster it is Online.
func (ctl *Controller) ClusterOnline() int {
	return ctl.e().ClusterOnline()
}

// Clients returns a snapshot of the connected clients, in no particular order.
func (ctl *Controller) Clients() []*socket.Client {
	return endpoint.Users(ctl.e().Clients())
}

// Client returns the connected client with the given id, or nil.
func (ctl *Controller) Client(id string) *socket.Client {
	return (*socket.Client)(ctl.e().Client(id))
}

// Find returns a connected client for which match returns true, or nil.
func (ctl *Controller) Find(match func(c *socket.Client) bool) *socket.Client {
	return (*socket.Client)(ctl.e().Find(func(c *peer.Client) bool { return match((*socket.Client)(c)) }))
}

// Destroyed reports whether the controller has been destroyed.
func (ctl *Controller) Destroyed() bool {
	return ctl.e().Destroyed()
}

// Close closes every connected client with code and reason. The controller lives on.
func (ctl *Controller) Close(code socket.StatusCode, reason string) {
	ctl.e().Close(code, reason)
}

// Destroy closes every client with StatusNormalClosure, runs the OnDestroy handlers and
// removes the controller from its registry; the next client of the URL gets a new one,
// set up afresh. Destroying twice does nothing.
func (ctl *Controller) Destroy() {
	ctl.e().Destroy()
}

// AutoDestroy destroys the controller once it has had no client for the grace period
// (route.Config's AutoDestroyDelay, 5 s by default): fns run, then the OnDestroy
// handlers, and the registry forgets the controller. A client that arrives during the
// grace period cancels it. Calling AutoDestroy again only adds fns.
func (ctl *Controller) AutoDestroy(fns ...func()) {
	ctl.e().AutoDestroy(fns...)
}

// Send sends v to every connected client. v is encoded once, by the route's mode (the
// table is in the socket package documentation), and compressed at most once. It returns
// an error only when v cannot be encoded or the controller is destroyed; a client whose
// queue overflows is dealt with by its overflow policy and does not hold up the others.
func (ctl *Controller) Send(v any) error {
	return ctl.e().Send(v)
}

// SendFunc sends v, encoded once, to every connected client for which keep returns true
// (every client when keep is nil). keep runs without any lock held.
func (ctl *Controller) SendFunc(v any, keep func(c *socket.Client) bool) error {
	return ctl.e().SendFunc(v, endpoint.PeerKeep(keep))
}

// Broadcast sends v, encoded once, to every client of the controller except from
// (Odac's ws.broadcast(data)). A nil from
// sends to everyone.
func (ctl *Controller) Broadcast(from *socket.Client, v any) error {
	return ctl.e().Broadcast((*peer.Client)(from), v)
}

// BroadcastWith sends v, encoded once, to the clients of the controller that o selects:
// those in o.Rooms (all when empty), without from unless o.IncludeSelf.
//
//	ctl.BroadcastWith(c, v, controller.BroadcastOptions{Rooms: []string{"general", "dev"}})
//	ctl.BroadcastWith(c, v, controller.BroadcastOptions{IncludeSelf: true})
func (ctl *Controller) BroadcastWith(from *socket.Client, v any, o BroadcastOptions) error {
	return ctl.e().BroadcastWith((*peer.Client)(from), v, endpoint.BroadcastOptions(o))
}

// To returns this controller's part of room, to send to its members (Odac's
// ws.to(room).send(data)):
//
//	ctl.To("lobby").Send(v)          // everyone in the room on this URL
//	ctl.To("lobby").Broadcast(c, v)  // everyone in the room on this URL but c
//
// Sends on a destroyed controller's room return ErrDestroyed.
func (ctl *Controller) To(room string) Room {
	return socket.Room(ctl.e().To(room))
}

// Rooms returns the names of the rooms that at least one client of this controller is
// in, sorted. Registry.Rooms lists the rooms of the whole registry.
func (ctl *Controller) Rooms() []string {
	return ctl.e().Rooms()
}
