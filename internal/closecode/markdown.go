package closecode

import (
	"fmt"
	"strings"
)

// Markdown renders the table as the Markdown page docs/close-codes.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from internal/closecode by `go test ./internal/closecode -update`. Do not edit. -->\n\n")
	b.WriteString("# Close codes\n\n")
	b.WriteString("Every close code wsroute sends or reports, with its `socket` constant and whether a\n")
	b.WriteString("client should reconnect (`socket.StatusCode.Retry`). The browser client's reconnect rule\n")
	b.WriteString("is generated from the same table.\n\n")
	b.WriteString("| code | constant | sent when | retry |\n| --- | --- | --- | --- |\n")
	for _, in := range Table {
		retry := "no"
		if in.Retry {
			retry = "yes"
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s |\n", in.Code, in.Constant, in.Sent, retry)
	}
	b.WriteString("\nAn application may also close with its own codes (3000–4999: `AuthResult.Code`,\n")
	b.WriteString("`Client.Close`); `Retry()` is false for those. Retrying means reconnecting with backoff and\n")
	b.WriteString("jitter; for 4002, with a new token.\n\n")
	b.WriteString("Before the upgrade, refusals are HTTP statuses, not close codes: 404 (no route), 426 (not a\n")
	b.WriteString("WebSocket request, or a version other than 13), 405 (not GET), 400 (malformed handshake),\n")
	b.WriteString("401 (refused credentials, with `Config.UnauthorizedHTTP`), 403 (foreign origin), 429 (too\n")
	b.WriteString("many connections from one address), 503 (shutting down, or the connection cap).\n")
	return b.String()
}

// Summary renders the table in short, as README.md shows it: each code with its socket
// constant and whether a client should reconnect. A test checks that README.md contains
// it verbatim; docs/close-codes.md ([Markdown]) says when each code is sent.
func Summary() string {
	var b strings.Builder
	b.WriteString("| code | `socket` constant | reconnect? |\n| --- | --- | --- |\n")
	for _, in := range Table {
		retry := "no"
		if in.Retry {
			retry = "yes"
		}
		if in.Reported {
			retry += " (reported only, never sent)"
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s |\n", in.Code, in.Constant, retry)
	}
	return b.String()
}
