package route

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/endpoint"
	"github.com/wsroute/wsroute/internal/handshake"
	"github.com/wsroute/wsroute/internal/hub"
	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/parser"
	"github.com/wsroute/wsroute/socket"
)

// ErrConflict is wrapped by the error of a route that matches the same requests as one
// already registered (same path pattern, same auth prefix).
var ErrConflict = errors.New("route: conflict")

// ErrNoAuthorizer is wrapped by the error of a "+" or "-" route registered on a registry
// without Config.Authorize: without one the prefix could not be enforced.
var ErrNoAuthorizer = errors.New("route: auth prefix without Config.Authorize")

// ErrShutdown is returned by Register after Shutdown.
var ErrShutdown = errors.New("route: registry shut down")

// entry is one registered route.
type entry struct {
	spec   parser.Spec
	str    string // canonical
	shape  string // the path with parameter names erased, for conflicts
	setup  func(*controller.Controller)
	site   string // file:line of the registration
	up     *peer.Upgrader
	idx    int
	log    *slog.Logger
	params []string // parameter names in order
	wild   bool     // the path ends with "*"
	key    string   // the controller key of a route without parameters or wildcard
}

// hubKey names e's controller at url, as Controllers does and as the hub indexes its
// clients: the URL, prefixed with "+" or "-" for a route with an auth prefix, so that the
// two controllers of one URL (a "+" and a "-" route) reach only their own clients. It is
// the same on every node of a cluster.
func (e *entry) hubKey(url string) string {
	switch e.spec.Auth {
	case parser.AuthAuthorized:
		return "+" + url
	case parser.AuthUnauthorized:
		return "-" + url
	}
	return url
}

// ctlKey identifies a controller: one per route and concrete URL.
type ctlKey struct {
	route int
	url   string
}

// Registry holds routes and their controllers and serves them over HTTP. It is an
// http.Handler: mount it on a server, a ServeMux or a router.
//
// All methods of Registry are safe for concurrent use.
type Registry struct {
	cfg     Config
	log     *slog.Logger
	hub     *peer.Hub
	node    *cluster.Node     // nil without Config.Broker (cluster.go)
	proxies handshake.Proxies // Config.TrustedProxies
	origins handshake.Origins // Config.OriginPatterns, Config.InsecureSkipOriginCheck
	csrf    handshake.CSRF    // Config.CSRFKey, Config.CSRFMaxAge
	caps    handshake.Caps    // Config.MaxConnections, Config.MaxConnectionsPerIP

	// mu guards the fields below. Lock order: registry, controller, client.
	mu      sync.RWMutex
	entries []*entry
	root    node
	ctls    map[ctlKey]*endpoint.Endpoint
	mws     map[string]MiddlewareFunc // by name (middleware.go)
	flags   map[string]bool           // declared custom flags, lower-cased

	closing    atomic.Bool
	retryAfter string         // the 503's Retry-After once draining, in seconds
	draining   sync.WaitGroup // the goroutine that paces Drain's closes
	shutOnce   sync.Once
	wg         sync.WaitGroup // one per served client
}

// New returns a Registry configured by cfg. It panics if cfg.TrustedProxies holds
// something that is neither an IP address nor a CIDR prefix.
//
// With cfg.Broker it also joins the cluster, and panics if the broker refuses the node's
// subscriptions.
func New(cfg Config) *Registry {
	cfg = cfg.withDefaults()
	var idPrefix string
	if cfg.Broker != nil {
		if cfg.Cluster.ID == "" {
			cfg.Cluster.ID = cluster.NewNodeID()
		}
		idPrefix = cfg.Cluster.ID + "-"
	}
	r := &Registry{
		cfg: cfg,
		log: cfg.Logger,
		hub: peer.NewHub(peer.HubConfig{
			PingInterval: cfg.PingInterval,
			PongTimeout:  cfg.PongTimeout,
			WriteTimeout: cfg.WriteTimeout,
			Writers:      cfg.Writers,
			IDPrefix:     idPrefix,
		}),
		origins: handshake.Origins{Patterns: cfg.OriginPatterns, SkipCheck: cfg.InsecureSkipOriginCheck},
		csrf:    handshake.CSRF{Key: cfg.CSRFKey, MaxAge: cfg.CSRFMaxAge},
		caps:    handshake.Caps{Max: cfg.MaxConnections, PerIP: cfg.MaxConnectionsPerIP},
		ctls:    make(map[ctlKey]*endpoint.Endpoint),
	}
	proxies, err := handshake.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		panic("route: TrustedProxies: " + err.Error())
	}
	r.proxies = proxies
	if cfg.Broker != nil {
		if err := r.joinCluster(); err != nil {
			panic(err)
		}
	}
	return r
}

// ROUTE registers setup for the route string and panics if that fails; the panic value
// is an error naming the caller's file and line. The all-caps name breaks Go's naming
// habit on purpose, so that the line reads as it does in Total.js.
func (r *Registry) ROUTE(route string, setup func(ctl *controller.Controller), opts ...Option) {
	if err := r.register(route, setup, callerSite(1), opts); err != nil {
		panic(err)
	}
}

// Register registers setup for the route string. setup runs once when a concrete URL of
// the route gets its first client, and again after that controller is destroyed. The
// error wraps a *parser.Error for a malformed route, ErrConflict, ErrNoAuthorizer,
// ErrNoCSRFKey or ErrShutdown; it names the caller's file and line.
func (r *Registry) Register(route string, setup func(ctl *controller.Controller), opts ...Option) error {
	return r.register(route, setup, callerSite(1), opts)
}

func callerSite(skip int) string {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		return "unknown"
	}
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

func (r *Registry) register(route string, setup func(*controller.Controller), site string, options []Option) error {
	if r.closing.Load() {
		return ErrShutdown
	}
	var ro routeOptions
	for _, o := range options {
		o(&ro)
	}
	subprotocols := r.cfg.Subprotocols
	if ro.subprotocols != nil {
		subprotocols = ro.subprotocols
	}
	subprotocols, err := serverSubprotocols(subprotocols)
	if err != nil {
		return fmt.Errorf("route: %s: %w", site, err)
	}
	spec, err := parser.ParseWith(route, r.parseOptions())
	if err != nil {
		return fmt.Errorf("route: %s: %w", site, err)
	}
	if spec.Auth != parser.AuthAny && r.cfg.Authorize == nil {
		return fmt.Errorf("route: %s: %w", site, &parser.Error{Route: route, Offset: 0, Err: ErrNoAuthorizer})
	}
	if spec.CSRF && (len(r.cfg.CSRFKey) == 0 || r.cfg.CSRFSession == nil) {
		return fmt.Errorf("route: %s: %w", site, &parser.Error{Route: route, Offset: strings.Index(strings.ToLower(route), "@csrf"), Err: ErrNoCSRFKey})
	}
	e := &entry{spec: spec, str: spec.String(), shape: shape(spec), setup: setup, site: site, params: spec.Params()}
	e.wild = len(spec.Segments) > 0 && spec.Segments[len(spec.Segments)-1].Kind == parser.Wildcard
	if len(e.params) == 0 && !e.wild {
		e.key = spec.Path()
	}
	e.log = r.log.With("route", e.str)
	opts := peer.Options{
		Mode:              spec.Mode,
		MaxBytes:          int(spec.MaxBytes),
		IdleTimeout:       spec.IdleTimeout,
		Compression:       !r.cfg.DisableCompression,
		CompressThreshold: r.cfg.CompressThreshold,
		ReadBufferSize:    r.cfg.ReadBufferSize,
		WriteBufferSize:   r.cfg.WriteBufferSize,
		QueueMessages:     r.cfg.QueueMessages,
		QueueBytes:        r.cfg.QueueBytes,
		Overflow:          r.cfg.Overflow,
		ReplyField:        r.cfg.ReplyField,
		Hub:               r.hub,
		Logger:            e.log,
		Subprotocols:      subprotocols,
	}
	if r.cfg.Observer != nil {
		opts.Observer = &routeObserver{o: r.cfg.Observer, route: e.str}
	}
	if spec.Rate != nil {
		opts.RateMax, opts.RatePer = spec.Rate.Max, spec.Rate.Per
	} else if r.cfg.DefaultRate.Max > 0 {
		opts.RateMax, opts.RatePer = r.cfg.DefaultRate.Max, r.cfg.DefaultRate.Per
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.entries {
		if o.shape == e.shape && o.spec.Auth == e.spec.Auth {
			return fmt.Errorf("%w: %s: %q matches the same requests as %q registered at %s",
				ErrConflict, site, e.str, o.str, o.site)
		}
	}
	e.up = peer.NewUpgrader(opts)
	e.idx = len(r.entries)
	r.entries = append(r.entries, e)
	r.root.insert(e)
	return nil
}

// shape is the path of spec with parameter names erased: two routes with the same shape
// match the same requests.
func shape(spec parser.Spec) string {
	var b strings.Builder
	b.WriteByte('/')
	for _, s := range spec.Segments {
		switch s.Kind {
		case parser.Static:
			b.WriteString(s.Value)
		case parser.Param:
			b.WriteString("{:" + s.Type.String() + "}")
		case parser.Wildcard:
			b.WriteByte('*')
		}
		b.WriteByte('/')
	}
	return b.String()
}

// Routes returns the canonical strings of the registered routes, sorted.
func (r *Registry) Routes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.entries))
	for _, e := range r.entries {
		out = append(out, e.str)
	}
	sort.Strings(out)
	return out
}

// controllerFor returns the live controller of e at url, creating and setting it up
// when there is none, and joins c to it.
func (r *Registry) controllerFor(e *entry, url string, params []string, c *peer.Client) *endpoint.Endpoint {
	key := ctlKey{route: e.idx, url: url}
	for {
		r.mu.Lock()
		ctl := r.ctls[key]
		if ctl == nil {
			ctl = endpoint.New(endpoint.Config{
				URL:              url,
				Key:              e.hubKey(url),
				Params:           params,
				Route:            e.str,
				Mode:             c.Mode(),
				AutoDestroyDelay: r.cfg.AutoDestroyDelay,
				TypeField:        r.cfg.TypeField,
				Hub:              r.hub,
				RemoteOnline:     r.clusterURLOnline,
				Logger:           e.log,
				Destroyed:        func(ctl *endpoint.Endpoint) { r.forget(key, ctl) },
			})
			r.ctls[key] = ctl
		}
		r.mu.Unlock()
		r.setup(ctl, key, e) // runs once; other callers wait for it
		if ctl.Join(c) {
			return ctl
		}
		r.forget(key, ctl) // destroyed meanwhile: make a fresh one
	}
}

func (r *Registry) forget(key ctlKey, ctl *endpoint.Endpoint) {
	r.mu.Lock()
	if r.ctls[key] == ctl {
		delete(r.ctls, key)
	}
	r.mu.Unlock()
}

// Controllers returns the live controllers keyed by their URL. When routes of
// different auth prefixes share a URL, the key is prefixed with the auth ("+" or "-").
func (r *Registry) Controllers() map[string]*controller.Controller {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]*controller.Controller, len(r.ctls))
	for k, ctl := range r.ctls {
		out[r.entries[k.route].hubKey(k.url)] = (*controller.Controller)(ctl)
	}
	return out
}

// Controller returns the live controller of the concrete URL path, matched as a request
// is (so "/Chat/%41/" finds the controller of "/chat/A/" on "/chat/{room}/"), or nil. When
// several routes match the path and have a controller there (a "+" and a "-" route, or a
// static and a parameter route), it returns the one of the route registered first;
// Controllers tells them apart.
func (r *Registry) Controller(path string) *controller.Controller {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var (
		st   matchState
		best *controller.Controller
		idx  int
	)
	for k := 0; ; k++ {
		entries := r.lookupNth(path, k, &st)
		if entries == nil {
			return best
		}
		for _, e := range entries {
			_, key, ok := e.bind(&st)
			if !ok {
				continue
			}
			r.mu.RLock()
			ctl := r.ctls[ctlKey{route: e.idx, url: key}]
			r.mu.RUnlock()
			if ctl != nil && (best == nil || e.idx < idx) {
				best, idx = (*controller.Controller)(ctl), e.idx
			}
		}
	}
}

// Online is the number of connected clients on all routes.
func (r *Registry) Online() int { return r.hub.Len() }

// Client returns the connected client with the given id, on any route, or nil.
func (r *Registry) Client(id string) *socket.Client { return (*socket.Client)(r.hub.Get(id)) }

// Clients returns a snapshot of every connected client.
func (r *Registry) Clients() []*socket.Client { return endpoint.Users(r.hub.Clients(nil)) }

// SendTo sends v to the client with the given id, encoded by its route's mode. In a
// cluster, a client of another node gets v through the broker, encoded as on a @json
// route, from its node only. It returns socket.ErrClosed when there is no such client
// (on this node, or, in a cluster, no live node its id names).
func (r *Registry) SendTo(id string, v any) error {
	c := r.hub.Get(id)
	if c == nil {
		return r.sendRemote(id, v)
	}
	return c.Send(v)
}

// Send sends v to every connected client on every route, in a cluster on every node.
// v is encoded once per message mode in use.
func (r *Registry) Send(v any) error {
	return r.hub.Publish(hub.Target{Kind: hub.All}, v, nil)
}

// SendFunc sends v to every connected client on every route for which keep returns true
// (all when keep is nil). keep is a closure, so in a cluster it only reaches this node's
// clients.
func (r *Registry) SendFunc(v any, keep func(c *socket.Client) bool) error {
	return r.hub.Publish(hub.Target{Kind: hub.All}, v, endpoint.PeerKeep(keep))
}

// Broadcast sends v to every connected client on every route except from (nil: to
// everyone), in a cluster on every node: the same verb as Controller.Broadcast and
// Room.Broadcast, over the whole registry.
func (r *Registry) Broadcast(from *socket.Client, v any) error {
	t := hub.Target{Kind: hub.All}
	if from != nil {
		t.Except = []string{from.ID()}
	}
	return r.hub.Publish(t, v, nil)
}

// Shutdown stops the registry: it is Drain with Config.DrainWindow, closing every client
// with 1001 "going away".
//
// http.Server.Shutdown does not know about hijacked connections; hook the registry in:
//
//	srv.RegisterOnShutdown(func() { go reg.Shutdown(ctx) })
func (r *Registry) Shutdown(ctx context.Context) error {
	return r.Drain(ctx, DrainOptions{Window: r.cfg.DrainWindow})
}

// DrainOptions shape Drain.
type DrainOptions struct {
	// Window spreads the closes over this long, so that thousands of clients do not
	// reconnect in the same millisecond. Zero closes them all at once.
	Window time.Duration
	// Restart closes with 1012 "service restart" instead of 1001 "going away": the
	// server is coming back, and the close-code table has clients retry either way.
	Restart bool
	// RetryAfter is the Retry-After of the 503 that handshakes get meanwhile. Defaults
	// to Window plus one second, rounded up to whole seconds.
	RetryAfter time.Duration
}

// Drain stops the registry: new handshakes get HTTP 503 with Retry-After, the
// controllers' timers stop, and every client is closed, spread evenly over o.Window;
// messages already queued for a client are written before its close frame. Drain then
// waits until every client's handlers have returned, or ctx is done, and leaves the
// cluster, if any. It is safe to call more than once, with Shutdown too: the first call's
// options hold, and every call waits.
func (r *Registry) Drain(ctx context.Context, o DrainOptions) error {
	r.shutOnce.Do(func() {
		retry := o.RetryAfter
		if retry <= 0 {
			retry = o.Window + time.Second
		}
		r.mu.Lock() // after this no handshake enters r.wg (see enter)
		r.retryAfter = strconv.Itoa(int((retry + time.Second - 1) / time.Second))
		r.closing.Store(true)
		r.mu.Unlock()
		r.mu.RLock()
		ctls := make([]*endpoint.Endpoint, 0, len(r.ctls))
		for _, ctl := range r.ctls {
			ctls = append(ctls, ctl)
		}
		r.mu.RUnlock()
		for _, ctl := range ctls {
			ctl.StopTimers()
		}
		code, reason := socket.StatusGoingAway, "going away"
		if o.Restart {
			code, reason = socket.StatusServiceRestart, "service restart"
		}
		clients := r.hub.Clients(nil)
		if o.Window <= 0 || len(clients) < 2 {
			for _, c := range clients {
				_ = c.Close(code, reason)
			}
			return
		}
		r.draining.Add(1)
		go func() {
			defer r.draining.Done()
			start := time.Now()
			for i, c := range clients {
				// Client i goes at i/n of the window: an even spread, whatever the count.
				if d := time.Until(start.Add(o.Window * time.Duration(i) / time.Duration(len(clients)))); d > 0 {
					time.Sleep(d)
				}
				_ = c.Close(code, reason)
			}
		}()
	})
	done := make(chan struct{})
	go func() {
		r.draining.Wait()
		r.wg.Wait()
		r.hub.Close()
		if r.node != nil {
			_ = r.node.Close(ctx) // a last heartbeat says this node is leaving
		}
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
