package route

import (
	"net/http"

	"github.com/wsroute/wsroute/socket"
)

// AuthResult is what Config.Authenticate answers for a handshake, in the style of the
// Vite plugin's authenticate hook: the application decides, picks the close code and
// reason of a refusal, and hands data to the connection it lets through.
type AuthResult struct {
	// OK lets the connection through.
	OK bool
	// Code and Reason close a refused connection, after the upgrade so that a browser
	// can read them. Code defaults to socket.StatusUnauthorized (4001) and Reason to
	// "unauthorized"; a code that may not be sent in a close frame (see
	// socket.StatusCode.Sendable) is replaced by 4001.
	Code   socket.StatusCode
	Reason string
	// Data is stored on the client of an accepted connection: Client.AuthData.
	Data any
}

// closeCode returns the code and reason that close a refused connection.
func (a AuthResult) closeCode() (socket.StatusCode, string) {
	code, reason := a.Code, a.Reason
	if !code.Sendable() {
		code = socket.StatusUnauthorized
	}
	if reason == "" {
		reason = "unauthorized"
	}
	return code, reason
}

// refuseUnauthorized answers a refused handshake with HTTP 401 when
// Config.UnauthorizedHTTP asks for it, and reports whether it did.
func (r *Registry) refuseUnauthorized(w http.ResponseWriter, reason string) bool {
	if !r.cfg.UnauthorizedHTTP {
		return false
	}
	http.Error(w, reason, http.StatusUnauthorized)
	return true
}
