// Package socket is what a handler touches: the [Client] of one WebSocket connection,
// its [Message]s, the [Room]s it joins, its [Timer]s, and the close codes. No gws type
// appears in it.
//
// The registry (package route) upgrades the request, attaches the Client to a
// controller and runs its read loop; the machinery behind it (decoding per message mode,
// size and UTF-8 checks, the bounded outgoing queue, close handshakes, heartbeats,
// recovery from panicking handlers, the hub) lives in internal packages, described in
// docs/internals.md.
//
// # Concurrency
//
// All methods of Client are safe for concurrent use. A client's handlers run one at a
// time, in order, on its read goroutine; different clients' handlers run concurrently,
// and a handler that blocks delays only its own client. Sends never block on the network.
//
// # Outgoing messages
//
// Each client has a bounded FIFO queue with one writer at a time, so there is no
// goroutine per message and no lock is held while writing. A full queue
// (route.Config's QueueMessages messages, or QueueBytes bytes beyond the write in
// flight) applies the [Overflow] policy; by default the client is closed with
// StatusSlowConsumer, and it never slows down or grows memory for the others. A write that
// stalls for longer than route.Config's WriteTimeout is treated the same way.
//
// On a connection without permessage-deflate (route.Config's DisableCompression, or a
// client that does not offer it),
// wsroute builds the frames itself and writes in batches:
//
//   - The writer takes everything queued, up to 64 messages and about 64 KiB, and writes
//     it with one system call; a client that fell a few messages behind catches up in
//     one write instead of one each.
//   - A writer pool of at most GOMAXPROCS goroutines, started when there is work and
//     ended when there is none, writes the clients that have something to send in turn,
//     with writes that never wait. What a socket does not take at once (a slow reader)
//     is left to that client's own gws writer goroutine. A broadcast to 10,000 idle
//     clients thus starts no goroutine per client.
//   - A handler's reply is corked: it is written when the read loop is about to wait for
//     more input, with the replies to the other messages that came in the same read, or
//     ahead of any other write to the client. A handler that runs long does not hold up
//     earlier replies by more than a millisecond.
//
// With permessage-deflate negotiated, gws frames and compresses each message, one
// message per write, as it does on its own.
//
// A message sent to many clients is encoded once into one shared frame; when
// permessage-deflate is negotiated it is also compressed once, by gws's Broadcaster, and
// the shared frame is freed when the last client has written it.
//
// # Encoding table
//
// How Send turns a value into a frame, by the route's mode:
//
//	value                 @json                 @text                 @binary
//	string                JSON string ("hi")    text frame, raw       binary frame, raw bytes
//	[]byte                JSON (base64 string)  text frame, raw *     binary frame
//	json.RawMessage       text frame, as is *   text frame, as is *   binary frame, as is
//	socket.Text           text frame, raw *     text frame, raw *     text frame, raw *
//	socket.Binary         binary frame          binary frame          binary frame
//	anything else         json.Marshal, text    json.Marshal, text    ErrUnsupportedValue
//
// (*) must be valid UTF-8, else ErrInvalidText. @json always JSON-encodes.
//
// # Incoming messages
//
// Text and binary frames are accepted in every mode. A message is checked whole: over
// the route's size limit (all fragments, after inflating) it closes the client with 1009;
// a text frame that is not valid UTF-8 closes it with 1007; on a @json route a message
// (text or binary frame) that is not valid JSON is not delivered: the error handler gets
// an [*InvalidJSONError] and the connection stays open. [Message.Bytes] is valid only
// while the handler runs. Sends copy the bytes they are given, so a handler may pass them
// on as they are: an echo is c.Send(json.RawMessage(m.Bytes())).
//
// # Close codes
//
// The [StatusCode] constants are every code wsroute sends: 1000 (Close, idle and heartbeat
// timeouts, destroy), 1001 (shutdown), 1002 (protocol violations), 1007 (text that is not
// UTF-8), 1008 (rate limit), 1009 (size limit), 1011 (a panic), and the 4000-4008 refusals.
// 1005 and 1006 are only reported in [CloseEvent], never sent. [StatusCode.Retry] says
// whether a client should reconnect. The table with when each is sent is in the README's
// "Close codes" section, the one place it is kept (a test checks it against the constants).
//
// # Heartbeat and timeouts
//
// The registry's hub holds its live clients. Its single sweeper goroutine, which runs only
// while there are clients, pings each client every PingInterval (30 s), closes one whose
// pong has not come within PongTimeout (10 s) with 1000 "heartbeat timeout", enforces
// the route's idle timeout ("<30s": no message for that long, 1000 "idle timeout"; pings
// and pongs do not count), and cuts writes stalled past WriteTimeout. There is no timer
// per connection. [Client.Latency] is the round trip of the last answered ping.
//
// # Ready state, pings and binary sends
//
// [Client.State] is the browser's readyState: [StateConnecting] from the upgrade until
// the open handler runs, [StateOpen], [StateClosing] once a close has started (sends then
// fail with ErrClosed), [StateClosed] when the connection is gone (the close handler
// runs in this state). [Client.Ping] sends a ping at once; the controller's OnPing and
// OnPong handlers get the ping and pong frames. [Client.SendBinary] (or Send of a [Binary]) sends a binary frame
// on any route, @json included.
//
// # Rooms
//
// A client joins and leaves named rooms with [Client.Join] and [Client.Leave];
// [Client.Rooms] lists its own. The index lives in the registry's hub, so one room spans every
// route of a registry, and the hub's lock guards both sides of it (room → members,
// client → rooms). A client that closes leaves all its rooms in the same step that takes
// it out of the hub, and a room is freed when its last member goes, so the index holds
// neither closed clients nor empty rooms. Every send to a room encodes the message once.
//
// # Per-client data, context and timers
//
// [Client.Set], [Client.Get] and [Client.Delete] are a per-client store, safe for
// concurrent use. [Client.Context] is cancelled when the client closes, for work tied to
// the connection. [Client.After] and [Client.Every] run a function later or periodically; they stop by
// themselves when the client starts closing, and the returned [Timer] stops them sooner.
// A waiting timer holds no goroutine; its function runs on a goroutine of its own,
// concurrently with the client's handlers, and a panic in it is handled as a handler's.
// [Client.AfterClose] runs a function once the client has closed.
//
// # Sending
//
// The send verbs mean the same at every level; only the set of clients differs. Send
// reaches the whole set, SendFunc the part of it that keep accepts, Broadcast the set
// but one sender (nil: everyone), and To(room) narrows a set to a room's members. Each
// message is encoded once per message mode, whatever the number of clients.
//
//	call                             reaches
//	c.Send(v)                        c alone
//	c.To(room).Send(v)               room's members on every route and URL of the registry
//	ctl.Send(v)                      the clients on the controller's URL
//	ctl.SendFunc(v, keep)            the controller's clients that keep accepts
//	ctl.Broadcast(c, v)              the controller's clients but c
//	ctl.To(room).Send(v)             room's members on the controller's URL only
//	reg.To(room).Send(v)             room's members on every route and URL (as c.To)
//	reg.Send(v)                      every client of the registry
//	reg.SendFunc(v, keep)            every client of the registry that keep accepts
//	reg.Broadcast(c, v)              every client of the registry but c
//	reg.SendTo(id, v)                the client with that id, on any route
//	room.Send, SendFunc, Broadcast   the room as the To that made it
//
// A keep
// function is a closure and runs on this node only: when the registry is part of a
// cluster, the sends above without keep also reach the other nodes' clients, and sends
// with keep reach this node's only.
//
// # Request and reply
//
// A message that carries a callback id in the route's reply field (route.Config's ReplyField,
// "callbackid" by default) can be answered with [Message.Reply]: the answer carries the
// same id, so the browser can match it to its request. The id is looked up only when Reply is called, by
// [Message.Field], which scans the JSON without decoding or allocating; an answer made
// after the handler has returned keeps [Message.CallbackID] and calls [Client.ReplyTo].
package socket
