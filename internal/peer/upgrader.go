package peer

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/lxzan/gws"

	"github.com/wsroute/wsroute/internal/jsonscan"
	"github.com/wsroute/wsroute/parser"
)

// Options configure the clients of one route. The zero value of every field is usable;
// each comment gives the default.
type Options struct {
	// Mode is the route's message mode. Defaults to ModeJSON.
	Mode Mode
	// MaxBytes is the largest message accepted, counted over all its fragments and after
	// inflating; a larger one closes the client with StatusMessageTooBig.
	// Defaults to 256 KiB.
	MaxBytes int
	// IdleTimeout closes the client with StatusNormalClosure ("idle timeout") when it has
	// sent no message for that long. Pings and pongs do not count as messages.
	// Zero means no idle timeout.
	IdleTimeout time.Duration
	// RateMax and RatePer limit the messages a client may send: RateMax per RatePer, as a
	// token bucket that starts full. Over the limit the client is closed with
	// StatusPolicyViolation ("rate limit"). Zero RateMax means no limit.
	RateMax int
	RatePer time.Duration
	// Compression negotiates permessage-deflate when the client offers it.
	Compression bool
	// CompressThreshold is the size below which messages go uncompressed even when
	// compression was negotiated. Defaults to 512 bytes.
	CompressThreshold int
	// ReadBufferSize sizes the read buffer each connection holds for as long as it is
	// open. Defaults to 1 KiB: messages larger than the buffer are read straight into
	// their own memory, so a small buffer costs little throughput and saves 3 KiB per
	// idle connection over gws's default of 4 KiB (see BENCHMARKS.md).
	// WriteBufferSize is passed to gws, which does not use it on server connections.
	ReadBufferSize, WriteBufferSize int
	// QueueMessages and QueueBytes bound each client's outgoing queue (beyond the one
	// message being written). Default to 1024 messages and 4 MiB.
	QueueMessages int
	QueueBytes    int
	// Overflow is the policy for a send to a full queue. Defaults to OverflowClose.
	Overflow Overflow
	// Subprotocols lists the subprotocols the server may choose, in order of preference:
	// the first one the client offers in Sec-WebSocket-Protocol is echoed in the 101
	// response. A client that offers none of them is served without a subprotocol
	// (RFC 6455 §4.2.2); a browser that offered some then fails the handshake.
	Subprotocols []string
	// HandshakeTimeout bounds writing the 101 response. Defaults to 5 s.
	HandshakeTimeout time.Duration
	// ReplyField is the top-level JSON field that carries a request's callback id, for
	// Message.Reply. Defaults to "callbackid".
	ReplyField string
	// Hub tracks the clients for heartbeats, lookups and rooms. Defaults to a hub of its own.
	Hub *Hub
	// Logger receives errors and recovered panics. Defaults to slog.Default().
	Logger *slog.Logger
	// Observer, when set, is told of the route's traffic, for metrics.
	Observer Observer
}

// DefaultMaxBytes is the default message size limit, parser.DefaultMaxBytes (256 KiB).
const DefaultMaxBytes = parser.DefaultMaxBytes

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.CompressThreshold <= 0 {
		o.CompressThreshold = 512
	}
	if o.ReadBufferSize <= 0 {
		o.ReadBufferSize = 1 << 10
	}
	if o.WriteBufferSize <= 0 {
		o.WriteBufferSize = 4 << 10
	}
	if o.QueueMessages <= 0 {
		o.QueueMessages = 1024
	}
	if o.QueueBytes <= 0 {
		o.QueueBytes = 4 << 20
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Hub == nil {
		o.Hub = NewHub(HubConfig{})
	}
	if o.ReplyField == "" {
		o.ReplyField = DefaultReplyField
	}
	if o.RateMax > 0 && o.RatePer <= 0 {
		o.RatePer = time.Second
	}
	return o
}

// Upgrader turns HTTP requests into clients, with the options of one route.
// It is safe for concurrent use.
type Upgrader struct {
	opts     Options
	up       *gws.Upgrader
	replyKey []byte // `"<ReplyField>":`, JSON-quoted once for Reply
}

// NewUpgrader returns an Upgrader for o.
func NewUpgrader(o Options) *Upgrader {
	o = o.withDefaults()
	u := &Upgrader{opts: o, replyKey: replyKey(o.ReplyField)}
	u.up = gws.NewUpgrader(events{}, &gws.ServerOption{
		ReadMaxPayloadSize:  o.MaxBytes,
		WriteMaxPayloadSize: math.MaxInt32,
		ReadBufferSize:      o.ReadBufferSize,
		WriteBufferSize:     o.WriteBufferSize,
		CheckUtf8Enabled:    false, // checked here, to close with 1007 rather than gws's 1003
		HandshakeTimeout:    o.HandshakeTimeout,
		SubProtocols:        nil, // chosen per request by upgrade (netconn.go)
		Logger:              gwsLogger{o.Logger},
		NewSession:          func() gws.SessionStorage { return new(session) },
		PermessageDeflate: gws.PermessageDeflate{
			Enabled:   o.Compression,
			Threshold: o.CompressThreshold,
			// gws makes this many compressors per upgrader, that is per route, up front:
			// its default of 32 holds some 17 MB per route. More than one per processor
			// would never run at once.
			PoolSize: runtime.GOMAXPROCS(0),
		},
	})
	return u
}

// Options returns the upgrader's options, with defaults filled in.
func (u *Upgrader) Options() Options { return u.opts }

// Info is what the registry learned about a request before upgrading it.
type Info struct {
	URL string // normalised path: static part lower-cased, parameters' case kept; trailing slash
	// Key is the controller the client is served by, as the hub indexes it ("URL" targets
	// and room scopes): URL, prefixed with "+" or "-" for a route with an auth prefix, so
	// that the two controllers of one URL stay apart. Defaults to URL.
	Key    string
	Params []string // route parameters as name, value pairs
	IP     string   // the client's address, proxies resolved
	User   any      // the authorizer's result
	// AuthData is the data of the registry's authenticate hook (Client.AuthData).
	AuthData any
}

// Upgrade completes the WebSocket handshake on w and returns the new client, which is
// not yet reading: attach it, then call Serve. The handshake must have been checked
// already; on a failure here gws answers with a bare 400 and Upgrade returns the error.
func (u *Upgrader) Upgrade(w http.ResponseWriter, r *http.Request, info Info) (*Client, error) {
	conn, deflate, err := u.upgrade(w, r)
	if err != nil {
		return nil, fmt.Errorf("socket: upgrade: %w", err)
	}
	now := time.Now().UnixNano()
	c := &Client{
		conn:     conn,
		up:       u,
		hub:      u.opts.Hub,
		log:      u.opts.Logger,
		id:       u.opts.Hub.cfg.IDPrefix + newID(),
		url:      info.URL,
		key:      cmp.Or(info.Key, info.URL),
		path:     r.URL.Path,
		params:   info.Params,
		rawQuery: r.URL.RawQuery,
		header:   packHeader(r.Header),
		ip:       info.IP,
		remote:   conn.RemoteAddr(),
		user:     info.User,
		authData: info.AuthData,
		idle:     u.opts.IdleTimeout,
		lastPing: now,
	}
	c.lastRead.Store(now)
	c.written = c.onWritten
	c.drainJob = c.drain
	c.nc = conn.NetConn().(*netConn)
	c.nc.owner = c
	c.zmin = math.MaxInt
	if deflate {
		c.zmin = u.opts.CompressThreshold
	}
	if u.opts.RateMax > 0 {
		c.rate = &bucket{tokens: float64(u.opts.RateMax), at: now}
	}
	conn.Session().(*session).c = c
	c.hub.add(c)
	return c, nil
}

// session is the gws session storage; it carries the *Client so that events find it
// without a map lookup. The storage methods are not used.
type session struct{ c *Client }

func (*session) Len() int                     { return 0 }
func (*session) Load(string) (any, bool)      { return nil, false }
func (*session) Delete(string)                {}
func (*session) Store(string, any)            {}
func (*session) Range(func(string, any) bool) {}
func clientOf(conn *gws.Conn) *Client         { return conn.Session().(*session).c }

type gwsLogger struct{ l *slog.Logger }

func (g gwsLogger) Error(v ...any) { g.l.Error("socket: gws: " + fmt.Sprint(v...)) }

// events adapts gws's callbacks to the client's Handler.
type events struct{}

func (events) OnOpen(conn *gws.Conn) {
	clientOf(conn).open() // a no-op after Start, which ran it already
}

func (events) OnMessage(conn *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	c := clientOf(conn)
	if State(c.state.Load()) >= StateClosing {
		return
	}
	data := msg.Bytes()
	now := time.Now().UnixNano()
	c.lastRead.Store(now)
	o := &c.up.opts
	if len(data) > o.MaxBytes {
		_ = c.Close(StatusMessageTooBig, "message too big")
		return
	}
	binary := msg.Opcode == gws.OpcodeBinary
	if !binary && !utf8.Valid(data) {
		_ = c.Close(StatusInvalidPayload, "invalid utf-8")
		return
	}
	if o.RateMax > 0 && !c.allow(now) {
		_ = c.Close(StatusPolicyViolation, "rate limit")
		return
	}
	if o.Mode == ModeJSON && !jsonscan.Valid(data) {
		c.reportInvalidJSON(data)
		return
	}
	c.startHandler()
	defer c.endHandler() // runs after recoverHandler, which may queue a close
	if obs := o.Observer; obs != nil {
		obs.Received(len(data))
		defer func(start time.Time) { obs.Handled(time.Since(start)) }(time.Now())
	}
	defer c.recoverHandler()
	c.h.HandleMessage(c, Message{data: data, binary: binary, c: c})
}

func (events) OnPing(conn *gws.Conn, payload []byte) {
	c := clientOf(conn)
	c.pong(payload)
	if ch, ok := c.h.(ControlHandler); ok {
		defer c.recoverHandler()
		ch.HandlePing(c, payload)
	}
}

func (events) OnPong(conn *gws.Conn, payload []byte) {
	c := clientOf(conn)
	if sent := c.pingSent.Swap(0); sent != 0 {
		c.latency.Store(time.Now().UnixNano() - sent)
	}
	if ch, ok := c.h.(ControlHandler); ok {
		defer c.recoverHandler()
		ch.HandlePong(c, payload)
	}
}

func (events) OnClose(conn *gws.Conn, err error) {
	c := clientOf(conn)
	if c.done != nil {
		defer c.done() // gws calls OnClose once, at the end of the read loop
	}
	failure := c.nc.closeFor(err)
	ev := c.closeEvent(err)
	after := c.finish()
	if obs := c.up.opts.Observer; obs != nil {
		obs.Closed(ev.Code)
	}
	if ce := c.nc.connErr.Load(); ce != nil {
		c.reportError(ce)
	} else if failure != nil {
		c.reportError(&ConnError{Op: "read", Code: failure.Code, Err: errors.New(failure.Reason)})
	}
	func() {
		defer c.recoverHandler()
		c.h.HandleClose(c, ev)
	}()
	for _, fn := range after {
		func() {
			defer c.recoverHandler()
			fn()
		}()
	}
}

// closeEvent works out how the connection ended.
func (c *Client) closeEvent(err error) CloseEvent {
	c.mu.Lock()
	ours, code, reason := c.closeCode != 0, c.closeCode, c.closeReason
	c.mu.Unlock()
	var ce *gws.CloseError
	if errors.As(err, &ce) && !ours {
		ev := CloseEvent{Code: StatusCode(ce.Code), Reason: string(ce.Reason), ByPeer: true}
		if ev.Code == 0 {
			ev.Code = StatusNoStatus
		}
		return ev
	}
	if ours {
		return CloseEvent{Code: code, Reason: reason}
	}
	// Reading failed: closeFor wrote the close frame of the failure, if there was one.
	if ev := c.nc.failed.Load(); ev != nil {
		return *ev
	}
	return CloseEvent{Code: StatusAbnormal, Err: err}
}

func (c *Client) reportInvalidJSON(data []byte) {
	var v any
	err := json.Unmarshal(data, &v)
	e := &InvalidJSONError{Size: len(data), Err: err}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		e.Offset = se.Offset
	}
	c.reportError(e)
}

// reportError passes err to the error handler; a panic there is logged and dropped.
func (c *Client) reportError(err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("socket: error handler panicked", "client", c.id, "url", c.url, "panic", r)
		}
	}()
	c.h.HandleError(c, err)
}

// recoverHandler turns a panic in a handler into an error event and a close with
// StatusInternalError; the server and the other clients go on.
func (c *Client) recoverHandler() {
	r := recover()
	if r == nil {
		return
	}
	stack := debug.Stack()
	c.log.Error("socket: handler panicked", "client", c.id, "url", c.url, "panic", r, "stack", string(stack))
	_ = c.Close(StatusInternalError, "internal error")
	defer func() { _ = recover() }() // a panicking error handler changes nothing
	c.h.HandleError(c, &PanicError{Value: r, Stack: stack})
}

// allow takes a token from the client's rate bucket. It runs on the read goroutine only.
func (c *Client) allow(now int64) bool {
	o := &c.up.opts
	perToken := float64(o.RatePer) / float64(o.RateMax)
	b := c.rate
	b.tokens += float64(now-b.at) / perToken
	b.at = now
	if b.tokens > float64(o.RateMax) {
		b.tokens = float64(o.RateMax)
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
