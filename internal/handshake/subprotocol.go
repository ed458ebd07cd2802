package handshake

import (
	"iter"
	"net/http"
	"strings"
)

// Offered yields the tokens a request offers in Sec-WebSocket-Protocol, in order, over
// every header line, each trimmed of spaces; empty tokens are skipped. It is the one
// parser of that header in the module.
func Offered(h http.Header) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, line := range h.Values("Sec-WebSocket-Protocol") {
			for v := range strings.SplitSeq(line, ",") {
				if v = strings.TrimSpace(v); v != "" && !yield(v) {
					return
				}
			}
		}
	}
}

// OfferedValue returns what follows prefix in the first offered token that starts with it,
// such as the token of "csrf.<token>".
func OfferedValue(h http.Header, prefix string) (string, bool) {
	for v := range Offered(h) {
		if strings.HasPrefix(v, prefix) {
			return v[len(prefix):], true
		}
	}
	return "", false
}

// Negotiate returns the first of the server's subprotocols, in the server's order of
// preference, that the request offers, or "" when it offers none of them.
func Negotiate(server []string, h http.Header) string {
	if len(server) == 0 {
		return ""
	}
	for _, s := range server {
		for o := range Offered(h) {
			if o == s {
				return s
			}
		}
	}
	return ""
}
