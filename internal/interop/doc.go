// Package interop checks wsroute's wire output with WebSocket implementations that share
// no code with it. It has no code of its own, only tests.
//
// TestNodeWS serves a route that sends a compressed, batched stream (broadcasts and
// per-client sends, text, JSON and binary, 0 B to 64 KiB) to several clients of Node's ws
// package, which offer permessage-deflate as browsers do, and then closes them: with a code
// of the application's, or by the registry's Shutdown. client.mjs checks every message against a manifest the test writes, reads
// the same bytes with a frame parser of its own, and reports back as JSON.
//
// The test needs node and the npm packages of this folder, from the committed lockfile:
//
//	npm ci --prefix internal/interop
//
// test.sh runs that before the Go tests; without them the test is skipped (a failure under
// WSROUTE_REQUIRE_SERVICES=1, as in CI).
package interop
