package route

import (
	"net/http"
	"time"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/socket"
)

// Observer is told of a registry's traffic, for metrics: Config.Observer. Every method
// gets the route's canonical string (never a concrete URL or a client id, so that a
// metric labelled by it stays bounded), or "" for a handshake that matched no route.
// The methods run on the paths they count, the write path included: they must be fast,
// safe for concurrent use, and must not block. The nested module metrics/prometheus
// adapts it to prometheus/client_golang.
type Observer interface {
	Connected(route string)                                     // a client was admitted
	Refused(route string, code int)                             // an HTTP status before the upgrade, or the close code right after it
	Closed(route string, code socket.StatusCode)                // a client closed, with its close event's code
	Received(route string, bytes int)                           // a message was read
	Sent(route string, messages, bytes int)                     // messages were written, their bytes on the wire
	Dropped(route string, policy socket.Overflow, messages int) // an overflow policy dropped messages
	Handled(route string, d time.Duration)                      // a message handler ran for d
	QueueDepth(route string, messages int)                      // the messages queued for the route's clients, once per sweep
}

// routeObserver binds an Observer to one route, for the route's clients.
type routeObserver struct {
	o     Observer
	route string
}

var _ peer.Observer = (*routeObserver)(nil)

func (r *routeObserver) Received(bytes int)             { r.o.Received(r.route, bytes) }
func (r *routeObserver) Sent(messages, bytes int)       { r.o.Sent(r.route, messages, bytes) }
func (r *routeObserver) Handled(d time.Duration)        { r.o.Handled(r.route, d) }
func (r *routeObserver) Closed(code peer.StatusCode)    { r.o.Closed(r.route, code) }
func (r *routeObserver) QueueDepth(messages int)        { r.o.QueueDepth(r.route, messages) }
func (r *routeObserver) Dropped(p peer.Overflow, n int) { r.o.Dropped(r.route, p, n) }

// statusWriter remembers the status of a refusal written before the upgrade.
type statusWriter struct {
	http.ResponseWriter
	status   int
	route    string // the route chosen, once it is
	rejected int    // the close code of a refusal after the upgrade
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection to hijack it.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
