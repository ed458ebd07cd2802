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
