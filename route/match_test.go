package route_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/parser"
	"github.com/wsroute/wsroute/route"
)

func noop(*controller.Controller) {}

func TestMatch(t *testing.T) {
	reg := route.New(route.Config{})
	for _, r := range []string{
		"SOCKET /",
		"SOCKET /chat/",
		"SOCKET /chat/{room}/",
		"SOCKET /chat/lobby/",
		"SOCKET /chat/{room}/{user}/",
		"SOCKET /item/{id:number}/",
		"SOCKET /item/{key:uuid}/",
		"SOCKET /item/{name}/",
		"SOCKET /files/*",
		"SOCKET /files/special/",
		"SOCKET ?/{id}/",
	} {
		require.NoError(t, reg.Register(r, noop), r)
	}
	const uuid = "123e4567-E89B-12d3-a456-426614174000"
	tests := []struct {
		path   string
		route  string // canonical path of the route, "" for no match
		params []string
	}{
		{"/", "/", nil},
		{"//", "/", nil},
		{"/chat", "/chat/", nil},
		{"/chat/", "/chat/", nil},
		{"/CHAT/", "/chat/", nil},
		{"/chat/lobby", "/chat/lobby/", nil},                           // static beats param
		{"/chat/LOBBY/", "/chat/lobby/", nil},                          // case-insensitive static
		{"/chat/Room1/", "/chat/{room}/", []string{"room", "Room1"}},   // params keep their case
		{"/chat//Room1//", "/chat/{room}/", []string{"room", "Room1"}}, // // collapses
		{"/chat/a%20b/", "/chat/{room}/", []string{"room", "a b"}},     // percent-decoded
		{"/chat/a%2Fb/", "/chat/{room}/", []string{"room", "a/b"}},     // an escaped slash stays in the param
		{"/chat/r/u", "/chat/{room}/{user}/", []string{"room", "r", "user", "u"}},
		{"/chat/r/u/x/", "", nil},                                           // too many segments, no wildcard
		{"/item/42/", "/item/{id:number}/", []string{"id", "42"}},           // number before string
		{"/item/" + uuid + "/", "/item/{key:uuid}/", []string{"key", uuid}}, // uuid before string
		{"/item/4x2/", "/item/{name}/", []string{"name", "4x2"}},
		{"/files", "/files/*", []string{"*", ""}}, // the wildcard matches its prefix itself
		{"/files/a/b/c.txt", "/files/*", []string{"*", "a/b/c.txt"}},
		{"/files/special", "/files/special/", nil}, // static beats wildcard
		{"/files/special/x", "/files/*", []string{"*", "special/x"}},
		{"/api/7/", "/api/{id}/", []string{"id", "7"}}, // ? is the API prefix
		{"/nothing/", "", nil},
		{"/chat/%zz/", "", nil}, // malformed escape
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, params := reg.Match(tt.path)
			if tt.route == "" {
				assert.Empty(t, got, "Match(%q)", tt.path)
				return
			}
			require.NotEmpty(t, got, "Match(%q)", tt.path)
			assert.Equal(t, tt.route, parser.MustParse(got).Path(), "Match(%q)", tt.path)
			assert.Equal(t, tt.params, params, "Match(%q) params", tt.path)
		})
	}
}

func TestMatchStaticAllocatesNothing(t *testing.T) {
	reg := route.New(route.Config{})
	require.NoError(t, reg.Register("SOCKET /chat/lobby/", noop))
	require.NoError(t, reg.Register("SOCKET /chat/{room}/", noop))
	for _, path := range []string{"/chat/lobby/", "/Chat/Lobby", "/chat/%4Cobby/"} {
		allocs := testing.AllocsPerRun(1000, func() {
			if !reg.MatchStatic(path) {
				t.Fatal("no match")
			}
		})
		assert.Zero(t, allocs, "allocations matching %q", path)
	}
}

// TestControllerKey: the controller key folds the route's static segments only;
// parameter values keep their case and are re-escaped canonically, so two spellings of one
// value are one controller and two cases are two.
func TestControllerKey(t *testing.T) {
	reg := route.New(route.Config{})
	for _, r := range []string{"SOCKET /", "SOCKET /chat/{room}/", "SOCKET /x/y/", "SOCKET /files/*", "SOCKET /$tms/", "SOCKET /a%20B/"} {
		require.NoError(t, reg.Register(r, noop), r)
	}
	for in, want := range map[string]string{
		"":                  "/",
		"/":                 "/",
		"/Chat//Room1":      "/chat/Room1/",
		"/chat/room1/":      "/chat/room1/",
		"/chat/%41/":        "/chat/A/",
		"/chat/A":           "/chat/A/",
		"/chat/a%2fb/":      "/chat/a%2Fb/",
		"/chat/caf%c3%a9/":  "/chat/caf%C3%A9/",
		"/chat/a%20b/":      "/chat/a%20b/",
		"/chat/%7e!$/":      "/chat/~!$/",
		"/a%20b/":           "/a%20b/",
		"/A%20b/":           "/a%20b/",
		"x/y":               "/x/y/",
		"///x///Y///":       "/x/y/",
		"/files/A/b.TXT":    "/files/A/b.TXT/",
		"/files//A%2Fb//c/": "/files/A%2Fb/c/",
		"/%24TMS/":          "/$tms/",
	} {
		assert.Equal(t, want, reg.Key(in), "key of %q", in)
	}
}

func TestConflicts(t *testing.T) {
	tests := []struct {
		first, second string
		conflict      bool
	}{
		{"SOCKET /a/", "SOCKET /a", true},
		{"SOCKET /a/", "WEBSOCKET /A/", true},
		{"SOCKET /a/{x}/", "SOCKET /a/{y}/", true},               // same shape, other names
		{"SOCKET /a/{x}/", "SOCKET /a/{x:number}/", false},       // a typed param is another shape
		{"SOCKET /a/{x}/ @text", "SOCKET /a/{y}/ @binary", true}, // flags do not make a route distinct
		{"SOCKET /a/*", "SOCKET /a/", false},
		{"SOCKET /a/*", "SOCKET /a/*", true},
		{"+SOCKET /a/", "-SOCKET /a/", false}, // another auth prefix
		{"+SOCKET /a/", "SOCKET /a/", false},
		{"+SOCKET /a/", "+SOCKET /a/", true},
	}
	authorize := route.Config{Authorize: func(*http.Request) (any, bool, error) { return nil, false, nil }}
	for _, tt := range tests {
		t.Run(tt.first+" vs "+tt.second, func(t *testing.T) {
			reg := route.New(authorize)
			require.NoError(t, reg.Register(tt.first, noop))
			err := reg.Register(tt.second, noop)
			if !tt.conflict {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, route.ErrConflict), "errors.Is(%v, ErrConflict)", err)
			assert.Equal(t, 2, strings.Count(err.Error(), "match_test.go:"), "both sites are named: %v", err)
		})
	}
}

func TestROUTEPanicsWithCallerSite(t *testing.T) {
	reg := route.New(route.Config{})
	defer func() {
		r := recover()
		require.NotNil(t, r, "ROUTE with a bad route must panic")
		err, ok := r.(error)
		require.True(t, ok, "the panic value is an error: %T", r)
		assert.Contains(t, err.Error(), "route: match_test.go:")
		var perr *parser.Error
		assert.True(t, errors.As(err, &perr), "it wraps the *parser.Error")
	}()
	reg.ROUTE("SOCKET /chat/{room/", noop)
}

func TestRegisterErrors(t *testing.T) {
	reg := route.New(route.Config{})
	err := reg.Register("+SOCKET /secret/", noop)
	require.Error(t, err)
	assert.True(t, errors.Is(err, route.ErrNoAuthorizer), "%v", err)

	err = reg.Register("SOCKET /chat/ @jsn @text @binary", noop)
	require.Error(t, err)
	var perr *parser.Error
	require.True(t, errors.As(err, &perr))

	reg.ROUTE("SOCKET /ok/", noop)
	assert.Equal(t, []string{"SOCKET /ok/ @json <256KB"}, reg.Routes())
}
