package route

import (
	"net/http"

	"github.com/wsroute/wsroute/internal/handshake"
	"github.com/wsroute/wsroute/parser"
)

// ServeHTTP answers WebSocket handshakes for the registered routes. Every refusal it can
// make before the upgrade is an HTTP status (the table is in the package documentation);
// after the upgrade the client runs on a goroutine of its own.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.closing.Load() {
		r.refuseDraining(w)
		return
	}
	path := req.URL.EscapedPath()
	if !r.matches(path) {
		http.NotFound(w, req)
		return
	}
	if status, msg := handshake.Check(w.Header(), req); status != 0 {
		http.Error(w, msg, status)
		return
	}
	if !r.origins.Allowed(req) {
		r.log.Warn("origin refused", "origin", req.Header.Get("Origin"), "host", req.Host)
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	r.admit(w, req, path)
}

// matches reports whether any route matches path.
func (r *Registry) matches(path string) bool {
	var st matchState
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.root.lookup(path, &st) != nil
}

// lookupNth returns the entries of the k-th route node matching path in precedence order
// (from 0), with what it captured in st, or nil when fewer match.
func (r *Registry) lookupNth(path string, k int, st *matchState) []*entry {
	*st = matchState{skip: k}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.root.lookup(path, st)
}

// choose picks the route that serves a request on path, across every route matching it:
// the routes are tried in precedence order (see the package
// documentation) and the first one whose auth prefix fits the client wins, an exact
// prefix ("+" for an authorized client, "-" for the others) before a route without one
// at the same place. authorized is asked at most once, and only when a route with a
// prefix is in the way. It returns nil when no route fits; st holds the captures of the
// chosen route.
func (r *Registry) choose(path string, st *matchState, authorized func() (bool, error)) (*entry, error) {
	asked, ok := false, false
	for k := 0; ; k++ {
		entries := r.lookupNth(path, k, st)
		if entries == nil {
			return nil, nil
		}
		if len(entries) == 1 && entries[0].spec.Auth == parser.AuthAny {
			return entries[0], nil
		}
		if !asked {
			var err error
			if ok, err = authorized(); err != nil {
				return nil, err
			}
			asked = true
		}
		if e := pick(entries, ok); e != nil {
			return e, nil
		}
	}
}

// pick chooses among the routes of one path by auth prefix: the prefix that fits the
// request, else a route without prefix. It returns nil when none fits.
func pick(entries []*entry, authorized bool) *entry {
	want := parser.AuthUnauthorized
	if authorized {
		want = parser.AuthAuthorized
	}
	var fallback *entry
	for _, e := range entries {
		switch e.spec.Auth {
		case want:
			return e
		case parser.AuthAny:
			fallback = e
		}
	}
	return fallback
}

// refuseDraining answers a handshake that came during Drain: 503, with Retry-After.
func (r *Registry) refuseDraining(w http.ResponseWriter) {
	r.mu.RLock()
	retry := r.retryAfter
	r.mu.RUnlock()
	if retry != "" {
		w.Header().Set("Retry-After", retry)
	}
	http.Error(w, "shutting down", http.StatusServiceUnavailable)
}
