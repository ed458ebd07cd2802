package cluster

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrBrokerClosed is returned by a closed MemoryBus broker, and by a call made while the
// bus is down.
var ErrBrokerClosed = errors.New("cluster: broker closed")

// ErrBrokerDown is returned by Publish on a MemoryBus broker while the bus is down.
var ErrBrokerDown = errors.New("cluster: broker down")

// memoryQueue is how many messages a MemoryBus subscription holds before it drops new
// ones and reports a slow consumer, as NATS does.
const memoryQueue = 1 << 16

// MemoryBus is a broker inside one process: several Nodes that [MemoryBus.Connect] to
// the same bus form a cluster. It is meant for tests, including fault tests:
// [MemoryBus.SetDown] makes it behave as a broker that went away and came back.
type MemoryBus struct {
	mu    sync.Mutex
	down  bool
	conns map[*memoryBroker]struct{}
}

// NewMemoryBus returns an empty bus.
func NewMemoryBus() *MemoryBus {
	return &MemoryBus{conns: make(map[*memoryBroker]struct{})}
}

// Connect returns a new connection to the bus. Close it when done: it owns one goroutine
// per subscription.
func (b *MemoryBus) Connect() Broker {
	c := &memoryBroker{bus: b, subs: make(map[string][]*memorySub)}
	b.mu.Lock()
	b.conns[c] = struct{}{}
	b.mu.Unlock()
	return c
}

// SetDown takes the bus down (every connection gets a Disconnected event, publishes fail
// and nothing is delivered) or brings it back up (Reconnected).
func (b *MemoryBus) SetDown(down bool) {
	b.mu.Lock()
	if b.down == down {
		b.mu.Unlock()
		return
	}
	b.down = down
	conns := make([]*memoryBroker, 0, len(b.conns))
	for c := range b.conns {
		conns = append(conns, c)
	}
	b.mu.Unlock()
	ev := Event{Kind: Reconnected, At: time.Now()}
	if down {
		ev = Event{Kind: Disconnected, At: ev.At, Err: ErrBrokerDown}
	}
	for _, c := range conns {
		c.notify(ev)
	}
}

type memoryBroker struct {
	bus    *MemoryBus
	mu     sync.Mutex
	closed bool
	subs   map[string][]*memorySub
	events func(Event)
	wg     sync.WaitGroup
}

type memorySub struct {
	ch chan []byte
}

func (c *memoryBroker) notify(ev Event) {
	c.mu.Lock()
	fn := c.events
	c.mu.Unlock()
	if fn != nil {
		fn(ev)
	}
}

func (c *memoryBroker) Notify(fn func(Event)) {
	c.mu.Lock()
	c.events = fn
	c.mu.Unlock()
}

func (c *memoryBroker) Subscribe(subject string, handle func([]byte)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrBrokerClosed
	}
	s := &memorySub{ch: make(chan []byte, memoryQueue)}
	c.subs[subject] = append(c.subs[subject], s)
	c.wg.Go(func() {
		for data := range s.ch {
			handle(data)
		}
	})
	return nil
}

func (c *memoryBroker) Publish(_ context.Context, subject string, data []byte) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return ErrBrokerClosed
	}
	b := c.bus
	var slow []*memoryBroker
	b.mu.Lock()
	if b.down {
		b.mu.Unlock()
		return ErrBrokerDown
	}
	for conn := range b.conns {
		if !conn.deliver(subject, data) {
			slow = append(slow, conn)
		}
	}
	b.mu.Unlock()
	for _, conn := range slow {
		conn.notify(Event{Kind: Error, At: time.Now(), Err: errors.New("cluster: memory bus: slow consumer on " + subject)})
	}
	return nil
}

// deliver runs under the bus lock, so that every subscriber sees one publisher's
// messages in the order they were published. It reports false when a subscription was
// full and the message was dropped for it.
func (c *memoryBroker) deliver(subject string, data []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := true
	if c.closed {
		return ok
	}
	for _, s := range c.subs[subject] {
		select {
		case s.ch <- append([]byte(nil), data...):
		default:
			ok = false
		}
	}
	return ok
}

func (c *memoryBroker) Close() error {
	c.bus.mu.Lock()
	delete(c.bus.conns, c)
	c.bus.mu.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrBrokerClosed
	}
	c.closed = true
	for _, list := range c.subs {
		for _, s := range list {
			close(s.ch)
		}
	}
	c.mu.Unlock()
	c.wg.Wait()
	return nil
}
