package route

import (
	"log/slog"
	"net/http"
	"time"

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

	// DisableCompression turns off permessage-deflate, which is otherwise negotiated
	// whenever a client offers it.
	DisableCompression bool
	// CompressThreshold is the size below which messages are sent uncompressed even on a
	// compressed connection. Defaults to 512 bytes.
	CompressThreshold int

	// ReadBufferSize and WriteBufferSize size each connection's buffers. Default to 4 KiB.
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
	// socket.Message.Reply copies into its answer. Defaults to "callbackid" (Total.js's
	// $.api messages).
	ReplyField string

	// Authorize decides whether a request is authorized, for routes with a "+" or "-"
	// prefix. user is stored on the client (Client.User). An error refuses the handshake
	// with HTTP 500. Registering a "+" or "-" route without it is an error.
	Authorize func(r *http.Request) (user any, ok bool, err error)

	// OriginPatterns lists extra origins allowed to open sockets, as path.Match patterns
	// against the Origin's host ("example.com", "*.example.com"). The request's own host
	// is always allowed, and so are requests without an Origin header (non-browser
	// clients). A refused origin gets HTTP 403 before the upgrade. Defaults to none.
	OriginPatterns []string
	// InsecureSkipOriginCheck accepts any Origin. It exposes every socket to cross-site
	// pages: prefer OriginPatterns.
	InsecureSkipOriginCheck bool
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.TypeField == "" {
		c.TypeField = "type"
	}
	return c
}
