package route

import (
	"net/http"
	"net/netip"
	"sync"
)

// connCaps counts the live connections of a registry, in total and per client address,
// to enforce Config.MaxConnections and Config.MaxConnectionsPerIP. A slot is taken before
// the upgrade and given back when the client has closed, so concurrent handshakes cannot
// overshoot a cap.
type connCaps struct {
	mu    sync.Mutex // guards total, perIP
	total int
	perIP map[string]int
}

// acquire takes a slot for a connection from ip. It returns 0 and the key to release,
// or the HTTP status of the refusal: 503 when the registry is full, 429 when the address
// is.
func (cc *connCaps) acquire(cfg *Config, ip string) (status int, key string) {
	if cfg.MaxConnections <= 0 && cfg.MaxConnectionsPerIP <= 0 {
		return 0, ""
	}
	key = ipKey(ip)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cfg.MaxConnections > 0 && cc.total >= cfg.MaxConnections {
		return http.StatusServiceUnavailable, ""
	}
	if cfg.MaxConnectionsPerIP > 0 && cc.perIP[key] >= cfg.MaxConnectionsPerIP {
		return http.StatusTooManyRequests, ""
	}
	if cc.perIP == nil {
		cc.perIP = make(map[string]int)
	}
	cc.total++
	cc.perIP[key]++
	return 0, key
}

// release gives back a slot that acquire took for key.
func (cc *connCaps) release(cfg *Config, key string) {
	if cfg.MaxConnections <= 0 && cfg.MaxConnectionsPerIP <= 0 {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.total--
	if n := cc.perIP[key] - 1; n > 0 {
		cc.perIP[key] = n
	} else {
		delete(cc.perIP, key)
	}
}

// ipKey is what a per-address cap counts: the IPv4 address, or the /64 prefix of an IPv6
// address, since one IPv6 host usually holds a whole /64.
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}
