package route_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// helloOn is hello with route options.
func helloOn(reg *route.Registry, r, name string, opts ...route.Option) {
	reg.ROUTE(r, func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			b, _ := json.Marshal(map[string]any{"route": name, "user": c.User(), "proto": c.Subprotocol(),
				"url": c.URL(), "params": c.Params()})
			_ = c.Send(json.RawMessage(b))
		})
	}, opts...)
}

// TestPrecedenceAndAuth: the route serving a request is chosen across every route that
// matches its path, in precedence order, and the first whose auth prefix fits wins, as in
// Total.js. docs/routes.md describes the same table.
func TestPrecedenceAndAuth(t *testing.T) {
	var asked int
	reg := newReg(route.Config{Authorize: func(r *http.Request) (any, bool, error) {
		asked++
		return "alice", r.Header.Get("Authorization") == "alice", nil
	}})
	helloOn(reg, "-SOCKET /chat/lobby/", "lobby-guests")
	helloOn(reg, "+SOCKET /chat/{room}/", "room-members")
	helloOn(reg, "SOCKET /news/{topic}/", "news-any")
	helloOn(reg, "+SOCKET /news/today/", "news-today-members")
	helloOn(reg, "SOCKET /doc/{id:number}/", "doc-number")
	helloOn(reg, "-SOCKET /doc/{name}/", "doc-name-guests")
	helloOn(reg, "+SOCKET /files/readme/", "readme-members")
	helloOn(reg, "-SOCKET /files/*", "files-guests")
	helloOn(reg, "+SOCKET /vip/", "vip-members")
	base := serve(t, reg)
	alice := http.Header{"Authorization": {"alice"}}

	tests := []struct {
		name  string
		path  string
		h     http.Header
		route string // "" when refused with 4001
	}{
		{"authorized on a - static falls to the + param", "/chat/lobby/", alice, "room-members"},
		{"unauthorized on the - static", "/chat/lobby/", nil, "lobby-guests"},
		{"authorized elsewhere: the + param", "/chat/games/", alice, "room-members"},
		{"unauthorized elsewhere: no route fits", "/chat/games/", nil, ""},
		{"authorized on a + static", "/news/today/", alice, "news-today-members"},
		{"unauthorized on a + static falls to the unprefixed param", "/news/today/", nil, "news-any"},
		{"an unprefixed route needs no authorizer", "/news/sports/", alice, "news-any"},
		{"typed param first, unprefixed", "/doc/42/", nil, "doc-number"},
		{"a value the typed param refuses goes to the string param", "/doc/intro/", nil, "doc-name-guests"},
		{"authorized: typed param still first", "/doc/42/", alice, "doc-number"},
		{"authorized on a - string param: refused", "/doc/intro/", alice, ""},
		{"authorized on the + static before the wildcard", "/files/readme/", alice, "readme-members"},
		{"unauthorized on that static falls to the - wildcard", "/files/readme/", nil, "files-guests"},
		{"authorized under the - wildcard only: refused", "/files/a/b", alice, ""},
		{"+ only, unauthorized", "/vip/", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := attempt(t, base, tt.path, tt.h)
			if tt.route == "" {
				assert.Equal(t, outcome{Status: 101, Code: 4001, Reason: "unauthorized"}, got, "%s", tt.path)
				return
			}
			require.Equal(t, 101, got.Status)
			assert.Equal(t, tt.route, field(t, got.First, "route"), "%s", tt.path)
		})
	}

	before := asked
	attempt(t, base, "/news/sports/", alice)
	attempt(t, base, "/doc/42/", alice)
	assert.Equal(t, before, asked, "the authorizer is not asked when an unprefixed route comes first")
	attempt(t, base, "/chat/lobby/", alice)
	assert.Equal(t, before+1, asked, "asked once, however many prefixed routes are tried")
}

// TestTotaljsPaths: Total.js's own endpoints, "/$tms/" (its message service) and "/$flow/",
// register, match (also percent-escaped and in another case) and connect.
func TestTotaljsPaths(t *testing.T) {
	reg := newReg(route.Config{})
	helloOn(reg, "SOCKET /$tms/", "tms")
	helloOn(reg, "SOCKET /$flow/{id}/", "flow")
	helloOn(reg, "SOCKET /a+b/x;v=1/", "subdelims")
	helloOn(reg, "SOCKET /user@host/", "at")
	helloOn(reg, "SOCKET /a%20B/", "escaped")
	assert.Equal(t, []string{"SOCKET /$flow/{id}/ @json <256KB", "SOCKET /$tms/ @json <256KB",
		"SOCKET /a%20b/ @json <256KB", "SOCKET /a+b/x;v=1/ @json <256KB", "SOCKET /user@host/ @json <256KB"}, reg.Routes())
	base := serve(t, reg)

	tests := []struct {
		path, route, url string
	}{
		{"/$tms/", "tms", "/$tms/"},
		{"/%24tms/", "tms", "/$tms/"},
		{"/$TMS", "tms", "/$tms/"},
		{"/$flow/Main%20Flow/", "flow", "/$flow/Main%20Flow/"},
		{"/a+b/x;v=1/", "subdelims", "/a+b/x;v=1/"},
		{"/a%2Bb/x%3Bv%3D1", "subdelims", "/a+b/x;v=1/"},
		{"/user@host/", "at", "/user@host/"},
		{"/a%20b/", "escaped", "/a%20b/"},
		{"/a b/", "escaped", "/a%20b/"}, // the client escapes the space
		{"/A%20B/", "escaped", "/a%20b/"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := attempt(t, base, tt.path, nil)
			require.Equal(t, 101, got.Status, "%s", tt.path)
			assert.Equal(t, tt.route, field(t, got.First, "route"))
			assert.Equal(t, tt.url, field(t, got.First, "url"), "Client.URL")
		})
	}
	for _, path := range []string{"/tms/", "/%24tm/", "/a%2Bb/", "/user%40host%2F/"} {
		got := attempt(t, base, path, nil)
		assert.Equal(t, http.StatusNotFound, got.Status, "%s", path)
	}
	got, params := reg.Match("/$flow/x%2Fy/")
	assert.Equal(t, "SOCKET /$flow/{id}/ @json <256KB", got)
	assert.Equal(t, []string{"id", "x/y"}, params)
}

// TestSubprotocols: applications negotiate their own subprotocols per registry or per
// route, next to "wsroute" and the CSRF token, as a browser offers them.
func TestSubprotocols(t *testing.T) {
	reg := newReg(route.Config{Subprotocols: []string{"graphql-ws", "chat.v1"}})
	helloOn(reg, "SOCKET /plain/", "plain")
	helloOn(reg, "SOCKET /mqtt/", "mqtt", route.WithSubprotocols("mqtt", "wsroute"))
	helloOn(reg, "SOCKET /none/", "none", route.WithSubprotocols())
	base := serve(t, reg)

	tests := []struct {
		path, offer, want string
	}{
		{"/plain/", "a, wsroute, csrf-token", "wsroute"},          // a browser-style offer of several
		{"/plain/", "chat.v1, wsroute, csrf.tok", "chat.v1"},      // the registry's list
		{"/plain/", "wsroute, chat.v1, graphql-ws", "graphql-ws"}, // the server's preference
		{"/plain/", "", ""},                                   // none offered, none chosen
		{"/mqtt/", "a, wsroute, mqtt", "mqtt"},                // the route's list replaces the registry's
		{"/mqtt/", "chat.v1, wsroute", "wsroute"},             // registry's list not used here
		{"/none/", "chat.v1, wsroute, csrf-token", "wsroute"}, // "wsroute" is always there
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.offer, func(t *testing.T) {
			h := http.Header{}
			if tt.offer != "" {
				h.Set("Sec-WebSocket-Protocol", tt.offer)
			}
			c, resp, err := wstest.DialErr(wstest.WSURL(base, tt.path), wstest.Options{Header: h})
			require.NoError(t, err)
			defer c.Kill()
			assert.Equal(t, tt.want, resp.Header.Get("Sec-WebSocket-Protocol"), "the 101 response")
			f, ok := c.Next(t)
			require.True(t, ok)
			assert.Equal(t, tt.want, field(t, string(f.Data), "proto"), "Client.Subprotocol")
		})
	}

	for _, bad := range []string{"", "a b", "a,b", "x/y"} {
		err := reg.Register("SOCKET /bad/", noop, route.WithSubprotocols(bad))
		assert.ErrorContains(t, err, "not an HTTP token", "WithSubprotocols(%q)", bad)
	}
	assert.Panics(t, func() { newReg(route.Config{Subprotocols: []string{"a b"}}).ROUTE("SOCKET /x/", noop) })
}

// TestControllerMatchesLikeARequest: Registry.Controller finds a controller by any
// spelling a request could use, and parameter case tells controllers apart.
func TestControllerMatchesLikeARequest(t *testing.T) {
	reg := newReg(route.Config{})
	opened := make(chan string, 4)
	reg.ROUTE("SOCKET /chat/{room}/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { opened <- ctl.URL() })
	})
	base := serve(t, reg)
	wstest.Dial(t, wstest.WSURL(base, "/chat/A/"), wstest.Options{})
	wstest.Dial(t, wstest.WSURL(base, "/Chat/a"), wstest.Options{})
	urls := []string{<-opened, <-opened}
	assert.ElementsMatch(t, []string{"/chat/A/", "/chat/a/"}, urls)

	upper := reg.Controller("/chat/A/")
	require.NotNil(t, upper)
	assert.Equal(t, "/chat/A/", upper.URL())
	for _, spelling := range []string{"/CHAT/%41", "//chat//A//", "/chat/%41/?x=1"} {
		assert.Same(t, upper, reg.Controller(spelling), "Controller(%q)", spelling)
	}
	lower := reg.Controller("/chat/a/")
	require.NotNil(t, lower)
	assert.NotSame(t, upper, lower, "/chat/a/ is another room")
	assert.Len(t, reg.Controllers(), 2)
	assert.Nil(t, reg.Controller("/chat/b/"))
	assert.Nil(t, reg.Controller("/nothing/"))
}

// TestConfigure: Configure gives Default a configuration before the first route, and
// refuses once something is registered on it.
func TestConfigure(t *testing.T) {
	saved := route.Default
	t.Cleanup(func() { route.Default = saved })

	route.Configure(route.Config{Logger: quiet, Authorize: func(*http.Request) (any, bool, error) { return nil, true, nil }})
	configured := route.Default
	require.NotSame(t, saved, configured)
	route.ROUTE("+SOCKET /members/", noop) // would panic without Config.Authorize
	assert.Equal(t, []string{"+SOCKET /members/ @json <256KB"}, route.Default.Routes())

	assert.PanicsWithValue(t, "route: Configure after a route, middleware or flag was registered on Default",
		func() { route.Configure(route.Config{}) })
	assert.Same(t, configured, route.Default, "a refused Configure changes nothing")

	route.Default = route.New(route.Config{Logger: quiet})
	route.Default.Flag("api")
	assert.Panics(t, func() { route.Configure(route.Config{}) }, "after a flag")

	route.Default = route.New(route.Config{Logger: quiet})
	assert.Panics(t, func() { route.Configure(route.Config{TrustedProxies: []string{"nope"}}) }, "a malformed Config")
}

func TestSentinelsShareThePrefix(t *testing.T) {
	for _, err := range []error{route.ErrConflict, route.ErrNoAuthorizer, route.ErrNoCSRFKey, route.ErrShutdown} {
		assert.Regexp(t, `^route: `, err.Error())
	}
	reg := newReg(route.Config{})
	require.NoError(t, reg.Register("SOCKET /a/", noop))
	err := reg.Register("SOCKET /A/", noop)
	assert.True(t, errors.Is(err, route.ErrConflict))
	assert.Regexp(t, `^route: conflict: routes_test.go:\d+: `, err.Error())
}
