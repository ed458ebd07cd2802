package route

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strings"
	"time"
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
var ErrNoCSRFKey = errors.New("@csrf without Config.CSRFKey and Config.CSRFSession")

// A token is base64url(expiry || HMAC-SHA256(key, csrfDomain || expiry || session)),
// where expiry is the Unix second the token stops being valid, as 8 big-endian bytes.
const (
	csrfDomain   = "wsroute csrf v1\x00"
	csrfTimeLen  = 8
	csrfTokenLen = csrfTimeLen + sha256.Size
)

// The reasons of a 4002 close.
const (
	reasonCSRFMissing = "missing csrf token"
	reasonCSRFInvalid = "invalid csrf token"
	reasonCSRFExpired = "expired csrf token"
)

// CSRFToken returns a token for the "@csrf" routes of r, bound to session (the value
// Config.CSRFSession returns for the same user's handshake, such as a session id) and
// valid for Config.CSRFMaxAge. Put it in the page that opens the socket; the client sends
// it as "csrf.<token>" in Sec-WebSocket-Protocol, beside [Subprotocol]. It panics if
// Config.CSRFKey is not set.
func (r *Registry) CSRFToken(session string) string {
	if len(r.cfg.CSRFKey) == 0 {
		panic("route: CSRFToken without Config.CSRFKey")
	}
	var b [csrfTokenLen]byte
	binary.BigEndian.PutUint64(b[:csrfTimeLen], uint64(time.Now().Add(r.cfg.CSRFMaxAge).Unix()))
	copy(b[csrfTimeLen:], r.csrfMAC(b[:csrfTimeLen], session))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (r *Registry) csrfMAC(expiry []byte, session string) []byte {
	m := hmac.New(sha256.New, r.cfg.CSRFKey)
	m.Write([]byte(csrfDomain))
	m.Write(expiry)
	m.Write([]byte(session))
	return m.Sum(nil)
}

// checkCSRF verifies the token a handshake carries and returns the reason of the 4002
// close, or "" when the token is good.
func (r *Registry) checkCSRF(req *http.Request) string {
	tok, ok := offeredToken(req.Header, CSRFPrefix)
	if !ok {
		return reasonCSRFMissing
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != csrfTokenLen {
		return reasonCSRFInvalid
	}
	if !hmac.Equal(b[csrfTimeLen:], r.csrfMAC(b[:csrfTimeLen], r.cfg.CSRFSession(req))) {
		return reasonCSRFInvalid
	}
	if exp := int64(binary.BigEndian.Uint64(b[:csrfTimeLen])); time.Now().Unix() >= exp {
		return reasonCSRFExpired
	}
	return ""
}

// SubprotocolValue returns what follows prefix in the first Sec-WebSocket-Protocol value
// of the request that starts with it. It is how an authenticate hook reads a credential
// that a browser, which cannot set other headers on a WebSocket, sends as a subprotocol
// such as "auth.<token>" (beside [Subprotocol]).
func SubprotocolValue(r *http.Request, prefix string) (string, bool) {
	return offeredToken(r.Header, prefix)
}

func offeredToken(h http.Header, prefix string) (string, bool) {
	for _, line := range h.Values("Sec-WebSocket-Protocol") {
		for v := range strings.SplitSeq(line, ",") {
			if v = strings.TrimSpace(v); strings.HasPrefix(v, prefix) {
				return v[len(prefix):], true
			}
		}
	}
	return "", false
}
