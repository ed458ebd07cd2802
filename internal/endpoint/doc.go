// Package endpoint is the implementation behind package controller: one route at one
// concrete URL, with its handlers, its clients, its sends and its autodestroy timer,
// plus the wiring the registry calls (New, Setup, Join, Serve, Start, StopTimers).
//
// It works on internal/peer's clients. Package controller's Controller is a defined type
// over Endpoint whose methods convert between peer and socket types where user code is
// called; Users and PeerKeep do the same for package route.
package endpoint
