package route

import (
	"net/http"
	"runtime/debug"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/parser"
	"github.com/wsroute/wsroute/socket"
)

// admit runs the part of a handshake that follows the route lookup and the handshake and
// origin checks, in this order:
//
//  1. the connection caps (Config.MaxConnections: 503, Config.MaxConnectionsPerIP: 429);
//  2. Config.Authenticate, a gate for every route;
//  3. Config.Authorize, which picks the "+" or "-" route of the path;
//  4. the upgrade;
//  5. the route's "@csrf" token (4002), then its "#middleware", in order (4003, 4000);
//  6. the controller: created and set up, or joined.
//
// An authentication refusal upgrades and closes with its code (4001 by default), or,
// with Config.UnauthorizedHTTP, answers 401 before the upgrade. Refusals after the
// upgrade run no handler of the route.
func (r *Registry) admit(w http.ResponseWriter, req *http.Request, entries []*entry, st *matchState, escaped string) {
	ip := r.proxies.ClientIP(req)
	status, slot := r.caps.Acquire(ip)
	if status != 0 {
		r.log.Warn("connection cap reached", "ip", ip, "status", status)
		http.Error(w, http.StatusText(status), status)
		return
	}
	var (
		c       *socket.Client // once upgraded: its AfterClose gives the slot back
		entered bool           // counted in r.wg
		served  bool           // handed to its controller, which now owns the slot and r.wg
	)
	// One exit for every path, panics in the application's hooks (Authenticate,
	// Authorize, CSRFSession, the route's setup) included: the slot and r.wg are given
	// back, and the client is answered with 500 before the upgrade or 1011 after it.
	defer func() {
		p := recover()
		if p != nil {
			r.log.Error("route: handshake hook panicked", "panic", p, "stack", string(debug.Stack()))
		}
		switch {
		case served:
			return
		case c != nil:
			if p != nil {
				c.Reject(socket.StatusInternalError, "internal error")
			}
		default:
			r.caps.Release(slot)
			if p != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}
		if entered {
			r.wg.Done()
		}
	}()

	var auth AuthResult
	refused := false // by Authenticate, or no route fits the authorizer's answer
	code, reason := socket.StatusUnauthorized, "unauthorized"
	if r.cfg.Authenticate != nil {
		auth = r.cfg.Authenticate(req)
		if !auth.OK {
			refused = true
			code, reason = auth.closeCode()
		}
	}
	e := entries[0]
	var user any
	authorized := false
	if !refused && (len(entries) > 1 || e.spec.Auth != parser.AuthAny) {
		u, ok, err := r.cfg.Authorize(req)
		if err != nil {
			r.log.Error("authorizer failed", "err", err)
			http.Error(w, "authorization failed", http.StatusInternalServerError)
			return
		}
		user, authorized = u, ok
		e = pick(entries, authorized)
		refused = e == nil
	}
	if refused {
		r.log.Warn("unauthorized", "ip", ip, "code", code, "reason", reason)
		if r.refuseUnauthorized(w, reason) {
			return
		}
	}

	target := e // the route whose upgrader and parameters serve the handshake
	if target == nil {
		target = entries[0]
	}
	params, ok := target.paramValues(st)
	if !ok {
		http.Error(w, "malformed path", http.StatusBadRequest)
		return
	}
	info := socket.Info{URL: normalize(escaped), Params: params, IP: ip}
	if authorized {
		info.User = user
	}
	if auth.OK {
		info.AuthData = auth.Data
	}
	if entered = r.enter(); !entered {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	up, err := target.up.Upgrade(w, req, info)
	if err != nil {
		r.log.Warn("upgrade failed", "err", err)
		return
	}
	c = up
	c.AfterClose(func() { r.caps.Release(slot) })
	if refused {
		c.Reject(code, reason)
		return
	}
	if e.spec.CSRF {
		if why := r.checkCSRF(req); why != "" {
			e.log.Warn("csrf refused", "client", c.ID(), "reason", why)
			c.Reject(socket.StatusInvalidToken, why)
			return
		}
	}
	if len(e.spec.Middleware) > 0 {
		if code, why := r.runMiddleware(req, c, e); code != 0 {
			c.Reject(code, why)
			return
		}
	}
	ctl := r.controllerFor(e, info.URL, params, c)
	served = true
	// The open handlers run here, on the goroutine that answered the handshake; the read
	// loop gets a goroutine of its own that starts with a minimal stack (an idle client
	// keeps 2 KiB of stack rather than 4 KiB or more).
	ctl.Start(c, r.wg.Done)
	if r.closing.Load() {
		_ = c.Close(socket.StatusGoingAway, "going away")
	}
}

// setup runs e's setup on ctl, once. If it panics, the controller is forgotten and
// destroyed, so that the next client sets the route up afresh instead of joining a
// controller without handlers, and the panic goes on to admit (1011 for this client).
func (r *Registry) setup(ctl *controller.Controller, key ctlKey, e *entry) {
	defer func() {
		if p := recover(); p != nil {
			r.forget(key, ctl)
			ctl.Destroy()
			panic(p)
		}
	}()
	ctl.Setup(e.setup)
}

// enter counts a handshake in the registry's WaitGroup, unless Shutdown has begun:
// Shutdown sets closing under the write lock, so once it waits no handshake adds to the
// group, and every handshake that did is waited for (with its middleware).
func (r *Registry) enter() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closing.Load() {
		return false
	}
	r.wg.Add(1)
	return true
}
