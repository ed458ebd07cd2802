package route

import (
	"net/http"
	"runtime/debug"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/endpoint"
	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/socket"
)

// admission is one handshake past the route, handshake and origin checks. admit runs its
// steps in this order:
//
//  1. takeSlot: the connection caps (Config.MaxConnections: 503,
//     Config.MaxConnectionsPerIP: 429);
//  2. authenticate: Config.Authenticate, a gate for every route;
//  3. chooseRoute: Config.Authorize, asked when a "+" or "-" route is in the way, and the
//     route that fits among every route matching the path (choose);
//  4. bind: the parameters and the controller key;
//  5. upgrade, or reject (4001 or Authenticate's code) a refused client;
//  6. checkCSRF (4002), then runMiddleware (4003, 4000), in the route's order;
//  7. join: the controller, created and set up, or joined.
//
// An authentication refusal upgrades and closes with its code, or, with
// Config.UnauthorizedHTTP, answers 401 before the upgrade. Refusals after the upgrade run
// no handler of the route. finish is the one exit of every path.
type admission struct {
	r    *Registry
	w    http.ResponseWriter
	req  *http.Request
	path string // escaped request path
	ip   string
	slot string // the caps key to release

	auth       AuthResult // Authenticate's answer, when it ran
	user       any        // Authorize's user
	authorized bool
	refused    bool // by Authenticate, or no route fits the authorizer's answer
	code       socket.StatusCode
	reason     string

	e       *entry // the chosen route; when refused, the route whose upgrader serves the close
	st      matchState
	info    peer.Info
	c       *peer.Client // once upgraded: its AfterClose gives the slot back
	entered bool         // counted in r.wg
	served  bool         // handed to its controller, which now owns the slot and r.wg
}

// admit runs the steps of an admission; see admission.
func (r *Registry) admit(w http.ResponseWriter, req *http.Request, path string) {
	a := &admission{r: r, w: w, req: req, path: path, ip: r.proxies.ClientIP(req),
		code: socket.StatusUnauthorized, reason: "unauthorized"}
	if !a.takeSlot() {
		return
	}
	defer a.finish()
	a.authenticate()
	if !a.chooseRoute() || !a.refuseHTTP() || !a.bind() || !a.upgrade() {
		return
	}
	if a.refused {
		a.reject(a.code, a.reason)
		return
	}
	if !a.checkCSRF() || !a.runMiddleware() {
		return
	}
	a.join()
}

// takeSlot takes a connection slot, or answers 503 or 429.
func (a *admission) takeSlot() bool {
	status, slot := a.r.caps.Acquire(a.ip)
	if status != 0 {
		a.r.log.Warn("connection cap reached", "ip", a.ip, "status", status)
		http.Error(a.w, http.StatusText(status), status)
		return false
	}
	a.slot = slot
	return true
}

// finish is the one exit of every path, panics in the application's hooks
// (Authenticate, Authorize, CSRFSession, middleware, the route's setup) included: the
// slot and r.wg are given back, and the client is answered with 500 before the upgrade
// or 1011 after it.
func (a *admission) finish() {
	p := recover()
	if p != nil {
		a.r.log.Error("handshake hook panicked", "ip", a.ip, "panic", p, "stack", string(debug.Stack()))
	}
	switch {
	case a.served:
		return
	case a.c != nil:
		if p != nil {
			a.reject(socket.StatusInternalError, "internal error")
		}
	default:
		a.r.caps.Release(a.slot)
		if p != nil {
			http.Error(a.w, "internal error", http.StatusInternalServerError)
		}
	}
	if a.entered {
		a.r.wg.Done()
	}
}

// authenticate runs Config.Authenticate, when set.
func (a *admission) authenticate() {
	if a.r.cfg.Authenticate == nil {
		return
	}
	a.auth = a.r.cfg.Authenticate(a.req)
	if !a.auth.OK {
		a.refused = true
		a.code, a.reason = a.auth.closeCode()
	}
}

// chooseRoute picks the route (choose), asking Config.Authorize when a prefixed route is
// in the way. A refused client is served by the first route matching the path, which
// upgrades it to carry the close code. An authorizer error answers 500.
func (a *admission) chooseRoute() bool {
	if !a.refused {
		e, err := a.r.choose(a.path, &a.st, a.authorize)
		if err != nil {
			a.r.log.Error("authorizer failed", "ip", a.ip, "err", err)
			http.Error(a.w, "authorization failed", http.StatusInternalServerError)
			return false
		}
		a.e, a.refused = e, e == nil
	}
	if a.refused {
		a.e = a.r.lookupNth(a.path, 0, &a.st)[0] // ServeHTTP saw a match; routes are never removed
	}
	if sw, ok := a.w.(*statusWriter); ok {
		sw.route = a.e.str
	}
	return true
}

// authorize asks Config.Authorize, and keeps its user for the client.
func (a *admission) authorize() (bool, error) {
	u, ok, err := a.r.cfg.Authorize(a.req)
	a.user, a.authorized = u, ok
	return ok, err
}

// refuseHTTP logs a refusal and, with Config.UnauthorizedHTTP, answers it with 401. It
// reports whether the handshake goes on.
func (a *admission) refuseHTTP() bool {
	if !a.refused {
		return true
	}
	a.r.log.Warn("unauthorized", "ip", a.ip, "code", int(a.code), "reason", a.reason)
	return !a.r.refuseUnauthorized(a.w, a.reason)
}

// bind works out the parameters and the controller key, or answers 400 for a malformed
// percent-escape.
func (a *admission) bind() bool {
	params, key, ok := a.e.bind(&a.st)
	if !ok {
		http.Error(a.w, "malformed path", http.StatusBadRequest)
		return false
	}
	a.info = peer.Info{URL: key, Key: a.e.hubKey(key), Params: params, IP: a.ip}
	if a.authorized {
		a.info.User = a.user
	}
	if a.auth.OK {
		a.info.AuthData = a.auth.Data
	}
	return true
}

// upgrade counts the handshake in r.wg (503 once Shutdown has begun) and upgrades it.
func (a *admission) upgrade() bool {
	if a.entered = a.r.enter(); !a.entered {
		a.r.refuseDraining(a.w)
		return false
	}
	c, err := a.e.up.Upgrade(a.w, a.req, a.info)
	if err != nil {
		a.r.log.Warn("upgrade failed", "ip", a.ip, "err", err)
		return false
	}
	a.c = c
	// The callback lives as long as the client: it must not hold a, whose request and
	// response writer keep the HTTP connection's buffers (8 KiB) alive.
	caps, slot := &a.r.caps, a.slot
	c.AfterClose(func() { caps.Release(slot) })
	return true
}

// checkCSRF checks the token of a "@csrf" route, or closes with 4002.
func (a *admission) checkCSRF() bool {
	if !a.e.spec.CSRF {
		return true
	}
	if why := a.r.checkCSRF(a.req); why != "" {
		a.e.log.Warn("csrf refused", "url", a.c.URL(), "client", a.c.ID(), "ip", a.ip,
			"code", int(socket.StatusInvalidToken), "reason", why)
		a.reject(socket.StatusInvalidToken, why)
		return false
	}
	return true
}

// runMiddleware runs the route's "#middleware", or closes with the first refusal's code.
func (a *admission) runMiddleware() bool {
	if len(a.e.spec.Middleware) == 0 {
		return true
	}
	if code, why := a.r.runMiddleware(a.req, (*socket.Client)(a.c), a.e); code != 0 {
		a.reject(code, why)
		return false
	}
	return true
}

// join hands the client to its controller, which owns the slot and r.wg from then on.
// The open handlers run here, on the goroutine that answered the handshake; the read
// loop gets a goroutine of its own that starts with a minimal stack (an idle client
// keeps 2 KiB of stack rather than 4 KiB or more).
func (a *admission) join() {
	ctl := a.r.controllerFor(a.e, a.info.URL, a.info.Params, a.c)
	a.served = true
	if obs := a.r.cfg.Observer; obs != nil {
		obs.Connected(a.e.str)
	}
	ctl.Start(a.c, a.r.wg.Done)
	if a.r.closing.Load() {
		_ = a.c.Close(socket.StatusGoingAway, "going away")
	}
}

// setup runs e's setup on ctl, once. If it panics, the controller is forgotten and
// destroyed, so that the next client sets the route up afresh instead of joining a
// controller without handlers, and the panic goes on to admit (1011 for this client).
func (r *Registry) setup(ctl *endpoint.Endpoint, key ctlKey, e *entry) {
	defer func() {
		if p := recover(); p != nil {
			r.forget(key, ctl)
			ctl.Destroy()
			panic(p)
		}
	}()
	if e.setup == nil {
		ctl.Setup(nil)
		return
	}
	ctl.Setup(func(ep *endpoint.Endpoint) { e.setup((*controller.Controller)(ep)) })
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

// reject closes the upgraded client with code and reason, without serving it.
func (a *admission) reject(code socket.StatusCode, reason string) {
	if sw, ok := a.w.(*statusWriter); ok {
		sw.rejected = int(code)
	}
	a.c.Reject(code, reason)
}
