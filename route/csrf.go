package route

import (
	"errors"
	"net/http"
	"time"

	"github.com/wsroute/wsroute/internal/handshake"
)

// Subprotocol is the Sec-WebSocket-Protocol value the registry echoes when a client
// offers it. A browser fails any handshake whose response names none of the subprotocols
// it offered, so a client that sends a token in Sec-WebSocket-Protocol offers this name
// beside it:
//
//	new WebSocket(url, ["wsroute", "csrf." + token])
//
// The server answers "Sec-WebSocket-Protocol: wsroute"; the token itself is never echoed.
const Subprotocol = "wsroute"

// CSRFPrefix starts the Sec-WebSocket-Protocol value that carries a @csrf route's token:
// "csrf." followed by the token from Registry.CSRFToken. Tokens use the URL-safe base64
// alphabet without padding, which is valid in a subprotocol name.
const CSRFPrefix = "csrf."

// DefaultCSRFMaxAge is how long a CSRF token is valid unless Config.CSRFMaxAge says
// otherwise: 12 hours.
const DefaultCSRFMaxAge = 12 * time.Hour

// ErrNoCSRFKey is wrapped by the error of a "@csrf" route registered on a registry
// without Config.CSRFKey and Config.CSRFSession: its tokens could not be checked.
var ErrNoCSRFKey = errors.New("route: @csrf without Config.CSRFKey and Config.CSRFSession")

// CSRFToken returns a token for the "@csrf" routes of r, bound to session (the value
// Config.CSRFSession returns for the same user's handshake, such as a session id) and
// valid for Config.CSRFMaxAge. Put it in the page that opens the socket; the client sends
// it as "csrf.<token>" in Sec-WebSocket-Protocol, beside [Subprotocol]. It panics if
// Config.CSRFKey is not set.
func (r *Registry) CSRFToken(session string) string {
	if len(r.cfg.CSRFKey) == 0 {
		panic("route: CSRFToken without Config.CSRFKey")
	}
	return r.csrf.Issue(session, time.Now())
}

// checkCSRF verifies the token a handshake carries and returns the reason of the 4002
// close, or "" when the token is good.
func (r *Registry) checkCSRF(req *http.Request) string {
	tok, ok := handshake.OfferedValue(req.Header, CSRFPrefix)
	return r.csrf.Verify(tok, ok, r.cfg.CSRFSession(req), time.Now())
}

// SubprotocolValue returns what follows prefix in the first Sec-WebSocket-Protocol value
// of the request that starts with it. It is how an authenticate hook reads a credential
// that a browser, which cannot set other headers on a WebSocket, sends as a subprotocol
// such as "auth.<token>" (beside [Subprotocol]).
func SubprotocolValue(r *http.Request, prefix string) (string, bool) {
	return handshake.OfferedValue(r.Header, prefix)
}
