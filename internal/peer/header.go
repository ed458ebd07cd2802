package peer

import (
	"net/http"
	"strings"
)

// packHeader keeps the handshake's headers in a single string of "Name: value" lines:
// a third of the memory of the http.Header that net/http built (a map, a slice per name
// and a string per value), held for as long as the client is connected. Client.Header
// unpacks it on first use. The headers that only the handshake itself reads
// (Sec-WebSocket-Key, -Version and -Extensions) are left out: they mean nothing once the
// connection is open, and are a good part of an idle connection's bytes.
func packHeader(h http.Header) string {
	n := 0
	for k, vs := range h {
		if handshakeOnly(k) {
			continue
		}
		for _, v := range vs {
			n += len(k) + len(v) + 3
		}
	}
	var b strings.Builder
	b.Grow(n)
	for k, vs := range h {
		if handshakeOnly(k) {
			continue
		}
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n') // net/http refuses header values with a line break
		}
	}
	return b.String()
}

// unpackHeader is the inverse of packHeader. The names were canonical already.
func unpackHeader(s string) http.Header {
	h := make(http.Header, strings.Count(s, "\n"))
	for line := range strings.SplitSeq(s, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			h[k] = append(h[k], v)
		}
	}
	return h
}

func handshakeOnly(name string) bool {
	switch name {
	case "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions":
		return true
	}
	return false
}
