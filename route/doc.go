// Package route is wsroute's registry: route strings in, an http.Handler out.
//
//	route.ROUTE("SOCKET /chat/{room}/ @json <1MB", func(ctl *controller.Controller) {
//		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
//			_ = ctl.Send(json.RawMessage(m.Bytes())) // the JSON as it came, not base64
//		})
//	})
//	http.ListenAndServe(":8000", route.Default)
//
// [ROUTE] registers on [Default]; [Configure] gives Default a [Config] before its first
// route (an authorizer for "+" and "-" routes, a CSRF key, limits); [New] makes a registry
// of one's own. A registry is an http.Handler and mounts on http.ListenAndServe, an
// http.ServeMux or any router.
//
// # Registration
//
// Route strings are parsed by package parser (the grammar is in its documentation).
// [Registry.ROUTE] panics on a bad route with an error naming the caller's file and
// line; [Registry.Register] returns the same error. Refused: a malformed route; a route
// that matches the same requests as one already registered (same path shape — parameter
// names do not count — and same auth prefix), naming both sites; a "+" or "-" route on
// a registry without Config.Authorize; a "@csrf" route without Config.CSRFKey and
// Config.CSRFSession; a custom "@flag" not declared with [Registry.Flag]; a "#middleware"
// not registered (before the route) with [Registry.Middleware]; a subprotocol that is not
// an HTTP token.
//
// # Matching
//
// Doubled slashes collapse and the trailing slash is optional; the request path is
// percent-decoded segment by segment, so "/%24tms/" is "/$tms/"; static segments match
// with ASCII letters folded; parameters keep their case; typed parameters ({id:number},
// {id:uuid}) must validate or the request does not match that route. A parameter matches
// exactly one non-empty segment; "*" as the last segment matches the rest of the path,
// even nothing. Precedence, segment by segment: a static segment beats a parameter
// (number, then uuid, then string), which beats the wildcard. Matching a static route
// allocates nothing.
//
// The route that serves a request is chosen across every route matching its path, in
// that order, as in Total.js: the first whose auth prefix fits the client wins, and at
// one place an exact prefix ("+" for a client Config.Authorize accepts, "-" for the
// others) beats a route without one. So with "-SOCKET /chat/lobby/" and
// "+SOCKET /chat/{room}/", an authorized client on /chat/lobby/ gets the "+" route. The
// authorizer is asked once, and only when a prefixed route is in the way. When no route
// fits, the client is refused with 4001. docs/routes.md has the table of cases.
//
// Each concrete URL of a route has its own controller, keyed by the route's static
// segments (folded, as the parser prints them) and the parameter values with their case
// kept, canonically percent-escaped: "/chat/AbC/" and "/chat/abc/" are two rooms,
// "/chat/%41/" and "/chat/A/" one. [Registry.Controller] finds a controller by any
// spelling a request could use.
//
// # Subprotocols
//
// The registry answers "wsroute" ([Subprotocol]) to a client that offers it, so that a
// browser may send a credential as a subprotocol beside it ("csrf.<token>", "auth.<token>").
// Config.Subprotocols, or [WithSubprotocols] on one route, adds the application's own,
// preferred to "wsroute" in the order given; Client.Subprotocol says which was chosen.
//
// # Before the upgrade
//
// Every refusal ServeHTTP can make before the connection is hijacked is an HTTP status:
//
//	503 Service Unavailable   the registry is shutting down
//	404 Not Found             no route matches the path
//	426 Upgrade Required      not a WebSocket request (no "Upgrade: websocket"), or a
//	                          Sec-WebSocket-Version other than 13
//	405 Method Not Allowed    a handshake with a method other than GET
//	400 Bad Request           no "Connection: Upgrade", a missing or malformed
//	                          Sec-WebSocket-Key, or a malformed percent-escape in a parameter
//	403 Forbidden             an Origin that is neither the request's host nor allowed by
//	                          Config.OriginPatterns
//	503 Service Unavailable   Config.MaxConnections live connections already
//	429 Too Many Requests     Config.MaxConnectionsPerIP live connections from the address
//	401 Unauthorized          an auth refusal, only with Config.UnauthorizedHTTP
//	500 Internal Server Error the authorizer failed
//
// (net/http itself answers 431 to headers over http.Server.MaxHeaderBytes.)
//
// Refusals a browser must be able to read (Config.Authenticate, the auth prefixes, the
// "@csrf" token, "#middleware") upgrade first and then close with a 4xxx code (4001, 4002,
// then 4003 or 4000), in that order, before the route's setup and handlers run: see the close-code table in the
// README ("Security, limits and bad input"), which also gives the CSRF token's wire format.
//
// # Sending from anywhere
//
// Code outside the socket handlers (an HTTP handler, a job, a message queue consumer)
// reaches clients through the registry:
//
//	reg.Clients(), reg.Online()         // every client, their number
//	reg.Client(id), reg.SendTo(id, v)   // one client by id
//	reg.Broadcast(v, keep)              // everyone (keep may filter)
//	reg.To(room).Send(v)                // a room, across routes
//	reg.Rooms()                         // the rooms that have members
//	reg.Controllers(), reg.Controller(url)
//
// Each send encodes v once per message mode among its receivers.
//
// # Shutdown
//
// [Registry.Shutdown] answers new handshakes with 503, closes every client with 1001 and
// waits for their handlers. http.Server.Shutdown does not know hijacked connections, so
// hook the registry in:
//
//	srv.RegisterOnShutdown(func() { go reg.Shutdown(ctx) })
package route
