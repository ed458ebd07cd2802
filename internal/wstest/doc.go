// Package wstest holds what the tests of wsroute share: a WebSocket client on gws that
// records what it receives, and a goroutine leak check for TestMain. It is internal: the
// API may change with the tests.
package wstest
