package handshake

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is a list of trusted proxies, whose X-Forwarded-For header is believed.
type Proxies []netip.Prefix

// ParseProxies parses IP addresses and CIDR prefixes. It returns the first one that is
// neither, with its error.
func ParseProxies(list []string) (Proxies, error) {
	var ps Proxies
	for _, s := range list {
		p, err := parsePrefix(s)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ClientIP is the remote address of req, or, when it is a trusted proxy, the right-most
// address of X-Forwarded-For that is not itself a trusted proxy. A malformed hop stops the
// walk: nothing left of it is believed.
func (ps Proxies) ClientIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	if len(ps) == 0 || !ps.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(req.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		if _, err := netip.ParseAddr(h); err != nil {
			return host
		}
		if !ps.trusted(h) {
			return h
		}
		host = h
	}
	return host
}

func (ps Proxies) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
