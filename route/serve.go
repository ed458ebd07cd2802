package route

import (
	"net/http"
	"net/url"

	"github.com/wsroute/wsroute/internal/handshake"
	"github.com/wsroute/wsroute/parser"
)

// ServeHTTP answers WebSocket handshakes for the registered routes. Every refusal it can
// make before the upgrade is an HTTP status (the table is in the package documentation);
// after the upgrade the client runs on a goroutine of its own.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.closing.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	var st matchState
	escaped := req.URL.EscapedPath()
	r.mu.RLock()
	entries := r.root.lookup(escaped, &st)
	r.mu.RUnlock()
	if entries == nil {
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

	r.admit(w, req, entries, &st, escaped)
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

// paramValues returns the captured parameters as name, value pairs, percent-decoded.
func (e *entry) paramValues(st *matchState) ([]string, bool) {
	names := e.params
	hasWild := len(e.spec.Segments) > 0 && e.spec.Segments[len(e.spec.Segments)-1].Kind == parser.Wildcard
	if len(names) == 0 && !hasWild {
		return nil, true
	}
	out := make([]string, 0, 2*len(names)+2)
	for i, name := range names {
		v, err := url.PathUnescape(st.vals[i])
		if err != nil {
			return nil, false
		}
		out = append(out, name, v)
	}
	if hasWild {
		v, err := url.PathUnescape(st.rest)
		if err != nil {
			return nil, false
		}
		out = append(out, "*", v)
	}
	return out, true
}
