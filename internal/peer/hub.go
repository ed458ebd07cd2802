package peer

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsroute/wsroute/internal/hub"
	"github.com/wsroute/wsroute/internal/wire"
)

// HubConfig configures a Hub's sweeper. The zero value is usable; each comment gives the
// default.
type HubConfig struct {
	// PingInterval is how often each client is pinged. Negative disables pings.
	// Defaults to 30 s.
	PingInterval time.Duration
	// PongTimeout is how long a ping may go unanswered before the client is closed with
	// StatusNormalClosure ("heartbeat timeout"). Defaults to 10 s.
	PongTimeout time.Duration
	// WriteTimeout is how long one write may stall before the client is cut off as a slow
	// consumer (StatusSlowConsumer). Negative disables the check. Defaults to 10 s.
	WriteTimeout time.Duration
	// SweepInterval is how often the sweeper looks at every client: the resolution of the
	// timeouts above. Defaults to 1 s.
	SweepInterval time.Duration
	// Writers is how many goroutines of the hub's writer pool may write at once.
	// Defaults to GOMAXPROCS.
	Writers int
	// IDPrefix starts every client id of the hub: a cluster node's id and a dash, so
	// that ids are unique across the cluster and name their node.
	IDPrefix string
	// OnRoom and OnURL are called when a room, or a URL, gains its first client
	// (first is true) and when it loses its last. They run under the index's lock of
	// that room or URL: they must return quickly and must not call the hub.
	OnRoom, OnURL func(key string, first bool)
}

func (c HubConfig) withDefaults() HubConfig {
	if c.PingInterval == 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.PongTimeout <= 0 {
		c.PongTimeout = 10 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = time.Second
	}
	if c.Writers <= 0 {
		c.Writers = runtime.GOMAXPROCS(0)
	}
	return c
}

// Hub is the set of live clients of a registry, indexed by id, URL and room
// (internal/hub), and the one place every send to more than one client goes through
// (Publish). One sweeper goroutine per hub, running only while the hub has clients,
// sends the heartbeat pings and enforces the pong, idle and write timeouts: there is no
// timer per connection. The hub also owns the registry's writer pool (writers.go).
//
// All methods of Hub are safe for concurrent use.
type Hub struct {
	cfg     HubConfig
	idx     *hub.Index[*Client]
	writers writerPool

	remote atomic.Pointer[func(hub.Target, any, *Encodings)] // SetRemote's

	mu     sync.Mutex    // guards stop, closed: the sweeper's life
	stop   chan struct{} // non-nil while a sweeper runs
	closed bool
	wg     sync.WaitGroup
}

// NewHub returns an empty hub.
func NewHub(cfg HubConfig) *Hub {
	cfg = cfg.withDefaults()
	h := &Hub{cfg: cfg, idx: hub.New[*Client](cfg.OnRoom, cfg.OnURL)}
	h.writers.max = cfg.Writers
	return h
}

// Len is the number of live clients.
func (h *Hub) Len() int { return h.idx.Len() }

// Get returns the client with the given id, or nil.
func (h *Hub) Get(id string) *Client {
	c, _ := h.idx.Get(id)
	return c
}

// Clients appends a snapshot of the live clients to dst and returns it.
func (h *Hub) Clients(dst []*Client) []*Client {
	return h.idx.Collect(hub.Target{Kind: hub.All}, dst)
}

// add registers c, in no URL's set until it is served (bind): a client the route may
// still refuse after the upgrade gets no message sent to its URL.
func (h *Hub) add(c *Client) {
	h.idx.Add(c, "")
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stop == nil && !h.closed {
		stop := make(chan struct{})
		h.stop = stop
		h.wg.Go(func() { h.sweep(stop) })
	}
}

func (h *Hub) remove(c *Client) {
	if !h.idx.Remove(c) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.idx.Len() == 0 && h.stop != nil {
		close(h.stop)
		h.stop = nil
	}
}

// Close stops the sweeper for good and waits for it and for the writer pool.
// Clients are not closed.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	if h.stop != nil {
		close(h.stop)
		h.stop = nil
	}
	h.mu.Unlock()
	h.wg.Wait()
	h.writers.wg.Wait() // the pool's goroutines end once the queues they took are written
}

func (h *Hub) sweep(stop chan struct{}) {
	t := time.NewTicker(h.cfg.SweepInterval)
	defer t.Stop()
	var buf []*Client
	var reported map[Observer]int // the routes' queue depths last reported
	defer func() {
		for obs := range reported {
			obs.QueueDepth(0) // the last client is gone: nothing is queued
		}
	}()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			buf = h.Clients(buf[:0])
			var depths map[Observer]int // per route, for the queue-depth gauge
			for _, c := range buf {
				c.sweep(now.UnixNano(), &h.cfg)
				if obs := c.up.opts.Observer; obs != nil {
					if depths == nil {
						depths = make(map[Observer]int)
					}
					m, _ := c.Queued()
					depths[obs] += m
				}
			}
			for obs := range reported {
				if _, ok := depths[obs]; !ok {
					obs.QueueDepth(0) // the route's clients are gone
				}
			}
			for obs, n := range depths {
				obs.QueueDepth(n)
			}
			reported = depths
			clear(buf)
		}
	}
}

// sweep enforces one client's timeouts and sends its heartbeat ping when due.
func (c *Client) sweep(now int64, cfg *HubConfig) {
	if wt := cfg.WriteTimeout; wt > 0 {
		if s := c.inflightSince.Load(); s != 0 && now-s > int64(wt) {
			c.mu.Lock()
			closing := c.closing
			dropped, handNow, it := c.slowConsumerLocked(0)
			c.mu.Unlock()
			releaseAll(dropped)
			if closing {
				_ = c.nc.Conn.Close() // even the close frame stalled: cut the connection
			} else if handNow {
				c.handOff(it)
			}
			return
		}
	}
	if State(c.state.Load()) != StateOpen {
		return
	}
	if c.idle > 0 && now-c.lastRead.Load() > int64(c.idle) {
		_ = c.Close(StatusNormalClosure, "idle timeout")
		return
	}
	if cfg.PingInterval <= 0 {
		return
	}
	if sent := c.pingSent.Load(); sent != 0 {
		if now-sent > int64(cfg.PongTimeout) {
			_ = c.Close(StatusNormalClosure, "heartbeat timeout")
		}
		return
	}
	if now-c.lastPing >= int64(cfg.PingInterval) {
		c.lastPing = now
		c.pingSent.Store(now)
		c.nc.want(wire.OpPing, nil)
		c.kick()
	}
}
