package peer

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/wire"
)

// State is a client's ready state, numbered as the browser's WebSocket.readyState.
type State int32

// The ready states.
const (
	StateConnecting State = iota // upgraded, open handler not yet run
	StateOpen                    // open handler run; messages flow
	StateClosing                 // a close has started; sends fail with ErrClosed
	StateClosed                  // the connection is gone; the close handler runs in this state
)

// String returns "connecting", "open", "closing" or "closed".
func (s State) String() string {
	return [...]string{"connecting", "open", "closing", "closed"}[s&3]
}

// Handler receives a client's events. The registry's controllers implement it.
// Calls for one client come one at a time, in order, on the client's read goroutine.
type Handler interface {
	HandleOpen(c *Client)
	HandleMessage(c *Client, m Message)
	HandleError(c *Client, err error)
	HandleClose(c *Client, e CloseEvent)
}

// ControlHandler is implemented by a Handler that also wants ping and pong frames.
type ControlHandler interface {
	HandlePing(c *Client, payload []byte)
	HandlePong(c *Client, payload []byte)
}

// Client is one WebSocket connection.
//
// All methods of Client are safe for concurrent use. Sends never block on the network:
// they go to a bounded outgoing queue (see Options.QueueMessages) written in order by
// one writer at a time.
type Client struct {
	conn *gws.Conn
	up   *Upgrader
	hub  *Hub
	h    Handler
	log  *slog.Logger

	id       string
	url      string
	key      string // the hub's key of the client's controller (Info.Key)
	path     string
	params   []string // name, value, name, value, ...
	rawQuery string
	header   string // packed (header.go); Header unpacks it once
	ip       string
	remote   net.Addr
	user     any
	authData any
	idle     time.Duration

	queryOnce sync.Once
	query     url.Values

	headerMap atomic.Pointer[http.Header] // unpacked from header on first use

	done func() // called when the read loop ends (Start)

	state   atomic.Int32
	started atomic.Bool // Start or Serve ran

	// mu guards the fields below it. Lock order: controller, then client; never call
	// user code or write to the network while holding it.
	mu          sync.Mutex
	q           ring
	qBytes      int
	peakMsgs    int32 // the most messages and bytes ever queued at once (QueuePeak)
	peakBytes   int32
	inflight    bool
	reading     bool // a message handler runs: what is sent waits for it (endHandler)
	closing     bool
	closeCode   StatusCode
	closeReason string
	ctx         context.Context
	cancel      context.CancelFunc
	data        map[string]any
	onClose     []*closeHook
	onCloseDead int // hooks in onClose unregistered since the last compaction

	nc            *netConn
	zmin          int         // payloads this large or larger are compressed; MaxInt: no permessage-deflate
	drainJob      func()      // c.drain, bound once
	written       func(error) // c.onWritten, bound once
	inflightSince atomic.Int64
	dropped       atomic.Uint64

	lastPing int64        // the sweeper's own
	pingSent atomic.Int64 // when the unanswered ping went out; 0 when none is pending
	latency  atomic.Int64
	lastRead atomic.Int64

	rate *bucket // the rate limit's token bucket, nil without one; read goroutine only
}

// bucket is a client's token bucket (Options.RateMax per Options.RatePer).
type bucket struct {
	tokens float64
	at     int64
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ID is the client's identifier: 16 characters from 96 random bits, unique and unguessable.
func (c *Client) ID() string { return c.id }

// URL is the normalised request path the client connected to: static segments
// lower-cased, parameter values with their case kept and canonically percent-escaped,
// slashes collapsed, with a trailing slash ("/chat/Room1/").
func (c *Client) URL() string { return c.url }

// Path is the request path as the client sent it.
func (c *Client) Path() string { return c.path }

// Param returns the value of the route parameter name, percent-decoded, with its case
// kept, or "" when the route has no such parameter.
func (c *Client) Param(name string) string {
	for i := 0; i+1 < len(c.params); i += 2 {
		if c.params[i] == name {
			return c.params[i+1]
		}
	}
	return ""
}

// Params returns the route parameters as name, value pairs in route order.
// The slice must not be modified.
func (c *Client) Params() []string { return c.params }

// Query returns the first value of the query parameter name.
func (c *Client) Query(name string) string {
	c.queryOnce.Do(func() { c.query, _ = url.ParseQuery(c.rawQuery) })
	return c.query.Get(name)
}

// Header returns the handshake request's headers, but for Sec-WebSocket-Key, -Version
// and -Extensions, which only the handshake reads. It must not be modified.
func (c *Client) Header() http.Header {
	if h := c.headerMap.Load(); h != nil {
		return *h
	}
	h := unpackHeader(c.header)
	if !c.headerMap.CompareAndSwap(nil, &h) {
		return *c.headerMap.Load() // another goroutine unpacked it first: one map for all
	}
	return h
}

// IP is the client's address: the socket's remote IP, or the first untrusted address of
// X-Forwarded-For when the request came through a proxy the registry trusts.
func (c *Client) IP() string { return c.ip }

// RemoteAddr is the network address of the connection's peer.
func (c *Client) RemoteAddr() net.Addr { return c.remote }

// User is what the registry's authorizer returned for this client, or nil.
func (c *Client) User() any { return c.user }

// AuthData is the data the registry's authenticate hook returned for this client, or nil.
func (c *Client) AuthData() any { return c.authData }

// Mode is the route's message mode.
func (c *Client) Mode() Mode { return c.up.opts.Mode }

// Subprotocol is the subprotocol chosen in the handshake, or "".
func (c *Client) Subprotocol() string {
	return c.nc.proto
}

// State is the client's ready state.
func (c *Client) State() State { return State(c.state.Load()) }

// Latency is the round trip of the last answered ping, or 0 before the first pong.
func (c *Client) Latency() time.Duration { return time.Duration(c.latency.Load()) }

// Dropped counts the messages this client's overflow policy has dropped.
func (c *Client) Dropped() uint64 { return c.dropped.Load() }

// Send encodes v by the route's mode and queues it for this client. It returns an error
// when the mode cannot encode v, when the client is closing (ErrClosed), or when the
// overflow policy refused it (ErrQueueFull, ErrSlowConsumer). The encoding table is in
// the package documentation. Bytes passed in v ([]byte, json.RawMessage, Binary) are
// copied: the caller may reuse them once Send returns, and a handler may pass on the
// bytes of the message it handles (Message.Bytes) as they are.
func (c *Client) Send(v any) error {
	op, data, err := encode(c.up.opts.Mode, v)
	if err != nil {
		return err
	}
	it := outItem{op: op, data: data}
	it.ownPayload(v)
	return c.enqueue(it)
}

// SendBinary queues data as a binary frame, whatever the route's mode. data is copied, as
// by Send.
func (c *Client) SendBinary(data []byte) error {
	it := outItem{op: gws.OpcodeBinary, data: data}
	it.ownPayload(data)
	return c.enqueue(it)
}

// SendPrepared queues a message encoded once by Prepare.
func (c *Client) SendPrepared(p *Prepared) error {
	return c.enqueue(outItem{prep: p})
}

// Close starts the close handshake: messages already queued are written first, then a
// close frame with code and reason (cut to 123 bytes), then the connection is closed.
// Later sends fail with ErrClosed. Closing twice returns ErrClosed.
func (c *Client) Close(code StatusCode, reason string) error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	handNow, it := c.startCloseLocked(code, reason)
	c.mu.Unlock()
	if handNow {
		c.handOff(it)
	}
	return nil
}

// Ping sends a ping frame now. Its pong updates Latency.
func (c *Client) Ping() error {
	if c.isClosing() {
		return ErrClosed
	}
	c.pingSent.CompareAndSwap(0, time.Now().UnixNano())
	c.nc.want(wire.OpPing, nil)
	c.kick()
	return nil
}

func (c *Client) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// Context returns a context cancelled when the client closes.
func (c *Client) Context() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithCancel(context.Background())
		if c.State() == StateClosed {
			c.cancel()
		}
	}
	return c.ctx
}

// Set stores value under key in the client's data store.
func (c *Client) Set(key string, value any) {
	c.mu.Lock()
	if c.data == nil {
		c.data = make(map[string]any)
	}
	c.data[key] = value
	c.mu.Unlock()
}

// Get returns the value stored under key and whether there was one.
func (c *Client) Get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.data[key]
	return v, ok
}

// Delete removes key from the client's data store.
func (c *Client) Delete(key string) {
	c.mu.Lock()
	delete(c.data, key)
	c.mu.Unlock()
}

// closeHook is one AfterClose registration; fn is nil once unregistered.
type closeHook struct{ fn func() }

// AfterClose registers fn to run once the client has closed, after the close handler.
// If the client is already closed, fn runs at once. It returns a function that
// unregisters fn; once the close has begun running the callbacks, unregistering no
// longer stops fn. Unregistered callbacks are forgotten, so a long-lived client may
// register and unregister any number of them.
func (c *Client) AfterClose(fn func()) (stop func()) {
	c.mu.Lock()
	if c.State() == StateClosed {
		c.mu.Unlock()
		fn()
		return func() {}
	}
	h := &closeHook{fn: fn}
	c.onClose = append(c.onClose, h)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if h.fn == nil || c.onClose == nil {
			return
		}
		h.fn = nil
		c.onCloseDead++
		if c.onCloseDead >= 16 && 2*c.onCloseDead >= len(c.onClose) {
			c.onClose = slices.DeleteFunc(c.onClose, func(h *closeHook) bool { return h.fn == nil })
			c.onCloseDead = 0
		}
	}
}

// Serve runs the client's read loop with h until the connection ends. The registry calls
// it on its own goroutine, after attaching the client to a controller.
func (c *Client) Serve(h Handler) {
	c.mustStartOnce()
	c.h = h
	c.hub.idx.Bind(c, c.key)
	c.conn.ReadLoop()
}

// Start runs h's open handler on the calling goroutine, then the client's read loop on a
// new goroutine, and returns; done, if not nil, is called once the loop has ended, after
// the close handler. It is Serve for a caller that has a goroutine to lend for the open
// handler (the registry's, which answered the handshake): the read goroutine then starts
// right in the read loop with a minimal stack, which an idle connection keeps. Messages
// are read only once the open handler has returned.
func (c *Client) Start(h Handler, done func()) {
	c.mustStartOnce()
	c.h = h
	c.done = done
	c.hub.idx.Bind(c, c.key)
	c.open()
	go c.conn.ReadLoop()
}

// mustStartOnce panics on a second Start or Serve: a second read loop on one connection
// would interleave its frames with the first's. The registry starts every client.
func (c *Client) mustStartOnce() {
	if !c.started.CompareAndSwap(false, true) {
		panic("socket: client " + c.id + " already started")
	}
}

// open runs the open handler, once, unless the client is closing already.
func (c *Client) open() {
	if !c.state.CompareAndSwap(int32(StateConnecting), int32(StateOpen)) {
		return
	}
	defer c.recoverHandler()
	c.h.HandleOpen(c)
}

// Reject closes a client that was upgraded but will not be served (the route refused
// it after the upgrade, for example on a failed auth or CSRF check): it writes the close
// frame and cuts the connection, without running any handler. AfterClose callbacks run,
// before the close frame is written.
func (c *Client) Reject(code StatusCode, reason string) {
	c.mu.Lock()
	c.closing = true
	c.closeCode, c.closeReason = code, reason
	c.mu.Unlock()
	// Finish first, so that a peer that has read the close frame finds the client gone
	// (out of the hub, its AfterClose callbacks run).
	for _, fn := range c.finish() {
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.log.Error("socket: after-close callback panicked", "client", c.id, "panic", r)
				}
			}()
			fn()
		}()
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(closeGrace))
	_ = c.nc.writeClose(code, reason)
	_ = c.nc.Conn.Close() // no read loop runs: nothing will end the half-closed connection
}

// finish marks the client closed, drops what is queued, cancels its context and removes
// it from the hub. It returns the after-close callbacks to run.
func (c *Client) finish() []func() {
	c.state.Store(int32(StateClosed))
	c.mu.Lock()
	c.closing = true
	dropped := c.q.drain()
	c.qBytes = 0
	cancel := c.cancel
	after := make([]func(), 0, len(c.onClose))
	for _, h := range c.onClose {
		if h.fn != nil {
			after = append(after, h.fn)
		}
	}
	c.onClose, c.onCloseDead = nil, 0
	c.mu.Unlock()
	releaseAll(dropped)
	if b := c.nc.takeCork(); b != nil {
		putCork(b) // the connection is gone: replies not yet written are dropped
	}
	if cancel != nil {
		cancel()
	}
	if c.hub != nil {
		c.hub.remove(c)
	}
	return after
}
