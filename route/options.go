package route

import (
	"fmt"
	"slices"
	"strings"
)

// Option adjusts one route at registration: ROUTE(route, setup, opts...).
type Option func(*routeOptions)

type routeOptions struct {
	subprotocols []string // nil: Config.Subprotocols
}

// WithSubprotocols sets the subprotocols the route may choose in the handshake, in order of
// preference, instead of Config.Subprotocols. [Subprotocol] ("wsroute") is always chosen
// last, so that a client which only offers it beside a token ("csrf.<token>") still gets an
// answer its browser accepts. The chosen one is Client.Subprotocol. A name must be an HTTP
// token (RFC 6455 §4.1); registration fails otherwise.
func WithSubprotocols(names ...string) Option {
	names = slices.Clone(names)
	if names == nil {
		names = []string{}
	}
	return func(o *routeOptions) { o.subprotocols = names }
}

// serverSubprotocols checks an application's subprotocols and appends Subprotocol.
func serverSubprotocols(names []string) ([]string, error) {
	out := make([]string, 0, len(names)+1)
	for _, n := range names {
		if !isToken(n) {
			return nil, fmt.Errorf("route: subprotocol %q is not an HTTP token", n)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if !slices.Contains(out, Subprotocol) {
		out = append(out, Subprotocol)
	}
	return out, nil
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
