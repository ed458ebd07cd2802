package endpoint

import (
	"cmp"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsroute/wsroute/internal/peer"
)

// ErrDestroyed is returned by sends on a destroyed controller.
var ErrDestroyed = errors.New("controller: destroyed")

// DefaultAutoDestroyDelay is how long an empty controller with AutoDestroy waits before
// it is destroyed: 5 s.
const DefaultAutoDestroyDelay = 5 * time.Second

// Config is what the registry tells a new controller.
type Config struct {
	URL    string    // the normalised concrete URL, e.g. "/chat/room1/"
	Key    string    // how the hub indexes this controller's clients (peer.Info.Key); defaults to URL
	Params []string  // the first client's route parameters, as name, value pairs
	Route  string    // the route's canonical string
	Mode   peer.Mode // the route's message mode
	// AutoDestroyDelay is the grace period of AutoDestroy. Defaults to 5 s.
	AutoDestroyDelay time.Duration
	// TypeField is the JSON field that On dispatches on. Defaults to "type".
	TypeField string
	// Hub holds the room index that To reads and that every send goes through (the
	// registry's hub). Without one, the controller sends to its own clients.
	Hub *peer.Hub
	// RemoteOnline, in a cluster, counts the clients of a URL on the other nodes.
	RemoteOnline func(key string) int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Destroyed is called once after the controller is destroyed, so that the registry
	// can forget it.
	Destroyed func(*Endpoint)
}

// Endpoint is the implementation of controller.Controller: the clients of one route at one
// concrete URL, the handlers set up for them, and the ways to reach them.
//
// All methods of Endpoint are safe for concurrent use. Handlers for one client run one
// at a time, in order; handlers for different clients run concurrently and must not
// block for long. Handlers are set in the setup function only.
type Endpoint struct {
	url       string
	key       string               // the hub's key of this controller (Config.Key)
	remote    func(key string) int // Config.RemoteOnline
	params    []string
	route     string
	mode      peer.Mode
	delay     time.Duration
	typeField string
	log       *slog.Logger
	destroyFn func(*Endpoint)

	setupOnce sync.Once
	sealed    atomic.Bool

	// The handlers: written during setup only, read-only afterwards.
	onOpen    []func(*peer.Client)
	onMessage []func(*peer.Client, peer.Message)
	onClose   []func(*peer.Client, peer.CloseEvent)
	onError   []func(*peer.Client, error)
	onPing    []func(*peer.Client, []byte)
	onPong    []func(*peer.Client, []byte)
	onDestroy []func()
	typed     map[string][]func(*peer.Client, peer.Message)

	// mu guards the fields below. Lock order: registry, controller, client. Never held
	// while calling user code or sending.
	mu          sync.RWMutex
	clients     map[string]*peer.Client
	hub         *peer.Hub
	destroyed   bool
	autoDestroy bool
	autoFns     []func()
	timer       *time.Timer
	timerGen    uint64
}

// New returns a controller for cfg. The registry calls it when a concrete URL gets its
// first client, then Setup, Join and Serve.
func New(cfg Config) *Endpoint {
	if cfg.AutoDestroyDelay <= 0 {
		cfg.AutoDestroyDelay = DefaultAutoDestroyDelay
	}
	if cfg.TypeField == "" {
		cfg.TypeField = "type"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Endpoint{
		url:       cfg.URL,
		key:       cmp.Or(cfg.Key, cfg.URL),
		remote:    cfg.RemoteOnline,
		params:    cfg.Params,
		route:     cfg.Route,
		mode:      cfg.Mode,
		delay:     cfg.AutoDestroyDelay,
		typeField: cfg.TypeField,
		log:       cfg.Logger.With("url", cfg.URL),
		destroyFn: cfg.Destroyed,
		clients:   make(map[string]*peer.Client),
		hub:       cfg.Hub,
	}
}

// Setup runs fn once, however many goroutines call it; the others wait until it has
// returned. Handlers can be set only while fn runs.
func (ctl *Endpoint) Setup(fn func(*Endpoint)) {
	ctl.setupOnce.Do(func() {
		defer ctl.sealed.Store(true)
		if fn != nil {
			fn(ctl)
		}
	})
}

func (ctl *Endpoint) mustBeInSetup(name string) {
	if ctl.sealed.Load() {
		panic("controller: " + name + " called after setup")
	}
}

// OnOpen adds a handler run when a client has connected. The client is already counted
// in Online and reachable by Send.
func (ctl *Endpoint) OnOpen(fn func(c *peer.Client)) {
	ctl.mustBeInSetup("OnOpen")
	ctl.onOpen = append(ctl.onOpen, fn)
}

// OnMessage adds a handler for every message that no On handler took. On a @json route
// only valid JSON reaches it; invalid JSON goes to the error handlers as a
// *peer.InvalidJSONError.
func (ctl *Endpoint) OnMessage(fn func(c *peer.Client, m peer.Message)) {
	ctl.mustBeInSetup("OnMessage")
	ctl.onMessage = append(ctl.onMessage, fn)
}

// On adds a handler for JSON messages whose type field (Config.TypeField, "type" by
// default) equals typ. Messages it takes do not reach
// OnMessage. It panics if typ is empty: a message without a type goes to OnMessage.
func (ctl *Endpoint) On(typ string, fn func(c *peer.Client, m peer.Message)) {
	ctl.mustBeInSetup("On")
	if typ == "" {
		panic("controller: On needs a non-empty type")
	}
	if ctl.typed == nil {
		ctl.typed = make(map[string][]func(*peer.Client, peer.Message))
	}
	ctl.typed[typ] = append(ctl.typed[typ], fn)
}

// OnClose adds a handler run when a client has gone. The client no longer counts in
// Online.
func (ctl *Endpoint) OnClose(fn func(c *peer.Client, e peer.CloseEvent)) {
	ctl.mustBeInSetup("OnClose")
	ctl.onClose = append(ctl.onClose, fn)
}

// OnError adds a handler for errors that do not end the connection: invalid JSON, and
// recovered handler panics (*peer.PanicError, after which the client is closed with
// 1011). Without an error handler these are logged.
func (ctl *Endpoint) OnError(fn func(c *peer.Client, err error)) {
	ctl.mustBeInSetup("OnError")
	ctl.onError = append(ctl.onError, fn)
}

// OnPing adds a handler for ping frames from clients (the pong is sent regardless).
func (ctl *Endpoint) OnPing(fn func(c *peer.Client, payload []byte)) {
	ctl.mustBeInSetup("OnPing")
	ctl.onPing = append(ctl.onPing, fn)
}

// OnPong adds a handler for pong frames from clients.
func (ctl *Endpoint) OnPong(fn func(c *peer.Client, payload []byte)) {
	ctl.mustBeInSetup("OnPong")
	ctl.onPong = append(ctl.onPong, fn)
}

// OnDestroy adds a handler run once when the controller is destroyed.
func (ctl *Endpoint) OnDestroy(fn func()) {
	ctl.mustBeInSetup("OnDestroy")
	ctl.onDestroy = append(ctl.onDestroy, fn)
}

// URL is the normalised concrete URL: the route's static segments lower-cased, the
// parameter values with their case kept and canonically percent-escaped, each followed by
// a slash ("/chat/Room1/").
func (ctl *Endpoint) URL() string { return ctl.url }

// Route is the canonical string of the route the controller serves.
func (ctl *Endpoint) Route() string { return ctl.route }

// Mode is the route's message mode.
func (ctl *Endpoint) Mode() peer.Mode { return ctl.mode }

// Param returns the route parameter name as the controller's first client sent it
// (case kept, percent-decoded), or "".
func (ctl *Endpoint) Param(name string) string {
	for i := 0; i+1 < len(ctl.params); i += 2 {
		if ctl.params[i] == name {
			return ctl.params[i+1]
		}
	}
	return ""
}

// Online is the number of connected clients.
func (ctl *Endpoint) Online() int {
	ctl.mu.RLock()
	defer ctl.mu.RUnlock()
	return len(ctl.clients)
}

// ClusterOnline is the number of clients of this controller's URL on every live node of
// the registry's cluster, from the nodes' last heartbeats; Online counts this node's only.
// Without a cluster it is Online.
func (ctl *Endpoint) ClusterOnline() int {
	n := ctl.Online()
	if ctl.remote != nil {
		n += ctl.remote(ctl.key)
	}
	return n
}

// Clients returns a snapshot of the connected clients, in no particular order.
func (ctl *Endpoint) Clients() []*peer.Client {
	return ctl.snapshot(nil)
}

func (ctl *Endpoint) snapshot(dst []*peer.Client) []*peer.Client {
	ctl.mu.RLock()
	defer ctl.mu.RUnlock()
	for _, c := range ctl.clients {
		dst = append(dst, c)
	}
	return dst
}

// Client returns the connected client with the given id, or nil.
func (ctl *Endpoint) Client(id string) *peer.Client {
	ctl.mu.RLock()
	defer ctl.mu.RUnlock()
	return ctl.clients[id]
}

// Find returns a connected client for which match returns true, or nil.
func (ctl *Endpoint) Find(match func(c *peer.Client) bool) *peer.Client {
	buf := getBuf()
	defer putBuf(buf)
	*buf = ctl.snapshot(*buf)
	for _, c := range *buf {
		if match(c) {
			return c
		}
	}
	return nil
}

// Destroyed reports whether the controller has been destroyed.
func (ctl *Endpoint) Destroyed() bool {
	ctl.mu.RLock()
	defer ctl.mu.RUnlock()
	return ctl.destroyed
}

// Close closes every connected client with code and reason. The controller lives on.
func (ctl *Endpoint) Close(code peer.StatusCode, reason string) {
	for _, c := range ctl.Clients() {
		_ = c.Close(code, reason)
	}
}

// Destroy closes every client with StatusNormalClosure, runs the OnDestroy handlers and
// removes the controller from its registry; the next client of the URL gets a new one,
// set up afresh. Destroying twice does nothing.
func (ctl *Endpoint) Destroy() {
	ctl.mu.Lock()
	if ctl.destroyed {
		ctl.mu.Unlock()
		return
	}
	ctl.destroyed = true
	ctl.stopTimerLocked()
	ctl.mu.Unlock()
	ctl.finishDestroy(nil)
}

func (ctl *Endpoint) finishDestroy(autoFns []func()) {
	for _, fn := range autoFns {
		ctl.safely(fn)
	}
	for _, fn := range ctl.onDestroy {
		ctl.safely(fn)
	}
	if ctl.destroyFn != nil {
		ctl.destroyFn(ctl)
	}
	ctl.Close(peer.StatusNormalClosure, "")
	ctl.log.Debug("controller destroyed")
}

func (ctl *Endpoint) safely(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			ctl.log.Error("controller: destroy handler panicked", "panic", r)
		}
	}()
	fn()
}

// Join adds c to the controller. It returns false if the controller was destroyed
// meanwhile; the registry then makes a new one. A pending autodestroy is cancelled.
func (ctl *Endpoint) Join(c *peer.Client) bool {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	if ctl.destroyed {
		return false
	}
	ctl.clients[c.ID()] = c
	ctl.stopTimerLocked()
	return true
}

// Serve runs c's read loop with the controller's handlers until c closes. The registry
// calls it on the client's own goroutine, after Join.
func (ctl *Endpoint) Serve(c *peer.Client) {
	c.Serve((*handler)(ctl))
}

// Start runs c's open handlers on the calling goroutine, then c's read loop on a goroutine
// of its own (peer.Client.Start), and returns; done, if not nil, is called once the loop
// has ended. The registry calls it after Join, on the goroutine that answered the
// handshake.
func (ctl *Endpoint) Start(c *peer.Client, done func()) {
	c.Start((*handler)(ctl), done)
}

// leave removes c and starts the autodestroy timer when the controller empties.
func (ctl *Endpoint) leave(c *peer.Client) {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	if ctl.clients[c.ID()] != c {
		return
	}
	delete(ctl.clients, c.ID())
	if len(ctl.clients) == 0 && ctl.autoDestroy && !ctl.destroyed {
		ctl.startTimerLocked()
	}
}
