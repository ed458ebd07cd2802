// Package peer is the implementation behind package socket: one WebSocket client
// (upgrade, read loop, outgoing queue and batched writer, close handshake, timers),
// the Hub that indexes a registry's clients by id, URL and room, and the wiring the
// registry and the controllers call (Upgrader, Handler, Hub, Prepare, Client.Serve).
//
// Package socket exposes Client, Message, Room and Timer as defined types over the ones
// here, with only the methods a handler calls; package route converts between them.
// docs/internals.md describes the write path and the hub.
package peer
