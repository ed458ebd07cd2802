// Package handshake holds the checks a WebSocket opening handshake goes through before and
// around the upgrade: the RFC 6455 request checks, the origin allow-list, the client address
// behind trusted proxies, the per-address connection caps, the Sec-WebSocket-Protocol token
// parser (the only one in the module) with subprotocol negotiation, and the CSRF tokens.
//
// It knows nothing of routes or clients; package route wires it together. Every function is
// safe for concurrent use; Caps guards its counters with a mutex.
package handshake
