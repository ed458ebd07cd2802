// Package closecode is the one table of the WebSocket close codes wsroute sends or reports.
// The socket package's StatusCode constants, the generated page docs/close-codes.md
// ([Markdown]), the README's short table ([Summary]) and the browser client's reconnect rule
// are all made from it; tests fail when one of them drifts.
//
// Regenerate docs/close-codes.md after changing [Table]:
//
//	go test ./internal/closecode -update
package closecode
