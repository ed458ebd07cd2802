package route

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"

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
	if status, msg := checkHandshake(w, req); status != 0 {
		http.Error(w, msg, status)
		return
	}
	if !r.originAllowed(req) {
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

// checkHandshake validates a WebSocket opening handshake (RFC 6455 §4.2.1) before the
// connection is hijacked, so that a refusal is a proper HTTP response.
func checkHandshake(w http.ResponseWriter, req *http.Request) (int, string) {
	if !headerHasToken(req.Header, "Upgrade", "websocket") {
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Connection", "Upgrade")
		return http.StatusUpgradeRequired, "this URL speaks WebSocket only"
	}
	if req.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		return http.StatusMethodNotAllowed, "a WebSocket handshake must use GET"
	}
	if !headerHasToken(req.Header, "Connection", "upgrade") {
		return http.StatusBadRequest, "missing Connection: Upgrade"
	}
	if req.Header.Get("Sec-WebSocket-Version") != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		return http.StatusUpgradeRequired, "unsupported Sec-WebSocket-Version"
	}
	if !validKey(req.Header.Get("Sec-WebSocket-Key")) {
		return http.StatusBadRequest, "missing or malformed Sec-WebSocket-Key"
	}
	return 0, ""
}

// validKey reports whether k is the base64 form of 16 bytes.
func validKey(k string) bool {
	if len(k) != 24 || k[22] != '=' || k[23] != '=' {
		return false
	}
	for i := 0; i < 22; i++ {
		c := k[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// originAllowed applies the origin policy: no Origin header (not a browser), the
// request's own host, or a host matching Config.OriginPatterns.
func (r *Registry) originAllowed(req *http.Request) bool {
	origin := req.Header.Get("Origin")
	if origin == "" || r.cfg.InsecureSkipOriginCheck {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, req.Host) {
		return true
	}
	for _, p := range r.cfg.OriginPatterns {
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(u.Host)); ok {
			return true
		}
	}
	return false
}

// clientIP is the remote address, or, when it is a trusted proxy, the right-most address
// of X-Forwarded-For that is not itself a trusted proxy.
func (r *Registry) clientIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	if len(r.trusted) == 0 || !r.isTrusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(req.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		if _, err := netip.ParseAddr(h); err != nil {
			return host // a malformed hop: do not believe anything left of it
		}
		if !r.isTrusted(h) {
			return h
		}
		host = h
	}
	return host
}

func (r *Registry) isTrusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
