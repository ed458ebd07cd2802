package closecode

import (
	"fmt"
	"strings"
)

// TypeScript renders the table as client/src/closecodes.ts, the browser client's
// reconnect rule: the codes whose Retry is true. Any other code stops the client.
func TypeScript() string {
	var b strings.Builder
	b.WriteString("// Generated from internal/closecode by `go test ./internal/closecode -update`. Do not edit.\n\n")
	b.WriteString("/** The close codes after which the client reconnects on its own (docs/close-codes.md); any other code stops it. */\n")
	b.WriteString("export const retryCodes: ReadonlySet<number> = new Set([\n")
	for _, in := range Table {
		if in.Retry {
			fmt.Fprintf(&b, "  %d, // %s\n", in.Code, in.Name)
		}
	}
	b.WriteString("]);\n")
	return b.String()
}

// Reconnect table markers: the part of docs/client.md between them is ReconnectTable.
const (
	ReconnectBegin = "<!-- reconnect table: generated from internal/closecode by `go test ./internal/closecode -update` -->\n"
	ReconnectEnd   = "<!-- end of reconnect table -->\n"
)

// ReconnectTable renders what the browser client does after each close code, as the
// Markdown table docs/client.md shows between ReconnectBegin and ReconnectEnd.
func ReconnectTable() string {
	var b strings.Builder
	b.WriteString("| code | name | the client |\n| --- | --- | --- |\n")
	for _, in := range Table {
		do := "stops: `close` event"
		switch {
		case in.Code == InvalidToken:
			do = "with a `token` function: calls it once more and retries at once; refused again, or without one, stops"
		case in.Retry:
			do = "retries with backoff: `reconnecting` event"
		}
		fmt.Fprintf(&b, "| %d | %s | %s |\n", in.Code, in.Name, do)
	}
	b.WriteString("| other | an application's own code (3000–4999) | stops: `close` event |\n")
	return b.String()
}
