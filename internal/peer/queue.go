package peer

import (
	"math"
	"sync"
	"time"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/wire"
)

// Overflow is what happens when a message is sent to a client whose outgoing queue is full.
type Overflow uint8

// The overflow policies. The queue is full when it holds Options.QueueMessages messages,
// or when it is not empty and the new message would take it past Options.QueueBytes.
const (
	// OverflowClose closes the client with StatusSlowConsumer (the default): queued
	// messages are dropped, a close frame is attempted for one second, then the
	// connection is cut. The send returns ErrSlowConsumer.
	OverflowClose Overflow = iota
	// OverflowDropNewest keeps the queue as it is and drops the new message; the send
	// returns ErrQueueFull.
	OverflowDropNewest
	// OverflowDropOldest drops messages from the front of the queue until the new one fits.
	OverflowDropOldest
)

// closeGrace is how long a slow consumer has to take its close frame.
const closeGrace = time.Second

// Prepared is a message encoded once to be sent to many clients: a broadcast encodes and,
// for the clients with permessage-deflate, compresses it once, whatever the number of
// receivers. Get one from Prepare; call Release once when done sending it.
type Prepared struct {
	mode  Mode
	op    gws.Opcode
	data  []byte // the payload, the tail of frame
	frame []byte // an unmasked, uncompressed frame of data

	zOnce  sync.Once
	zframe []byte // the compressed frame, made for the first client that takes it
}

// compressed returns the message's compressed frame, made once.
func (p *Prepared) compressed() []byte {
	p.zOnce.Do(func() { p.zframe = wire.AppendCompressedFrame(nil, byte(p.op), p.data) })
	return p.zframe
}

// Prepare encodes v once for clients of the given mode; the frames are the collector's
// once the last client has written them.
func Prepare(mode Mode, v any) (*Prepared, error) {
	op, data, err := encode(mode, v)
	if err != nil {
		return nil, err
	}
	// The frame is built once, header and payload in one buffer (which also frees the
	// caller to reuse its bytes, a handler's Message.Bytes for one): the writers of the
	// clients without compression write it as it is (batch.go).
	frame := make([]byte, 0, wire.MaxHeader+len(data))
	frame = wire.AppendFrame(frame, byte(op), data)
	p := &Prepared{mode: mode, op: op, frame: frame, data: frame[len(frame)-len(data):]}
	return p, nil
}

// Mode is the mode the message was encoded for.
func (p *Prepared) Mode() Mode { return p.mode }

// Payload is the encoded message: its bytes, and whether it goes as a binary frame.
// The bytes are shared: do not modify them.
func (p *Prepared) Payload() (binary bool, data []byte) {
	return p.op == gws.OpcodeBinary, p.data
}

// Size is the encoded payload's length in bytes.
func (p *Prepared) Size() int { return len(p.data) }

// outItem is one entry of a client's outgoing queue.
type outItem struct {
	op     gws.Opcode
	data   []byte
	buf    *[]byte // data's pooled buffer, freed by release (payload.go)
	prep   *Prepared
	code   StatusCode // op == OpcodeCloseConnection
	reason string
}

func (it *outItem) size() int {
	if it.prep != nil {
		return len(it.prep.data)
	}
	return len(it.data)
}

func (it *outItem) release() {
	it.prep = nil
	if it.buf != nil {
		freePayload(it.buf)
		it.buf = nil
	}
}

// ring is a FIFO of outItems that grows by doubling.
type ring struct {
	buf  []outItem
	head int
	n    int
}

func (r *ring) len() int { return r.n }

func (r *ring) push(it outItem) {
	if r.n == len(r.buf) {
		// From one slot: a client's queue is kept once grown, and an idle client has
		// only ever queued its hello.
		nb := make([]outItem, max(1, 2*len(r.buf)))
		for i := 0; i < r.n; i++ {
			nb[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = nb, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = it
	r.n++
}

// peek returns the item at the front; the ring must not be empty.
func (r *ring) peek() *outItem { return &r.buf[r.head] }

func (r *ring) pop() outItem {
	it := r.buf[r.head]
	r.buf[r.head] = outItem{}
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return it
}

// drain empties the ring and returns what it held.
func (r *ring) drain() []outItem {
	out := make([]outItem, 0, r.n)
	for r.n > 0 {
		out = append(out, r.pop())
	}
	r.buf, r.head = nil, 0
	return out
}

// enqueue queues it for writing and starts a writer when none is at work: the writer
// pool, or the client's own goroutine for what cannot be written without waiting
// (batch.go, writers.go). While a message handler runs, the first message waits for it
// to end and is corked with the replies to the messages read with it (endHandler). It
// applies the overflow policy when the queue is full.
func (c *Client) enqueue(it outItem) error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		it.release()
		return ErrClosed
	}
	if !c.inflight {
		c.q.push(it)
		c.qBytes += it.size()
		if c.reading && c.q.len() == 1 {
			c.mu.Unlock() // endHandler corks it
			return nil
		}
		c.inflight = true
		c.mu.Unlock()
		c.startWriter()
		return nil
	}
	size := it.size()
	o := &c.up.opts
	if c.q.len() >= o.QueueMessages || (c.q.len() > 0 && c.qBytes+size > o.QueueBytes) {
		switch o.Overflow {
		case OverflowDropNewest:
			c.mu.Unlock()
			it.release()
			c.dropped.Add(1)
			c.observeDropped(OverflowDropNewest, 1)
			return ErrQueueFull
		case OverflowDropOldest:
			var evicted []outItem
			for c.q.len() > 0 && (c.q.len() >= o.QueueMessages || c.qBytes+size > o.QueueBytes) {
				old := c.q.pop()
				c.qBytes -= old.size()
				evicted = append(evicted, old)
			}
			c.q.push(it)
			c.qBytes += size
			c.mu.Unlock()
			for i := range evicted {
				evicted[i].release()
			}
			c.dropped.Add(uint64(len(evicted)))
			c.observeDropped(OverflowDropOldest, len(evicted))
			return nil
		default:
			dropped, handNow, cl := c.slowConsumerLocked(closeGrace)
			c.mu.Unlock()
			if handNow {
				c.handOff(cl)
			}
			it.release()
			releaseAll(dropped)
			c.dropped.Add(uint64(len(dropped)) + 1)
			c.observeDropped(OverflowClose, len(dropped)+1)
			return ErrSlowConsumer
		}
	}
	c.q.push(it)
	c.qBytes += size
	c.peakMsgs = max(c.peakMsgs, int32(c.q.len()))
	c.peakBytes = max(c.peakBytes, int32(min(c.qBytes, math.MaxInt32)))
	c.mu.Unlock()
	return nil
}

// QueuePeak reports the most messages and bytes that ever waited in the client's
// outgoing queue at once.
func (c *Client) QueuePeak() (messages, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.peakMsgs), int(c.peakBytes)
}

// slowConsumerLocked starts closing c with StatusSlowConsumer: it drops the queue, queues
// the close frame and gives the write in flight grace to finish. c.mu must be held.
func (c *Client) slowConsumerLocked(grace time.Duration) (dropped []outItem, handNow bool, it outItem) {
	if c.closing {
		return nil, false, outItem{}
	}
	dropped = c.q.drain()
	c.qBytes = 0
	handNow, it = c.startCloseLocked(StatusSlowConsumer, "slow consumer")
	_ = c.conn.NetConn().SetWriteDeadline(time.Now().Add(grace))
	return dropped, handNow, it
}

func releaseAll(items []outItem) {
	for i := range items {
		items[i].release()
	}
}

// startCloseLocked marks c closing and queues the close frame behind what is queued.
// c.mu must be held.
func (c *Client) startCloseLocked(code StatusCode, reason string) (handNow bool, it outItem) {
	c.closing = true
	c.closeCode, c.closeReason = code, reason
	c.state.CompareAndSwap(int32(StateOpen), int32(StateClosing))
	c.state.CompareAndSwap(int32(StateConnecting), int32(StateClosing))
	it = outItem{op: gws.OpcodeCloseConnection, code: code, reason: reason}
	if c.inflight || c.reading {
		c.q.push(it)
		return false, it
	}
	c.inflight = true
	return true, it // the caller hands it off after unlocking
}

// handOff writes the close frame it, behind whatever is corked, on gws's writer
// goroutine, then ends the write in flight (onWritten).
func (c *Client) handOff(it outItem) {
	c.inflightSince.Store(time.Now().UnixNano())
	code, reason := it.code, it.reason
	c.conn.Async(func() {
		_ = c.nc.writeClose(code, reason)
		c.written(nil)
	})
}

// onWritten runs when the close frame in flight has been written (or failed).
func (c *Client) onWritten(error) {
	c.mu.Lock()
	c.failedLocked() // nothing follows a close frame
}

// failedLocked drops everything queued: the connection is gone.
// c.mu must be held; failedLocked unlocks it.
func (c *Client) failedLocked() {
	dropped := c.q.drain()
	c.qBytes = 0
	c.inflight = false
	c.inflightSince.Store(0)
	c.mu.Unlock()
	releaseAll(dropped)
}

// Queued reports what waits in the client's outgoing queue, beyond the batch being
// written:
// at most Options.QueueMessages messages and Options.QueueBytes bytes (a single message
// larger than QueueBytes is let into an empty queue).
func (c *Client) Queued() (messages, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.q.len(), c.qBytes
}

// startHandler marks c as running a message handler on its read goroutine: until
// endHandler, the first message sent to c (whoever sends it) waits in its queue; a second
// one sets a writer going as usual. Replies still corked from earlier handlers get the
// cork's timer, so that this handler cannot hold them up for long.
func (c *Client) startHandler() {
	c.mu.Lock()
	c.reading = true
	c.mu.Unlock()
	if c.nc != nil && c.nc.corked.Load() {
		c.nc.holdCork()
	}
}

// endHandler ends what startHandler began and sends what was sent meanwhile, in order.
// On a batching client the reply is corked: written with the replies to the messages
// that came in the same read, before the read loop waits for more (batch.go). Otherwise
// it is written at once, on the read goroutine (as gws's own echo writes its reply), the
// rest through gws's writer as usual. A reply from a handler thus costs at most one write
// system call and no goroutine. The write may hold up this client's read loop, never
// another client, and no longer than the hub's write timeout allows.
func (c *Client) endHandler() {
	c.mu.Lock()
	c.reading = false
	if c.inflight || c.q.len() == 0 {
		c.mu.Unlock()
		return
	}
	if !batchable(c.q.peek()) {
		// The close the handler asked for: behind the cork.
		c.inflight = true
		c.mu.Unlock()
		c.inflightSince.Store(time.Now().UnixNano())
		c.conn.Async(c.drainJob)
		return
	}
	// Corked (batch.go): written before the read loop waits for more input, together
	// with the replies of the messages already buffered, if any.
	it := c.q.pop()
	c.qBytes -= it.size()
	size, frame := c.nc.corkFrame(&it, c.zmin)
	c.observeSent(1, frame) // corked: written before the read loop waits, or dropped with the connection
	more := c.q.len() > 0   // a close the handler asked for
	c.inflight = more
	c.mu.Unlock()
	it.release()
	switch {
	case more:
		c.inflightSince.Store(time.Now().UnixNano())
		c.conn.Async(c.drainJob)
	case size >= corkFlush:
		_ = c.nc.flushCork()
	}
}
