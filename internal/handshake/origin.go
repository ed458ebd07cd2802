package handshake

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Origins is an origin policy: requests without an Origin header (not a browser), from the
// request's own host, or from a host matching one of Patterns (path.Match syntax, compared
// case-insensitively) are allowed. SkipCheck allows every origin.
type Origins struct {
	Patterns  []string
	SkipCheck bool
}

// Allowed reports whether the policy lets req open a socket.
func (o Origins) Allowed(req *http.Request) bool {
	origin := req.Header.Get("Origin")
	if origin == "" || o.SkipCheck {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, req.Host) {
		return true
	}
	host := strings.ToLower(u.Host)
	for _, p := range o.Patterns {
		if ok, _ := path.Match(strings.ToLower(p), host); ok {
			return true
		}
	}
	return false
}
