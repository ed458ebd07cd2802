package peer

import (
	"math"
	"net"
	"sync"
	"time"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/wire"
)

// Batched writes. wsroute frames every message itself: a server frame is a header and
// the payload, unmasked, compressed (RSV1) when the client negotiated permessage-deflate
// and the payload is at least Options.CompressThreshold long. A client's writer takes
// everything waiting in its queue, up to batchItems messages and about batchBytes bytes,
// and writes the frames with one system call. On loopback, and on any link where the
// kernel's per-write cost dominates, that is most of the cost of a delivery: a client that
// fell a few broadcasts behind catches up in one write instead of one write each. Small
// frames are copied into one buffer; larger ones are written from where they are, with
// writev. A broadcast's frame, compressed or not, is built once and shared (Prepared).
//
// A handler's reply is corked: endHandler appends its frame to the connection's cork
// instead of writing it, and the cork is written just before the read goroutine would
// block for more data (netConn.Read), or in front of any other write, whichever comes
// first. A client that sends several messages in one go thus gets its replies in one
// write too, and a lone request is answered as soon as its handler returns, since the
// read that follows finds nothing buffered.

const (
	batchItems = 64       // messages per batched write at most
	batchBytes = 64 << 10 // payload bytes per batched write, roughly (one message may go past it)
	batchCopy  = 2 << 10  // payloads up to this size are copied into the batch's buffer
	corkFlush  = 16 << 10 // a cork this large is written at once, not at the next read

	// corkDelay bounds how long a reply waits in the cork while the handlers of messages
	// received with its own run: a slow handler does not hold up earlier replies longer.
	corkDelay = time.Millisecond
)

// batch is the writer's scratch for one batched write.
type batch struct {
	items []outItem
	buf   []byte      // headers and copied payloads
	bufs  net.Buffers // buf's parts and the payloads written in place, for writev
	wv    net.Buffers // bufs as writev consumes it
}

var batchPool = sync.Pool{New: func() any {
	return &batch{items: make([]outItem, 0, 8), buf: make([]byte, 0, 1024)}
}}

// batchable reports whether the writer may put it in a batch: every data message can be;
// the close frame ends the connection's writes (handOff).
func batchable(it *outItem) bool { return it.op != gws.OpcodeCloseConnection }

// payload is the item's message bytes and opcode.
func (it *outItem) payload() (gws.Opcode, []byte) {
	if it.prep != nil {
		return it.prep.op, it.prep.data
	}
	return it.op, it.data
}

// appendFrame appends it's frame, compressed when its payload has at least zmin bytes.
func (it *outItem) appendFrame(b []byte, zmin int) []byte {
	op, p := it.payload()
	switch {
	case len(p) >= zmin && it.prep != nil:
		return append(b, it.prep.compressed()...)
	case len(p) >= zmin:
		return wire.AppendCompressedFrame(b, byte(op), p)
	case it.prep != nil:
		return append(b, it.prep.frame...)
	}
	return append(wire.AppendHeader(b, byte(op), len(p), false), p...)
}

// frames lays out b.items as frames for a client that compresses payloads of zmin
// bytes or more: b.buf holds the headers and the small payloads; b.bufs is nil when
// b.buf is the whole write, else the parts to write with writev. A payload compressed
// for this client alone is always copied; shared frames and plain payloads over
// batchCopy are written in place.
func (b *batch) frames(zmin int) {
	need := 0
	for i := range b.items {
		it := &b.items[i]
		_, p := it.payload()
		need += wire.MaxHeader
		switch {
		case len(p) >= zmin && it.prep == nil:
			need += len(p) + len(p)>>8 + 64 // deflate's worst case, stored blocks: 5 bytes per 64 KiB
		case len(p) <= batchCopy:
			need += len(p)
		}
	}
	if cap(b.buf) < need {
		b.buf = make([]byte, 0, need)
	}
	buf, start := b.buf[:0], 0
	b.bufs = b.bufs[:0]
	for i := range b.items {
		it := &b.items[i]
		_, p := it.payload()
		var inPlace []byte // a whole shared frame, or a payload behind the header in buf
		switch {
		case len(p) >= zmin && it.prep != nil:
			if f := it.prep.compressed(); len(f) > batchCopy {
				inPlace = f
			}
		case len(p) >= zmin:
		case len(p) > batchCopy:
			op, _ := it.payload()
			buf = wire.AppendHeader(buf, byte(op), len(p), false)
			inPlace = p
		}
		if inPlace == nil {
			buf = it.appendFrame(buf, zmin)
			continue
		}
		b.bufs = append(b.bufs, buf[start:], inPlace) // buf never grows past need: no reallocation
		start = len(buf)
	}
	if len(b.bufs) > 0 && start < len(buf) {
		b.bufs = append(b.bufs, buf[start:])
	}
	b.buf = buf
}

// wireBytes is the size of the batch's frames, as frames laid them out.
func (b *batch) wireBytes() int {
	if len(b.bufs) == 0 {
		return len(b.buf)
	}
	n := 0
	for _, p := range b.bufs {
		n += len(p)
	}
	return n
}

// reset releases the batch's items and returns it to its pool.
func (b *batch) reset() {
	for i := range b.items {
		b.items[i].release()
	}
	clear(b.items)
	b.items = b.items[:0]
	clear(b.bufs)
	b.bufs, b.wv = b.bufs[:0], nil
	if cap(b.buf) > 2*batchBytes || cap(b.items) > batchItems {
		return // an outsized batch is left to the collector
	}
	batchPool.Put(b)
}

// wireSize is roughly how many bytes it takes on the wire for a client that compresses
// from zmin bytes: a shared compressed frame's size (Publish compresses it before
// queuing), else the payload's.
func (it *outItem) wireSize(zmin int) int {
	if it.prep != nil && len(it.prep.data) >= zmin {
		return len(it.prep.compressed())
	}
	return it.size()
}

// takeBatchLocked moves the queue's leading batchable items, none of them over maxItem
// bytes on the wire, into a batch. c.mu must be held and the queue must start with such an item.
func (c *Client) takeBatchLocked(maxItem int) *batch {
	b := batchPool.Get().(*batch)
	size := 0
	for c.q.len() > 0 && len(b.items) < batchItems && size < batchBytes {
		if p := c.q.peek(); !batchable(p) || p.wireSize(c.zmin) > maxItem {
			break
		}
		it := c.q.pop()
		n := it.size()
		c.qBytes -= n
		size += n
		b.items = append(b.items, it)
	}
	return b
}

// drain is the writer of a batching client. It runs as a gws task on the connection's
// writer goroutine (gws starts one when a burst of writes begins), writes one batch, and
// queues itself again while more waits, so that pings and pongs queued meanwhile take
// their turn between batches.
func (c *Client) drain() {
	c.mu.Lock()
	if c.q.len() == 0 && c.nc.corked.Load() {
		// The rest of a frame that sendNow wrote in part: it goes before anything else.
		c.mu.Unlock()
		c.inflightSince.Store(time.Now().UnixNano())
		if err := c.nc.flushCork(); err != nil {
			c.mu.Lock()
			c.failedLocked()
			return
		}
		c.mu.Lock()
	}
	if c.q.len() == 0 {
		c.inflight = false
		c.inflightSince.Store(0)
		c.mu.Unlock()
		return
	}
	if !batchable(c.q.peek()) {
		it := c.q.pop() // the close frame: handOff writes it, then calls onWritten
		c.qBytes -= it.size()
		c.mu.Unlock()
		c.handOff(it)
		return
	}
	b := c.takeBatchLocked(math.MaxInt)
	c.mu.Unlock()

	c.inflightSince.Store(time.Now().UnixNano())
	b.frames(c.zmin)
	b.wv = b.bufs
	var sent, wire int
	if c.up.opts.Observer != nil {
		sent, wire = len(b.items), b.wireBytes()
	}
	err := c.nc.writeFrames(b.buf, &b.wv)
	b.reset()
	if err == nil {
		c.observeSent(sent, wire)
	}
	if err != nil {
		c.mu.Lock()
		c.failedLocked()
		_ = c.nc.Conn.Close() // as gws does on a failed write: the read loop ends, the close event follows
		return
	}
	c.mu.Lock()
	if c.q.len() == 0 {
		c.inflight = false
		c.inflightSince.Store(0)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.conn.Async(c.drainJob)
}
