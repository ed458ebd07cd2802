package route_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/parser"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// outcome is what one handshake came to: the HTTP status (101 when upgraded), and for an
// upgraded connection either the first message the server sent or its close.
type outcome struct {
	Status int
	First  string // the first message, when the connection stayed open
	Code   uint16 // the close code, when the server closed the connection first
	Reason string
}

// attempt dials path with h and reports what happened. An open connection is killed.
func attempt(t *testing.T, base, path string, h http.Header) outcome {
	t.Helper()
	c, resp, err := wstest.DialErr(wstest.WSURL(base, path), wstest.Options{Header: h})
	if err != nil {
		require.NotNil(t, resp, "dial %s: %v", path, err)
		return outcome{Status: resp.StatusCode}
	}
	defer c.Kill()
	if f, ok := c.Next(t); ok {
		return outcome{Status: 101, First: string(f.Data)}
	}
	code, reason := c.WaitClosed(t)
	return outcome{Status: 101, Code: code, Reason: reason}
}

// eventually101 retries a handshake until it is upgraded: a slot freed by a close is
// given back just after the close handshake, not before it.
func eventually101(t *testing.T, base, path string) {
	t.Helper()
	require.Eventually(t, func() bool { return attempt(t, base, path, nil).Status == 101 }, wstest.Timeout, time.Millisecond)
}

// hello registers a route whose OnOpen sends name followed by what the client carries:
// its user, auth data, subprotocol and the "trail" stored by middleware.
func hello(reg *route.Registry, r, name string) {
	reg.ROUTE(r, func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			trail, _ := c.Get("trail")
			b, _ := json.Marshal(map[string]any{"route": name, "user": c.User(), "data": c.AuthData(),
				"proto": c.Subprotocol(), "trail": trail})
			_ = c.Send(json.RawMessage(b))
		})
	})
}

func field(t *testing.T, msg, key string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(msg), &m), "message %q", msg)
	return m[key]
}

func TestRegistrationRefusesWhatCannotBeEnforced(t *testing.T) {
	noop := func(*controller.Controller) {}
	tests := []struct {
		name  string
		cfg   route.Config
		route string
		want  error
	}{
		{"+ without authorizer", route.Config{}, "+SOCKET /a/", route.ErrNoAuthorizer},
		{"- without authorizer", route.Config{}, "-SOCKET /a/", route.ErrNoAuthorizer},
		{"@csrf without key", route.Config{}, "SOCKET /a/ @csrf", route.ErrNoCSRFKey},
		{"@csrf without session", route.Config{CSRFKey: make([]byte, 32)}, "SOCKET /a/ @csrf", route.ErrNoCSRFKey},
		{"undeclared flag", route.Config{}, "SOCKET /a/ @api", parser.ErrUnknownFlag},
		{"misspelt mode", route.Config{}, "SOCKET /a/ @jsn", parser.ErrUnknownFlag},
		{"unregistered middleware", route.Config{}, "SOCKET /a/ #auth", parser.ErrUnknownMiddleware},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newReg(tt.cfg)
			err := reg.Register(tt.route, noop)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), "security_test.go:", "the error names the registration site")
			assert.Panics(t, func() { reg.ROUTE(tt.route, noop) })
			assert.Empty(t, reg.Routes(), "nothing was registered")
		})
	}
	t.Run("the @csrf error points at the flag", func(t *testing.T) {
		err := newReg(route.Config{}).Register("SOCKET /a/ @CSRF", noop)
		var perr *parser.Error
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, 11, perr.Offset)
	})
	t.Run("what is configured or declared is accepted", func(t *testing.T) {
		reg := newReg(route.Config{
			Authorize:   func(*http.Request) (any, bool, error) { return nil, true, nil },
			CSRFKey:     make([]byte, 32),
			CSRFSession: func(*http.Request) string { return "" },
		})
		reg.Flag("api", "SETUP")
		reg.Middleware("auth", func(*route.Handshake) (bool, error) { return true, nil })
		for _, r := range []string{"+SOCKET /a/", "-SOCKET /a/", "SOCKET /b/ @csrf", "SOCKET /c/ @api @setup #auth"} {
			assert.NoError(t, reg.Register(r, noop), r)
		}
	})
	t.Run("a short CSRF key panics", func(t *testing.T) {
		assert.PanicsWithValue(t, "route: Config.CSRFKey is shorter than 32 bytes", func() {
			route.New(route.Config{CSRFKey: []byte("short")})
		})
	})
}

func TestAuthPrefixes(t *testing.T) {
	var calls atomic.Int32
	authorize := func(r *http.Request) (any, bool, error) {
		calls.Add(1)
		switch r.Header.Get("Authorization") {
		case "alice":
			return "alice", true, nil
		case "broken":
			return nil, false, errors.New("database down")
		}
		return "ignored", false, nil
	}
	setup := func(cfg route.Config) string {
		cfg.Authorize = authorize
		reg := newReg(cfg)
		hello(reg, "+SOCKET /room/", "plus")
		hello(reg, "-SOCKET /room/", "minus")
		hello(reg, "+SOCKET /members/", "members")
		hello(reg, "-SOCKET /guests/", "guests")
		hello(reg, "SOCKET /lobby/", "lobby")
		return serve(t, reg)
	}
	alice := http.Header{"Authorization": {"alice"}}
	tests := []struct {
		name  string
		path  string
		h     http.Header
		route string // served by; "" when refused
		user  any
		code  uint16 // close code of a refusal
		http  int    // status of a refusal with UnauthorizedHTTP
	}{
		{"authorized picks +", "/room/", alice, "plus", "alice", 0, 0},
		{"unauthorized picks -", "/room/", nil, "minus", nil, 0, 0},
		{"+ only refuses the unauthorized", "/members/", nil, "", nil, 4001, 401},
		{"- only refuses the authorized", "/guests/", alice, "", nil, 4001, 401},
		{"+ only takes the authorized", "/members/", alice, "members", "alice", 0, 0},
		{"- only takes the unauthorized, without a user", "/guests/", nil, "guests", nil, 0, 0},
		{"no prefix: anyone, no user", "/lobby/", alice, "lobby", nil, 0, 0},
	}
	for _, mode := range []string{"close", "http401"} {
		base := setup(route.Config{UnauthorizedHTTP: mode == "http401"})
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				got := attempt(t, base, tt.path, tt.h)
				switch {
				case tt.route != "":
					require.Equal(t, 101, got.Status)
					assert.Equal(t, tt.route, field(t, got.First, "route"))
					assert.Equal(t, tt.user, field(t, got.First, "user"), "Client.User")
				case mode == "http401":
					assert.Equal(t, outcome{Status: tt.http}, got)
				default:
					assert.Equal(t, outcome{Status: 101, Code: tt.code, Reason: "unauthorized"}, got)
				}
			})
		}
		t.Run(mode+"/authorizer error is 500", func(t *testing.T) {
			got := attempt(t, base, "/members/", http.Header{"Authorization": {"broken"}})
			assert.Equal(t, outcome{Status: 500}, got)
		})
	}
	before := calls.Load()
	base := setup(route.Config{})
	attempt(t, base, "/lobby/", nil)
	assert.Equal(t, before, calls.Load(), "a route without prefix does not ask the authorizer")
}

func TestAuthenticate(t *testing.T) {
	var authorizeCalls atomic.Int32
	authenticate := func(r *http.Request) route.AuthResult {
		switch tok, _ := route.SubprotocolValue(r, "auth."); tok {
		case "good":
			return route.AuthResult{OK: true, Data: map[string]any{"name": "bob"}}
		case "banned":
			return route.AuthResult{Code: 4403, Reason: "banned"}
		case "reserved":
			return route.AuthResult{Code: socket.StatusAbnormal, Reason: "bad code"}
		}
		return route.AuthResult{}
	}
	setup := func(cfg route.Config) string {
		cfg.Authenticate = authenticate
		cfg.Authorize = func(*http.Request) (any, bool, error) { authorizeCalls.Add(1); return "u", true, nil }
		reg := newReg(cfg)
		hello(reg, "SOCKET /feed/", "feed")
		hello(reg, "+SOCKET /private/", "private")
		return serve(t, reg)
	}
	proto := func(tok string) http.Header {
		return http.Header{"Sec-WebSocket-Protocol": {route.Subprotocol + ", auth." + tok}}
	}
	base := setup(route.Config{})
	t.Run("accepted: data on the client, wsroute echoed", func(t *testing.T) {
		for _, path := range []string{"/feed/", "/private/"} {
			got := attempt(t, base, path, proto("good"))
			require.Equal(t, 101, got.Status, path)
			assert.Equal(t, map[string]any{"name": "bob"}, field(t, got.First, "data"), "Client.AuthData on %s", path)
			assert.Equal(t, route.Subprotocol, field(t, got.First, "proto"), "Client.Subprotocol on %s", path)
		}
		assert.Equal(t, "u", field(t, attempt(t, base, "/private/", proto("good")).First, "user"), "the authorizer still decides the user")
	})
	tests := []struct {
		name   string
		h      http.Header
		code   uint16
		reason string
	}{
		{"the hook's code and reason", proto("banned"), 4403, "banned"},
		{"no code: 4001 unauthorized", proto("nothing"), 4001, "unauthorized"},
		{"no credentials at all", nil, 4001, "unauthorized"},
		{"a code that cannot be sent becomes 4001", proto("reserved"), 4001, "bad code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := authorizeCalls.Load()
			for _, path := range []string{"/feed/", "/private/"} {
				got := attempt(t, base, path, tt.h)
				assert.Equal(t, outcome{Status: 101, Code: tt.code, Reason: tt.reason}, got, path)
			}
			assert.Equal(t, before, authorizeCalls.Load(), "a refused handshake never reaches the authorizer")
		})
	}
	t.Run("UnauthorizedHTTP answers 401 with the reason", func(t *testing.T) {
		base := setup(route.Config{UnauthorizedHTTP: true})
		req, err := http.NewRequest("GET", base+"/feed/", nil)
		require.NoError(t, err)
		req.Header = http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Version": {"13"},
			"Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}, "Sec-Websocket-Protocol": {"wsroute, auth.banned"}}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 401, resp.StatusCode)
		assert.Equal(t, "banned\n", string(body))
		assert.Equal(t, 101, attempt(t, base, "/feed/", proto("good")).Status)
	})
}

func csrfRegistry(t *testing.T, cfg route.Config) *route.Registry {
	cfg.CSRFKey = []byte("0123456789abcdef0123456789abcdef")
	cfg.CSRFSession = func(r *http.Request) string {
		if c, err := r.Cookie("sid"); err == nil {
			return c.Value
		}
		return ""
	}
	reg := newReg(cfg)
	hello(reg, "SOCKET /secure/ @csrf", "secure")
	hello(reg, "SOCKET /open/", "open")
	return reg
}

func TestCSRF(t *testing.T) {
	reg := csrfRegistry(t, route.Config{})
	base := serve(t, reg)
	tok := reg.CSRFToken("s1")
	other := reg.CSRFToken("s2")
	forged := strings.Repeat("A", len(tok))
	tampered := "B" + tok[1:] // another expiry, same MAC
	offer := func(sid string, protocols ...string) http.Header {
		h := http.Header{}
		if sid != "" {
			h.Set("Cookie", "sid="+sid)
		}
		if len(protocols) > 0 {
			h.Set("Sec-WebSocket-Protocol", strings.Join(protocols, ", "))
		}
		return h
	}
	tests := []struct {
		name   string
		path   string
		h      http.Header
		reason string // of the 4002 close; "" when accepted
		echo   string // the Sec-WebSocket-Protocol of the 101 response
	}{
		{"valid token", "/secure/", offer("s1", "wsroute", "csrf."+tok), "", "wsroute"},
		{"token first, wsroute second", "/secure/", offer("s1", "csrf."+tok, "wsroute"), "", "wsroute"},
		{"no Sec-WebSocket-Protocol", "/secure/", offer("s1"), "missing csrf token", ""},
		{"wsroute but no token", "/secure/", offer("s1", "wsroute"), "missing csrf token", "wsroute"},
		{"forged token", "/secure/", offer("s1", "wsroute", "csrf."+forged), "invalid csrf token", "wsroute"},
		{"tampered expiry", "/secure/", offer("s1", "wsroute", "csrf."+tampered), "invalid csrf token", "wsroute"},
		{"not base64", "/secure/", offer("s1", "wsroute", "csrf.***"), "invalid csrf token", "wsroute"},
		{"truncated", "/secure/", offer("s1", "wsroute", "csrf."+tok[:20]), "invalid csrf token", "wsroute"},
		{"another session's token", "/secure/", offer("s1", "wsroute", "csrf."+other), "invalid csrf token", "wsroute"},
		{"no session", "/secure/", offer("", "wsroute", "csrf."+tok), "invalid csrf token", "wsroute"},
		{"route without @csrf ignores tokens", "/open/", offer("", "wsroute", "csrf."+forged), "", "wsroute"},
		{"nothing offered, nothing echoed", "/open/", offer(""), "", ""},
		{"unknown subprotocols are not echoed", "/open/", offer("", "chat.v2"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wstest.DialRaw(t, base, wstest.HandshakeRequest(tt.path, tt.h))
			resp := r.Response(t)
			require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
			assert.Equal(t, tt.echo, resp.Header.Get("Sec-WebSocket-Protocol"), "echoed subprotocol")
			if tt.reason == "" {
				op, p, err := r.ReadFrame()
				require.NoError(t, err)
				require.EqualValues(t, 0x1, op)
				assert.Equal(t, tt.echo, field(t, string(p), "proto"), "Client.Subprotocol")
				return
			}
			code, reason := r.Closed(t)
			assert.EqualValues(t, 4002, code)
			assert.Equal(t, tt.reason, reason)
		})
	}
	t.Run("a browser-style client gets the token through", func(t *testing.T) {
		got := attempt(t, base, "/secure/", offer("s1", "wsroute", "csrf."+tok))
		assert.Equal(t, "secure", field(t, got.First, "route"))
	})
	t.Run("tokens are URL-safe base64, valid in a subprotocol", func(t *testing.T) {
		for _, c := range tok {
			assert.True(t, c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_', "%q", c)
		}
	})
	t.Run("CSRFToken without a key panics", func(t *testing.T) {
		assert.Panics(t, func() { newReg(route.Config{}).CSRFToken("s") })
	})
}

// TestCSRFExpiry runs on the fake clock: a token works until CSRFMaxAge has passed.
func TestCSRFExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := csrfRegistry(t, route.Config{CSRFMaxAge: time.Hour})
		tok := reg.CSRFToken("s1")
		h := http.Header{"Cookie": {"sid=s1"}, "Sec-Websocket-Protocol": {"wsroute, csrf." + tok}}
		try := func() (uint16, string) {
			r := wstest.RawPipe(reg, wstest.HandshakeRequest("/secure/", h))
			defer r.Close()
			require.Equal(t, 101, r.Response(t).StatusCode)
			op, p, err := r.ReadFrame()
			require.NoError(t, err)
			if op == 0x8 {
				return uint16(p[0])<<8 | uint16(p[1]), string(p[2:])
			}
			return 0, string(p)
		}
		time.Sleep(59 * time.Minute)
		code, _ := try()
		assert.Zero(t, code, "a token 59 minutes old is good")
		time.Sleep(time.Minute)
		code, reason := try()
		assert.EqualValues(t, 4002, code, "an hour later the token has expired")
		assert.Equal(t, "expired csrf token", reason)
		require.NoError(t, reg.Shutdown(t.Context()))
	})
}

func TestMiddleware(t *testing.T) {
	reg := newReg(route.Config{})
	var mu sync.Mutex // guards ran
	var ran []string
	record := func(name string) {
		mu.Lock()
		ran = append(ran, name)
		mu.Unlock()
	}
	trail := func(name string) route.MiddlewareFunc {
		return func(h *route.Handshake) (bool, error) {
			record(name)
			prev, _ := h.Client.Get("trail")
			s, _ := prev.(string)
			h.Client.Set("trail", s+name+";")
			return true, nil
		}
	}
	reg.Flag("api")
	reg.Middleware("first", trail("first"))
	reg.Middleware("second", trail("second"))
	reg.Middleware("deny", func(*route.Handshake) (bool, error) { record("deny"); return false, nil })
	reg.Middleware("fail", func(*route.Handshake) (bool, error) { record("fail"); return true, errors.New("quota exceeded") })
	reg.Middleware("boom", func(*route.Handshake) (bool, error) { panic("middleware bug") })
	reg.Middleware("api-only", func(h *route.Handshake) (bool, error) {
		record(fmt.Sprintf("api-only(%v,%v,%s)", h.Flag("API"), h.Flags(), h.Route()))
		return h.Flag("api") && h.Request.Header.Get("X-Key") == "k" && h.Client.Param("id") == "7", nil
	})
	var setups atomic.Int32
	for _, r := range []string{
		"SOCKET /chain/ #first #second",
		"SOCKET /deny/ #first #deny #second",
		"SOCKET /fail/ #fail #second",
		"SOCKET /boom/ #boom",
		"SOCKET /api/{id}/ @api #api-only",
	} {
		reg.ROUTE(r, func(ctl *controller.Controller) {
			setups.Add(1)
			ctl.OnOpen(func(c *socket.Client) {
				v, _ := c.Get("trail")
				_ = c.Send(v)
			})
		})
	}
	base := serve(t, reg)
	tests := []struct {
		name  string
		path  string
		h     http.Header
		want  outcome
		ran   []string
		setup bool
	}{
		{"all say yes: in order, data reaches the handlers", "/chain/", nil,
			outcome{Status: 101, First: `"first;second;"`}, []string{"first", "second"}, true},
		{"false: 4003 and the rest do not run", "/deny/", nil,
			outcome{Status: 101, Code: 4003, Reason: "forbidden"}, []string{"first", "deny"}, false},
		{"error: 4000 with its text, even with true", "/fail/", nil,
			outcome{Status: 101, Code: 4000, Reason: "quota exceeded"}, []string{"fail"}, false},
		{"panic: 1011", "/boom/", nil,
			outcome{Status: 101, Code: 1011, Reason: "internal error"}, nil, false},
		{"reads flags, request and params", "/api/7/", http.Header{"X-Key": {"k"}},
			outcome{Status: 101, First: "null"}, []string{"api-only(true,[api],SOCKET /api/{id}/ @json @api #api-only <256KB)"}, true},
		{"and refuses by them", "/api/8/", http.Header{"X-Key": {"k"}},
			outcome{Status: 101, Code: 4003, Reason: "forbidden"}, []string{"api-only(true,[api],SOCKET /api/{id}/ @json @api #api-only <256KB)"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			ran = nil
			mu.Unlock()
			before := setups.Load()
			assert.Equal(t, tt.want, attempt(t, base, tt.path, tt.h))
			mu.Lock()
			assert.Equal(t, tt.ran, ran)
			mu.Unlock()
			if !tt.setup {
				assert.Equal(t, before, setups.Load(), "a refused client never reaches setup")
				assert.Nil(t, reg.Controller(tt.path), "no controller for a refused client")
			}
		})
	}
	t.Run("registration rules", func(t *testing.T) {
		fn := func(*route.Handshake) (bool, error) { return true, nil }
		assert.PanicsWithValue(t, `route: Middleware "first" registered twice`, func() { reg.Middleware("first", fn) })
		assert.Panics(t, func() { reg.Middleware("bad name", fn) })
		assert.Panics(t, func() { reg.Middleware("x", nil) })
		assert.PanicsWithValue(t, "route: Flag: @json is built in", func() { reg.Flag("JSON") })
		assert.Panics(t, func() { reg.Flag("a-b") })
		err := reg.Register("SOCKET /late/ #later", func(*controller.Controller) {})
		assert.ErrorIs(t, err, parser.ErrUnknownMiddleware, "middleware must come before its routes")
		reg.Middleware("later", fn)
		assert.NoError(t, reg.Register("SOCKET /late/ #later", func(*controller.Controller) {}))
	})
}

func TestOrigin(t *testing.T) {
	const host = "Chat.Example.test"
	tests := []struct {
		name   string
		cfg    route.Config
		origin string
		status int
	}{
		{"no Origin (not a browser)", route.Config{}, "", 101},
		{"same host", route.Config{}, "https://chat.example.test", 101},
		{"same host, other case", route.Config{}, "HTTPS://CHAT.EXAMPLE.TEST", 101},
		{"foreign", route.Config{}, "http://evil.example", 403},
		{"same name, other port", route.Config{}, "http://chat.example.test:8080", 403},
		{"a suffix is another host", route.Config{}, "http://chat.example.test.evil.net", 403},
		{"null (sandboxed page, file://)", route.Config{}, "null", 403},
		{"garbage", route.Config{}, "%%%", 403},
		{"allowed by pattern", route.Config{OriginPatterns: []string{"*.example.com"}}, "https://app.example.com", 101},
		{"a pattern matches the host only", route.Config{OriginPatterns: []string{"*.example.com"}}, "https://example.com.evil.net", 403},
		{"patterns ignore case", route.Config{OriginPatterns: []string{"App.Example.com"}}, "https://APP.example.COM", 101},
		{"skip switch", route.Config{InsecureSkipOriginCheck: true}, "http://evil.example", 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := newReg(tt.cfg)
			hello(reg, "SOCKET /o/", "o")
			base := serve(t, reg)
			h := http.Header{"Host": {host}, "Origin": nil}
			if tt.origin != "" {
				h["Origin"] = []string{tt.origin}
			}
			r := wstest.DialRaw(t, base, wstest.HandshakeRequest("/o/", h))
			assert.Equal(t, tt.status, r.Response(t).StatusCode)
		})
	}
}

func TestConnectionCaps(t *testing.T) {
	t.Run("per IP: 429, and a closed connection frees its slot", func(t *testing.T) {
		reg := newReg(route.Config{MaxConnectionsPerIP: 2})
		hello(reg, "SOCKET /c/", "c")
		base := serve(t, reg)
		a := wstest.Dial(t, wstest.WSURL(base, "/c/"), wstest.Options{})
		wstest.Dial(t, wstest.WSURL(base, "/c/"), wstest.Options{})
		assert.Equal(t, outcome{Status: 429}, attempt(t, base, "/c/", nil))
		a.Close(1000, "")
		a.WaitClosed(t)
		eventually101(t, base, "/c/")
	})
	t.Run("total: 503", func(t *testing.T) {
		reg := newReg(route.Config{MaxConnections: 1})
		hello(reg, "SOCKET /c/", "c")
		base := serve(t, reg)
		wstest.Dial(t, wstest.WSURL(base, "/c/"), wstest.Options{})
		assert.Equal(t, outcome{Status: 503}, attempt(t, base, "/c/", nil))
	})
	t.Run("refused connections give their slot back", func(t *testing.T) {
		reg := newReg(route.Config{MaxConnectionsPerIP: 1, Authorize: func(*http.Request) (any, bool, error) { return nil, false, nil }})
		hello(reg, "+SOCKET /members/", "members")
		reg.Middleware("no", func(*route.Handshake) (bool, error) { return false, nil })
		hello(reg, "SOCKET /no/ #no", "no")
		base := serve(t, reg)
		for i := range 5 {
			assert.EqualValues(t, 4001, attempt(t, base, "/members/", nil).Code, "attempt %d", i)
			assert.EqualValues(t, 4003, attempt(t, base, "/no/", nil).Code, "attempt %d", i)
		}
		assert.Zero(t, reg.Online())
	})
	t.Run("IPv6 counts per /64", func(t *testing.T) {
		assert.Equal(t, "2001:db8:1:2::/64", route.IPKey("2001:db8:1:2:aaaa::1"))
		assert.Equal(t, route.IPKey("2001:db8:1:2::5"), route.IPKey("2001:db8:1:2:ffff::9"))
		assert.Equal(t, "192.0.2.1", route.IPKey("::ffff:192.0.2.1"))
		assert.Equal(t, "not-an-ip", route.IPKey("not-an-ip"))
	})
}

func TestDefaultRate(t *testing.T) {
	reg := newReg(route.Config{DefaultRate: parser.Rate{Max: 3, Per: time.Hour}})
	echo(reg, "SOCKET /default/ @text")
	echo(reg, "SOCKET /own/ @text ~100/h")
	base := serve(t, reg)
	t.Run("routes without ~ get the default", func(t *testing.T) {
		c := wstest.Dial(t, wstest.WSURL(base, "/default/"), wstest.Options{})
		for i := range 4 {
			c.SendText(t, fmt.Sprint(i))
		}
		for i := range 3 {
			assert.Equal(t, fmt.Sprint(i), string(c.Recv(t).Data))
		}
		code, reason := c.WaitClosed(t)
		assert.EqualValues(t, 1008, code)
		assert.Equal(t, "rate limit", reason)
	})
	t.Run("a route's own ~ wins", func(t *testing.T) {
		c := wstest.Dial(t, wstest.WSURL(base, "/own/"), wstest.Options{})
		for i := range 10 {
			c.SendText(t, fmt.Sprint(i))
		}
		for i := range 10 {
			assert.Equal(t, fmt.Sprint(i), string(c.Recv(t).Data))
		}
	})
}

// TestIdleTimeout runs on the fake clock: a client that sends nothing is closed with 1000
// "idle timeout" even though it answers every ping, and a client that talks stays.
func TestIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg(route.Config{PingInterval: 5 * time.Second})
		reg.ROUTE("SOCKET /idle/ @text <30s", func(*controller.Controller) {}) // no replies: see below
		// (A route that answers would race, on net.Pipe's unbuffered writes, the server's
		// reply against the client's pong, which wstest writes from its read loop.)
		quietC, _, err := wstest.Pipe(reg, "/idle/", wstest.Options{})
		require.NoError(t, err)
		talker, _, err := wstest.Pipe(reg, "/idle/", wstest.Options{})
		require.NoError(t, err)
		for range 4 {
			time.Sleep(10 * time.Second)
			talker.SendText(t, "hi")
			synctest.Wait()
		}
		code, reason := quietC.WaitClosed(t)
		assert.EqualValues(t, 1000, code)
		assert.Equal(t, "idle timeout", reason)
		assert.GreaterOrEqual(t, len(quietC.Pings()), 5, "it was pinged, and its pongs did not count")
		select {
		case <-talker.Done():
			t.Fatal("a client that talks was closed")
		default:
		}
		talker.Kill()
		require.NoError(t, reg.Shutdown(t.Context()))
	})
}

// TestPanickingHooks: a panic in the application's handshake hooks answers that
// handshake with 500 (before the upgrade) or 1011 (after it), gives the connection slot
// back, and leaves the server serving.
func TestPanickingHooks(t *testing.T) {
	reg := newReg(route.Config{
		MaxConnectionsPerIP: 1,
		Authenticate: func(r *http.Request) route.AuthResult {
			if r.Header.Get("X-Panic") == "authenticate" {
				panic("authenticate bug")
			}
			return route.AuthResult{OK: true}
		},
		Authorize: func(r *http.Request) (any, bool, error) {
			if r.Header.Get("X-Panic") == "authorize" {
				panic("authorize bug")
			}
			return nil, true, nil
		},
		CSRFKey: make([]byte, 32),
		CSRFSession: func(r *http.Request) string {
			if r.Header.Get("X-Panic") == "session" {
				panic("session bug")
			}
			return ""
		},
	})
	hello(reg, "+SOCKET /member/", "member")
	hello(reg, "SOCKET /csrf/ @csrf", "csrf")
	reg.ROUTE("SOCKET /setup/", func(*controller.Controller) { panic("setup bug") })
	base := serve(t, reg)
	tests := []struct {
		name, path, hook string
		want             outcome
	}{
		{"Authenticate", "/member/", "authenticate", outcome{Status: 500}},
		{"Authorize", "/member/", "authorize", outcome{Status: 500}},
		{"CSRFSession", "/csrf/", "session", outcome{Status: 101, Code: 1011, Reason: "internal error"}},
		{"the route's setup, every time", "/setup/", "", outcome{Status: 101, Code: 1011, Reason: "internal error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"X-Panic": {tt.hook}, "Sec-Websocket-Protocol": {"wsroute, csrf." + reg.CSRFToken("")}}
			for range 3 { // the one slot of the address is given back every time
				assert.Equal(t, tt.want, attempt(t, base, tt.path, h))
			}
		})
	}
	got := attempt(t, base, "/member/", nil)
	assert.Equal(t, "member", field(t, got.First, "route"), "the server goes on serving")
}
