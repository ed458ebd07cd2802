package socket

import (
	"sync"
	"time"

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
	return c
}

// Hub is the set of live clients of a registry. One sweeper goroutine per hub, running
// only while the hub has clients, sends the heartbeat pings and enforces the pong, idle
// and write timeouts: there is no timer per connection.
//
// All methods of Hub are safe for concurrent use.
type Hub struct {
	cfg HubConfig

	mu      sync.RWMutex // guards clients, rooms (name -> members, see rooms.go), every Client.rooms, stop, closed
	clients map[string]*Client
	rooms   map[string]map[*Client]struct{}
	stop    chan struct{} // non-nil while a sweeper runs
	closed  bool
	wg      sync.WaitGroup
}

// NewHub returns an empty hub.
func NewHub(cfg HubConfig) *Hub {
	return &Hub{cfg: cfg.withDefaults(), clients: make(map[string]*Client), rooms: make(map[string]map[*Client]struct{})}
}

// Len is the number of live clients.
func (h *Hub) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.clients)
}

// Get returns the client with the given id, or nil.
func (h *Hub) Get(id string) *Client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.clients[id]
}

// Clients appends a snapshot of the live clients to dst and returns it.
func (h *Hub) Clients(dst []*Client) []*Client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, c := range h.clients {
		dst = append(dst, c)
	}
	return dst
}

func (h *Hub) add(c *Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clients[c.id] = c
	if h.stop == nil && !h.closed {
		stop := make(chan struct{})
		h.stop = stop
		h.wg.Go(func() { h.sweep(stop) })
	}
}

func (h *Hub) remove(c *Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.clients[c.id] != c {
		return
	}
	delete(h.clients, c.id)
	h.leaveAllLocked(c)
	if len(h.clients) == 0 && h.stop != nil {
		close(h.stop)
		h.stop = nil
	}
}

// Close stops the sweeper for good and waits for it. Clients are not closed.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	if h.stop != nil {
		close(h.stop)
		h.stop = nil
	}
	h.mu.Unlock()
	h.wg.Wait()
}

func (h *Hub) sweep(stop chan struct{}) {
	t := time.NewTicker(h.cfg.SweepInterval)
	defer t.Stop()
	var buf []*Client
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			buf = h.Clients(buf[:0])
			for _, c := range buf {
				c.sweep(now.UnixNano(), &h.cfg)
			}
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
