package handshake

import (
	"net/http"
	"strings"
)

// Check validates a WebSocket opening handshake (RFC 6455 §4.2.1) before the connection is
// hijacked, so that a refusal is a proper HTTP response. It returns 0 when the request is
// a valid handshake, or the HTTP status and message of the refusal; hdr receives the
// response headers that go with the refusal (Upgrade, Allow, Sec-WebSocket-Version).
func Check(hdr http.Header, req *http.Request) (status int, msg string) {
	if !HasToken(req.Header, "Upgrade", "websocket") {
		hdr.Set("Upgrade", "websocket")
		hdr.Set("Connection", "Upgrade")
		return http.StatusUpgradeRequired, "this URL speaks WebSocket only"
	}
	if req.Method != http.MethodGet {
		hdr.Set("Allow", http.MethodGet)
		return http.StatusMethodNotAllowed, "a WebSocket handshake must use GET"
	}
	if !HasToken(req.Header, "Connection", "upgrade") {
		return http.StatusBadRequest, "missing Connection: Upgrade"
	}
	if req.Header.Get("Sec-WebSocket-Version") != "13" {
		hdr.Set("Sec-WebSocket-Version", "13")
		return http.StatusUpgradeRequired, "unsupported Sec-WebSocket-Version"
	}
	if !ValidKey(req.Header.Get("Sec-WebSocket-Key")) {
		return http.StatusBadRequest, "missing or malformed Sec-WebSocket-Key"
	}
	return 0, ""
}

// ValidKey reports whether k is the base64 form of 16 bytes, as Sec-WebSocket-Key must be.
func ValidKey(k string) bool {
	if len(k) != 24 || k[22] != '=' || k[23] != '=' {
		return false
	}
	for i := 0; i < 22; i++ {
		c := k[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// HasToken reports whether any line of the comma-separated header name holds token, compared
// case-insensitively (Connection: keep-alive, Upgrade).
func HasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
