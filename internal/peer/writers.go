package peer

import (
	"net"
	"sync"
	"time"

	"github.com/wsroute/wsroute/internal/rawio"
)

// The writer pool. gws writes each connection's queue on a goroutine of its own, started
// when a burst of writes begins and ended when the queue is empty: a broadcast to 10,000
// idle clients starts 10,000 goroutines, one system call each. wsroute's pool instead
// has at most GOMAXPROCS goroutines, started when there is work and ended when there is
// none, which take clients with something to write in turn and write their batches
// (batch.go) without ever waiting: a write the socket cannot take at once, whole, leaves
// its rest in the connection's cork and the client to a goroutine of its own (drain),
// as before. A client that stops reading thus never holds up the pool, and the pool
// needs no goroutine per client, per message or per broadcast.

// writerPool is a FIFO of clients whose writes it owns (c.inflight is set). Each hub
// has one, of at most max goroutines.
type writerPool struct {
	mu      sync.Mutex
	q       []*Client
	head    int
	running int
	max     int
	wg      sync.WaitGroup // the running goroutines, for Hub.Close
}

// poolMax is the largest frame the pool writes: larger ones go to the client's own
// goroutine, which writes them in place.
const poolMax = 1 << 10

// poolBatch is how many clients a pool goroutine takes at a time.
const poolBatch = 16

// add queues clients for the pool and starts goroutines for them, up to GOMAXPROCS.
func (w *writerPool) add(cs ...*Client) {
	if len(cs) == 0 {
		return
	}
	w.mu.Lock()
	if w.head > 0 && w.head == len(w.q) {
		w.q, w.head = w.q[:0], 0
	} else if w.head > len(w.q)/2 && w.head > 1024 {
		n := copy(w.q, w.q[w.head:])
		clear(w.q[n:])
		w.q, w.head = w.q[:n], 0
	}
	w.q = append(w.q, cs...)
	start := min(w.max-w.running, (len(w.q)-w.head+poolBatch-1)/poolBatch)
	w.running += max(start, 0)
	w.mu.Unlock()
	for range start {
		w.wg.Go(w.run)
	}
}

func (w *writerPool) run() {
	var local [poolBatch]*Client
	for {
		w.mu.Lock()
		n := copy(local[:], w.q[w.head:])
		clear(w.q[w.head : w.head+n])
		w.head += n
		if n == 0 {
			w.running--
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		for i, c := range local[:n] {
			c.writeSome()
			local[i] = nil
		}
	}
}

// writeSome writes one batch of c's queue without waiting, for the pool. c.inflight is
// set, and stays set until c's queue is found empty.
func (c *Client) writeSome() {
	c.mu.Lock()
	if c.q.len() == 0 && !c.nc.corked.Load() {
		c.inflight = false
		c.inflightSince.Store(0)
		c.mu.Unlock()
		return
	}
	if c.q.len() == 0 || !batchable(c.q.peek()) || c.q.peek().wireSize(c.zmin) > poolMax {
		// A cork to flush, the close frame, or a large payload written in place:
		// the client's own goroutine does it.
		c.mu.Unlock()
		c.conn.Async(c.drainJob)
		return
	}
	b := c.takeBatchLocked(poolMax) // larger payloads: the client's own goroutine writes them in place
	c.mu.Unlock()
	b.frames(c.zmin)
	sent, wire := len(b.items), len(b.buf)
	all, err := c.nc.tryWrite(b.buf)
	b.reset()
	if err == nil {
		c.observeSent(sent, wire) // what the socket did not take is in the cork, written next
	}
	switch {
	case err != nil:
		c.mu.Lock()
		c.failedLocked()
		_ = c.nc.Conn.Close() // as gws does on a failed write: the read loop ends
	case !all:
		c.conn.Async(c.drainJob) // the rest, in the cork, may have to wait
	default:
		c.mu.Lock()
		if c.q.len() == 0 {
			c.inflight = false
			c.inflightSince.Store(0)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.inflightSince.Store(time.Now().UnixNano()) // progress: the write timeout starts over
		c.hub.writers.add(c)                         // more came meanwhile: back in line, after the others
	}
}

// tryWrite writes buf as far as the socket takes it without waiting, behind the cork if
// there is one, and puts what it could not write in the cork, ahead of every later write.
// It reports whether all went out; if not, the caller has the cork flushed (drain).
func (n *netConn) tryWrite(buf []byte) (bool, error) {
	if !n.wmu.TryLock() {
		n.corkBytes(buf) // another write is under way: behind it
		return false, nil
	}
	defer n.wmu.Unlock()
	if n.closeSent {
		return false, net.ErrClosed
	}
	if n.corked.Load() {
		n.corkBytes(buf) // the cork goes first, and may have to wait
		return false, nil
	}
	k, err := rawio.TryWrite(n.rc, buf)
	if err != nil {
		n.noteErr("write", err)
		return false, err
	}
	if k >= len(buf) {
		return true, nil
	}
	n.corkBytes(buf[max(k, 0):])
	return false, nil
}

// corkBytes appends frames (or the rest of one) to the cork.
func (n *netConn) corkBytes(p []byte) {
	n.corkMu.Lock()
	if n.cork == nil {
		n.cork = corkPool.Get().(*[]byte)
		n.corked.Store(true)
	}
	*n.cork = append(*n.cork, p...)
	n.corkMu.Unlock()
}

// startWriter hands c, whose c.inflight the caller has just set, to a writer: the pool
// when c can write without waiting, else c's own goroutine.
func (c *Client) startWriter() {
	c.inflightSince.Store(time.Now().UnixNano())
	if c.nc.rc != nil {
		c.hub.writers.add(c)
		return
	}
	c.conn.Async(c.drainJob)
}
