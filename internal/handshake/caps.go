package handshake

import (
	"net/http"
	"net/netip"
	"sync"
)

// Caps counts live connections, in total and per client address, to enforce a cap on
// each. A slot is taken before the upgrade and given back when the connection has closed,
// so concurrent handshakes cannot overshoot a cap. Max and PerIP are set before first use;
// zero means no cap. The zero Caps caps nothing. Its methods are safe for concurrent use.
type Caps struct {
	Max   int // live connections in total
	PerIP int // live connections per IPKey

	mu    sync.Mutex // guards total, perIP
	total int
	perIP map[string]int
}

// Acquire takes a slot for a connection from ip. It returns 0 and the key to Release, or
// the HTTP status of the refusal: 503 when the total is reached, 429 when the address's is.
func (cc *Caps) Acquire(ip string) (status int, key string) {
	if cc.Max <= 0 && cc.PerIP <= 0 {
		return 0, ""
	}
	key = IPKey(ip)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.Max > 0 && cc.total >= cc.Max {
		return http.StatusServiceUnavailable, ""
	}
	if cc.PerIP > 0 && cc.perIP[key] >= cc.PerIP {
		return http.StatusTooManyRequests, ""
	}
	if cc.perIP == nil {
		cc.perIP = make(map[string]int)
	}
	cc.total++
	cc.perIP[key]++
	return 0, key
}

// Release gives back a slot that Acquire took for key.
func (cc *Caps) Release(key string) {
	if cc.Max <= 0 && cc.PerIP <= 0 {
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

// IPKey is what a per-address cap counts: the IPv4 address, or the /64 prefix of an IPv6
// address, since one IPv6 host usually holds a whole /64.
func IPKey(ip string) string {
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
