package route

import (
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/wsroute/wsroute/parser"
	"github.com/wsroute/wsroute/socket"
)

// MiddlewareFunc is a middleware, run for the routes that name it with "#name". It
// returns true to let the connection go on; false closes it with 4003 "forbidden"; an
// error closes it with 4000, the error's text being the close reason (cut to 123 bytes).
// The error wins over ok. A panic is recovered, logged, and closes with 1011.
type MiddlewareFunc func(h *Handshake) (ok bool, err error)

// Handshake is what a middleware sees of a connection being opened. The connection is
// upgraded already, so that a refusal reaches a browser as a close code, but it is not
// yet in its controller: no setup and no event has run, and its messages are not read
// until every middleware has said yes.
type Handshake struct {
	// Request is the handshake request: read its headers, cookies and URL. Its body is
	// empty, and its context is not cancelled when the client goes away (use
	// Client.Context). It must not be kept after the middleware returns.
	Request *http.Request
	// Client is the upgraded client: Param, Query, Header, IP, User and AuthData are
	// set, and values stored with Set are there for the route's handlers. A middleware
	// may Send; what it sends is written before the first message of the handlers.
	Client *socket.Client

	e *entry
}

// Route is the canonical string of the route the handshake matched.
func (h *Handshake) Route() string { return h.e.str }

// Flag reports whether the route has the custom flag name ("@api"), in any case.
func (h *Handshake) Flag(name string) bool {
	return slices.Contains(h.e.spec.Flags, strings.ToLower(name))
}

// Flags returns the route's custom flags, lower-cased and sorted.
func (h *Handshake) Flags() []string { return slices.Clone(h.e.spec.Flags) }

// Middleware registers fn under name, for the routes that say "#name". Routes run their
// middleware in the order written, after the auth and CSRF checks and before the
// controller's setup and events. A middleware must be registered before the routes that
// name it: a route naming an unknown middleware is refused at registration.
//
// Middleware panics if name is not made of letters, digits, '_' and '-', if fn is nil,
// or if name is registered already.
func (r *Registry) Middleware(name string, fn MiddlewareFunc) {
	if !validName(name, true) {
		panic("route: Middleware: invalid name " + strconv.Quote(name))
	}
	if fn == nil {
		panic("route: Middleware " + strconv.Quote(name) + ": nil function")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.mws[name]; dup {
		panic("route: Middleware " + strconv.Quote(name) + " registered twice")
	}
	if r.mws == nil {
		r.mws = make(map[string]MiddlewareFunc)
	}
	r.mws[name] = fn
}

// Flag declares custom flags ("@api" is declared by Flag("api")), which routes may then
// carry and middleware read with Handshake.Flag. A route with a custom flag that is not
// declared is refused at registration, so that a typo such as "@jsn" is an error rather
// than a silent no-op. Names are case-insensitive; declaring one twice is harmless.
//
// Flag panics if a name is not made of letters, digits and '_', or is one of the
// built-in flags json, text, binary and csrf.
func (r *Registry) Flag(names ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range names {
		name = strings.ToLower(name)
		switch {
		case !validName(name, false):
			panic("route: Flag: invalid name " + strconv.Quote(name))
		case name == "json" || name == "text" || name == "binary" || name == "csrf":
			panic("route: Flag: @" + name + " is built in")
		}
		if r.flags == nil {
			r.flags = make(map[string]bool)
		}
		r.flags[name] = true
	}
}

// parseOptions makes the parser refuse undeclared flags and unregistered middleware.
func (r *Registry) parseOptions() parser.Options {
	return parser.Options{
		Flag: func(name string) bool {
			r.mu.RLock()
			defer r.mu.RUnlock()
			return r.flags[name]
		},
		Middleware: func(name string) bool {
			r.mu.RLock()
			defer r.mu.RUnlock()
			return r.mws[name] != nil
		},
	}
}

// validName reports whether s is a flag name (letters, digits, '_') or, with dash, a
// middleware name (also '-'), as the parser reads them.
func validName(s string, dash bool) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || dash && c == '-') {
			return false
		}
	}
	return true
}

// runMiddleware runs e's middleware for c in order, and returns the close code and reason
// of the first refusal, or 0 when all of them let the connection through.
func (r *Registry) runMiddleware(req *http.Request, c *socket.Client, e *entry) (socket.StatusCode, string) {
	h := &Handshake{Request: req, Client: c, e: e}
	for _, name := range e.spec.Middleware {
		r.mu.RLock()
		fn := r.mws[name]
		r.mu.RUnlock()
		ok, panicked, err := callMiddleware(fn, h)
		switch {
		case panicked != nil:
			e.log.Error("middleware panicked", "middleware", name, "url", c.URL(), "client", c.ID(), "ip", c.IP(),
				"code", int(socket.StatusInternalError), "panic", panicked.Value, "stack", string(panicked.Stack))
			return socket.StatusInternalError, "internal error"
		case err != nil:
			reason := err.Error()
			if reason == "" {
				reason = "middleware refused"
			}
			e.log.Warn("middleware refused", "middleware", name, "url", c.URL(), "client", c.ID(), "ip", c.IP(),
				"code", int(socket.StatusMiddlewareRefused), "reason", reason, "err", err)
			return socket.StatusMiddlewareRefused, reason
		case !ok:
			e.log.Warn("middleware refused", "middleware", name, "url", c.URL(), "client", c.ID(), "ip", c.IP(),
				"code", int(socket.StatusForbidden), "reason", "forbidden")
			return socket.StatusForbidden, "forbidden"
		}
	}
	return 0, ""
}

func callMiddleware(fn MiddlewareFunc, h *Handshake) (ok bool, panicked *socket.PanicError, err error) {
	defer func() {
		if v := recover(); v != nil {
			ok, panicked, err = false, &socket.PanicError{Value: v, Stack: debug.Stack()}, nil
		}
	}()
	ok, err = fn(h)
	return ok, nil, err
}
