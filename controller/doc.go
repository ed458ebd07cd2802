// Package controller is the "$" of a Total.js socket route: the clients of one route at
// one concrete URL, their handlers, and the ways to reach them.
//
// # Lifecycle
//
// The registry creates a controller when a concrete URL of a route gets its first client
// ("/chat/{room}/" has one controller per room; URLs that differ only in the case of their
// static part, in percent-escapes, or in doubled or trailing slashes share one, while
// "/chat/AbC/" and "/chat/abc/" are two rooms). Then:
//
//		setup → open → message* → close → (autodestroy) → destroy
//
//	  - setup: the function given to ROUTE runs once, before the first client's open
//	    event. It sets the handlers (OnOpen, OnMessage, On, OnClose, OnError, OnPing,
//	    OnPong, OnDestroy); setting one later panics. Param returns the first client's
//	    parameters, with their case.
//	  - open: a client has joined; it already counts in Online and receives Send.
//	  - message: one complete message. Handlers of one client run in order, one at a time;
//	    different clients' handlers run concurrently.
//	  - close: the client has gone (code and reason in socket.CloseEvent); it no longer
//	    counts in Online.
//	  - autodestroy: with AutoDestroy, a controller that has had no client for the grace
//	    period (5 s) runs the AutoDestroy callbacks and is destroyed. A client arriving in
//	    between cancels it. Without AutoDestroy an empty controller lives until Destroy:
//	    use AutoDestroy on routes with parameters, or every room ever
//	    visited keeps its controller.
//	  - destroy: Destroy (or the autodestroy) runs the OnDestroy handlers, forgets the
//	    controller in the registry and closes its clients with 1000. The next client of
//	    the URL gets a new controller, and setup runs again.
//
// A "+" route and a "-" route on the same URL get separate controllers.
//
// # Sending
//
// Send and SendFunc encode the value once for all receivers (and compress it once), by
// the route's mode; the encoding table is in the socket package, and so is the table of
// the send family (Send, SendFunc, Broadcast, To) on the registry, the controller, a room
// and a client. A slow receiver is dealt with by its own overflow policy and never
// delays the others.
//
// # Typed messages
//
// On(type, fn) takes the JSON messages whose type field (route.Config.TypeField, "type"
// by default) has that string value; every other message
// reaches OnMessage. The field is found by a scan of the top-level object, without
// decoding the message and without allocating; on @text routes only valid JSON is
// dispatched by type. With TypeField "TYPE" and socket.Message.Reply, a request carries
// its callback id and gets its answer.
//
// # Rooms and broadcasts
//
// Clients join rooms (socket.Client.Join); the index is the registry's, so a room spans
// routes. To(room) is this controller's part of a room:
//
//	ctl.To(room).Send(v)                  // the room's members here
//	ctl.To(room).Broadcast(c, v)          // the room's members here but the sender
//	ctl.Broadcast(c, v)                   // everyone here but the sender
//	ctl.BroadcastWith(c, v, controller.BroadcastOptions{Rooms: rooms, IncludeSelf: true})
//	                                      // the clients here in any of rooms, the sender too
//
// Each encodes v once, and a client in several of the rooms gets it once. The registry's
// To(room) reaches a room across all controllers.
//
// # Concurrency
//
// All methods of Controller are safe for concurrent use. The controller starts no
// goroutine; its autodestroy uses one time.AfterFunc, stopped when a client joins. It
// never calls user code or sends while holding its lock. Lock order: registry, then
// controller, then client.
package controller
