package handshake_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/handshake"
)

func upgradeRequest() *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/x/", nil)
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "keep-alive, Upgrade")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	return req
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*http.Request)
		status int
		header string // a response header the refusal sets
	}{
		{"valid", func(*http.Request) {}, 0, ""},
		{"no upgrade", func(r *http.Request) { r.Header.Del("Upgrade") }, 426, "Upgrade"},
		{"post", func(r *http.Request) { r.Method = http.MethodPost }, 405, "Allow"},
		{"no connection token", func(r *http.Request) { r.Header.Set("Connection", "keep-alive") }, 400, ""},
		{"version 8", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Version", "8") }, 426, "Sec-WebSocket-Version"},
		{"short key", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "abc") }, 400, ""},
		{"key with a bad byte", func(r *http.Request) { r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZ!==") }, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := upgradeRequest()
			tt.edit(req)
			hdr := http.Header{}
			status, msg := handshake.Check(hdr, req)
			assert.Equal(t, tt.status, status, "Check: %s", msg)
			if tt.header != "" {
				assert.NotEmpty(t, hdr.Get(tt.header), "response header %s", tt.header)
			}
		})
	}
}

func TestOrigins(t *testing.T) {
	tests := []struct {
		origin string
		o      handshake.Origins
		ok     bool
	}{
		{"", handshake.Origins{}, true},
		{"http://example.com", handshake.Origins{}, true}, // the request's own host
		{"http://EXAMPLE.com", handshake.Origins{}, true},
		{"http://evil.com", handshake.Origins{}, false},
		{"http://evil.com", handshake.Origins{SkipCheck: true}, true},
		{"http://app.good.com", handshake.Origins{Patterns: []string{"*.GOOD.com"}}, true},
		{"http://good.com.evil.com", handshake.Origins{Patterns: []string{"*.good.com"}}, false},
		{"null", handshake.Origins{}, false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		assert.Equal(t, tt.ok, tt.o.Allowed(req), "Allowed(%q, %+v)", tt.origin, tt.o)
	}
}

func TestClientIP(t *testing.T) {
	ps, err := handshake.ParseProxies([]string{"10.0.0.0/8", "192.0.2.1"})
	require.NoError(t, err)
	_, err = handshake.ParseProxies([]string{"nope"})
	require.Error(t, err)
	tests := []struct {
		remote, xff, want string
	}{
		{"203.0.113.9:1234", "1.2.3.4", "203.0.113.9"},          // not a proxy: XFF ignored
		{"10.1.1.1:1234", "1.2.3.4", "1.2.3.4"},                 // trusted proxy
		{"10.1.1.1:1234", "1.2.3.4, 10.2.2.2", "1.2.3.4"},       // skips trusted hops
		{"192.0.2.1:1", "5.6.7.8, bogus, 10.2.2.2", "10.2.2.2"}, // a malformed hop stops the walk
		{"[::ffff:10.1.1.1]:1", "9.9.9.9", "9.9.9.9"},           // mapped IPv4
		{"10.1.1.1:1", "", "10.1.1.1"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = tt.remote
		if tt.xff != "" {
			req.Header.Set("X-Forwarded-For", tt.xff)
		}
		assert.Equal(t, tt.want, ps.ClientIP(req), "ClientIP(%s, %q)", tt.remote, tt.xff)
	}
}

func TestCaps(t *testing.T) {
	cc := &handshake.Caps{Max: 3, PerIP: 2}
	st, k1 := cc.Acquire("1.1.1.1")
	require.Zero(t, st)
	st, k2 := cc.Acquire("1.1.1.1")
	require.Zero(t, st)
	st, _ = cc.Acquire("1.1.1.1")
	assert.Equal(t, http.StatusTooManyRequests, st, "third from one address")
	st, k3 := cc.Acquire("2001:db8::1")
	require.Zero(t, st)
	st, _ = cc.Acquire("3.3.3.3")
	assert.Equal(t, http.StatusServiceUnavailable, st, "fourth in total")
	cc.Release(k1)
	st, k4 := cc.Acquire("2001:db8::2")
	assert.Zero(t, st, "a slot was given back")
	st, _ = cc.Acquire("2001:db8::3")
	assert.NotZero(t, st, "full again")
	for _, k := range []string{k2, k3, k4} {
		cc.Release(k)
	}
	assert.Equal(t, "2001:db8::/64", handshake.IPKey("2001:db8::5"))
	assert.Equal(t, "1.2.3.4", handshake.IPKey("::ffff:1.2.3.4"))

	var none handshake.Caps
	st, _ = none.Acquire("1.1.1.1")
	assert.Zero(t, st, "the zero Caps caps nothing")
}

func TestOfferedAndNegotiate(t *testing.T) {
	h := http.Header{}
	h.Add("Sec-WebSocket-Protocol", "a, wsroute ,csrf.tok")
	h.Add("Sec-WebSocket-Protocol", ",b")
	assert.Equal(t, []string{"a", "wsroute", "csrf.tok", "b"}, slices.Collect(handshake.Offered(h)))
	v, ok := handshake.OfferedValue(h, "csrf.")
	assert.True(t, ok)
	assert.Equal(t, "tok", v)
	_, ok = handshake.OfferedValue(h, "auth.")
	assert.False(t, ok)

	tests := []struct {
		server []string
		want   string
	}{
		{nil, ""},
		{[]string{"wsroute"}, "wsroute"},
		{[]string{"b", "wsroute"}, "b"}, // the server's preference, not the client's order
		{[]string{"chat.v2", "wsroute"}, "wsroute"},
		{[]string{"csrf."}, ""}, // a prefix is not a token
		{[]string{"A"}, ""},     // tokens are case-sensitive
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, handshake.Negotiate(tt.server, h), "Negotiate(%q)", tt.server)
	}
}

func TestCSRF(t *testing.T) {
	k := handshake.CSRF{Key: []byte("0123456789abcdef0123456789abcdef"), MaxAge: time.Hour}
	now := time.Unix(1_700_000_000, 0)
	tok := k.Issue("alice", now)
	assert.Empty(t, k.Verify(tok, true, "alice", now))
	assert.Equal(t, handshake.CSRFInvalid, k.Verify(tok, true, "bob", now), "another session")
	assert.Equal(t, handshake.CSRFExpired, k.Verify(tok, true, "alice", now.Add(time.Hour)))
	assert.Equal(t, handshake.CSRFMissing, k.Verify("", false, "alice", now))
	assert.Equal(t, handshake.CSRFInvalid, k.Verify("!!", true, "alice", now))
	other := handshake.CSRF{Key: []byte("fedcba9876543210fedcba9876543210"), MaxAge: time.Hour}
	assert.Equal(t, handshake.CSRFInvalid, other.Verify(tok, true, "alice", now), "another key")
}

// BenchmarkCaps measures taking and giving back a connection slot under both caps.
func BenchmarkCaps(b *testing.B) {
	cc := &handshake.Caps{Max: 1 << 30, PerIP: 1 << 30}
	b.ReportAllocs()
	for b.Loop() {
		_, key := cc.Acquire("192.0.2.7")
		cc.Release(key)
	}
}
