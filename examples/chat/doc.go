// Command chat is the flagship wsroute example: a chat with rooms, speaking the protocol
// of the Total.js reference chat on the route "SOCKET /chat/{room}/ @json <1MB".
//
//	go run ./examples/chat        # then open http://localhost:8000/
//
// PORT overrides the port. The page is embedded in the binary; it imports the browser
// client from /wsroute.js (package client), which reconnects after a restart and keeps
// the room. SIGINT or SIGTERM shuts the server down cleanly: every client is closed with
// 1001 "going away", which the client retries.
//
// This command is one process. To run the same chat on several nodes over NATS or Redis,
// run examples/chat/node (a module of its own, for the brokers' client libraries).
package main
