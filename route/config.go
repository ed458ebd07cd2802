package route

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/parser"
	"github.com/wsroute/wsroute/socket"
)

// Config configures a Registry. The zero value is usable; each field's comment gives its
// default. New normalises it once.
type Config struct {
	// Logger receives lifecycle records (Debug), refusals (Warn) and recovered panics
	// (Error). Defaults to slog.Default().
	Logger *slog.Logger

	// AutoDestroyDelay is the grace period of Controller.AutoDestroy. Defaults to 5 s.
	AutoDestroyDelay time.Duration

	// PingInterval is how often the server pings each client. Negative disables the
	// heartbeat. Defaults to 30 s.
	PingInterval time.Duration
	// PongTimeout is how long a ping may go unanswered before the client is closed with
	// 1000 "heartbeat timeout". Defaults to 10 s.
	PongTimeout time.Duration
	// WriteTimeout is how long a single write may stall before the client is dropped as
	// a slow consumer (4008). Negative disables it. Defaults to 10 s.
	WriteTimeout time.Duration
	// Broker makes the registry a node of a cluster: every send that names its target
	// (Controller.Send and Broadcast, To, Registry.Broadcast, SendTo, CloseClient)
	// reaches the matching clients on every node, at most once. nil keeps the registry to
	// this process. The adapters are nested modules: cluster/nats and cluster/redis.
	// See docs/cluster.md.
	Broker cluster.Broker
	// Cluster configures this node of the cluster (its id, the subject prefix, the
	// heartbeat, the outbox); used only with Broker. Its Logger defaults to Logger.
	Cluster cluster.Config

	// Observer, when set, is told of the traffic of every route, for metrics (see
	// Observer; the metrics/prometheus module is one).
	Observer Observer

	// DrainWindow spreads Shutdown's closes over this long (see Drain), so that a
	// restart does not make every client reconnect in the same millisecond. Zero closes
	// every client at once.
	DrainWindow time.Duration

	// Writers is how many goroutines of the registry's writer pool write to idle
	// clients at once; Shutdown waits for them. Defaults to GOMAXPROCS.
	Writers int

	// DisableCompression turns off permessage-deflate, which is otherwise negotiated
	// whenever a client offers it.
	DisableCompression bool
	// CompressThreshold is the size below which messages are sent uncompressed even on a
	// compressed connection. Defaults to 512 bytes.
	CompressThreshold int

	// ReadBufferSize is the read buffer each connection holds while open. Defaults to
	// 1 KiB. WriteBufferSize is not used on server connections.
	ReadBufferSize, WriteBufferSize int

	// QueueMessages and QueueBytes bound each client's outgoing queue. Default to 1024
	// messages and 4 MiB.
	QueueMessages int
	QueueBytes    int
	// Overflow is what happens to a send to a full queue. Defaults to
	// socket.OverflowClose: the client is closed with 4008 "slow consumer".
	Overflow socket.Overflow

	// TrustedProxies lists the proxies (IP addresses or CIDR prefixes) whose
	// X-Forwarded-For header is believed when working out a client's IP. Defaults to
	// none: the socket's remote address is the client's IP.
	TrustedProxies []string

	// TypeField is the JSON field that Controller.On dispatches on. Defaults to "type".
	TypeField string
	// ReplyField is the JSON field that carries a request's callback id, which
	// socket.Message.Reply copies into its answer. Defaults to "callbackid"
	// (socket.DefaultReplyField).
	ReplyField string

	// Authorize decides whether a request is authorized, for routes with a "+" or "-"
	// prefix. user is stored on the client (Client.User). An error refuses the handshake
	// with HTTP 500. Registering a "+" or "-" route without it is an error.
	Authorize func(r *http.Request) (user any, ok bool, err error)
	// Authenticate, when set, runs for every handshake on every route, after the origin
	// check and before Authorize (see AuthResult). A refusal
	// (AuthResult.OK false) upgrades and then closes with the result's code and reason,
	// 4001 "unauthorized" by default; an accepted connection carries the result's Data
	// (Client.AuthData). It must not keep the request.
	Authenticate func(r *http.Request) AuthResult
	// UnauthorizedHTTP answers the refusals of Authenticate and of the auth prefixes
	// ("+" or "-" route, but the authorizer said otherwise) with HTTP 401 before the
	// upgrade, instead of upgrading and closing with 4001 (or Authenticate's code). A
	// browser cannot read the status of a failed handshake (its WebSocket reports 1006),
	// so this suits non-browser clients. Defaults to false.
	UnauthorizedHTTP bool

	// CSRFKey is the HMAC-SHA256 key that signs the tokens of "@csrf" routes
	// (Registry.CSRFToken): at least 32 random bytes, kept secret and shared by every
	// node that serves the routes. Registering a "@csrf" route without it is an error.
	CSRFKey []byte
	// CSRFSession returns the value a handshake's CSRF token is bound to: the same value
	// that was given to Registry.CSRFToken for this user, such as a session id read from
	// a cookie. A token issued for another session is invalid. Required with CSRFKey.
	CSRFSession func(r *http.Request) string
	// CSRFMaxAge is how long a CSRF token is valid. Defaults to 12 h.
	CSRFMaxAge time.Duration

	// OriginPatterns lists extra origins allowed to open sockets, as path.Match patterns
	// against the Origin's host ("example.com", "*.example.com"). The request's own host
	// is always allowed, and so are requests without an Origin header (non-browser
	// clients). A refused origin gets HTTP 403 before the upgrade. Defaults to none.
	OriginPatterns []string
	// InsecureSkipOriginCheck accepts any Origin. It exposes every socket to cross-site
	// pages: prefer OriginPatterns.
	InsecureSkipOriginCheck bool

	// MaxConnections caps the live connections of the registry, all routes together; a
	// handshake beyond it gets HTTP 503 before the upgrade. Zero means no cap.
	MaxConnections int
	// MaxConnectionsPerIP caps the live connections from one client address (Client.IP:
	// the remote address, or X-Forwarded-For from TrustedProxies; IPv6 addresses count
	// per /64); a handshake beyond it gets HTTP 429 before the upgrade. Zero means no cap.
	MaxConnectionsPerIP int
	// Subprotocols lists the subprotocols the registry's routes may choose in the
	// handshake, in order of preference, before [Subprotocol] ("wsroute"), which is
	// always last; a route's WithSubprotocols replaces the list. The first one the client
	// offers is echoed in the 101 response and is Client.Subprotocol. Defaults to none:
	// only "wsroute".
	Subprotocols []string

	// DefaultRate is the message rate limit of routes without a "~" option: at most
	// DefaultRate.Max messages per DefaultRate.Per on each connection, as a token bucket;
	// over it, close 1008 "rate limit". The zero value means no limit.
	DefaultRate parser.Rate
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.TypeField == "" {
		c.TypeField = "type"
	}
	if c.CSRFMaxAge <= 0 {
		c.CSRFMaxAge = DefaultCSRFMaxAge
	}
	if n := len(c.CSRFKey); n > 0 && n < 32 {
		panic("route: Config.CSRFKey is shorter than 32 bytes")
	}
	if c.DefaultRate.Max > 0 && c.DefaultRate.Per <= 0 {
		c.DefaultRate.Per = time.Second
	}
	return c
}
