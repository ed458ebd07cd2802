package route

import (
	"net/http"
	"testing"
)

func benchRegistry() *Registry {
	return New(Config{
		CSRFKey:     []byte("0123456789abcdef0123456789abcdef"),
		CSRFSession: func(*http.Request) string { return "session-0123456789" },
	})
}

// BenchmarkCSRFToken measures issuing a token.
func BenchmarkCSRFToken(b *testing.B) {
	r := benchRegistry()
	b.ReportAllocs()
	for b.Loop() {
		_ = r.CSRFToken("session-0123456789")
	}
}

// BenchmarkCSRFCheck measures verifying a good token in a handshake's
// Sec-WebSocket-Protocol, the per-handshake cost of "@csrf".
func BenchmarkCSRFCheck(b *testing.B) {
	r := benchRegistry()
	req, _ := http.NewRequest("GET", "/", nil)
	req.Header.Set("Sec-WebSocket-Protocol", Subprotocol+", "+CSRFPrefix+r.CSRFToken("session-0123456789"))
	if why := r.checkCSRF(req); why != "" {
		b.Fatal(why)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.checkCSRF(req)
	}
}
