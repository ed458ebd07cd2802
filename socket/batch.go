package socket

import (
	"encoding/binary"
	"math"
	"net"
	"sync"
	"time"

	"github.com/lxzan/gws"
)

// Batched writes. A connection without permessage-deflate (most of them: browsers offer
// it, but a route enables it only with Options.Compression) does not need gws to build
// its frames: a server frame is a header and the payload, unmasked. Such a client's
// writer takes everything waiting in its queue, up to batchItems messages and about
// batchBytes bytes, and writes the frames with one system call. On loopback, and on any
// link where the kernel's per-write cost dominates, that is most of the cost of a
// delivery: a client that fell a few broadcasts behind catches up in one write instead of
// one write each. Small payloads are copied behind their headers into one buffer; larger
// ones are written from where they are, with writev.
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

// batchable reports whether the writer may frame it itself: every data message can be,
// the close frame goes through gws (client.go's close handshake).
func batchable(it *outItem) bool { return it.op != gws.OpcodeCloseConnection }

// payload is the item's message bytes and opcode.
func (it *outItem) payload() (gws.Opcode, []byte) {
	if it.prep != nil {
		return it.prep.op, it.prep.data
	}
	return it.op, it.data
}

// maxFrameHeader is the longest header of an unmasked server frame.
const maxFrameHeader = 10

// appendFrameHeader appends the header of an unmasked, final, uncompressed frame.
func appendFrameHeader(b []byte, op gws.Opcode, n int) []byte {
	b = append(b, 0x80|byte(op))
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xFFFF:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}

// frames lays out b.items as frames: b.buf holds the headers and the small payloads;
// b.bufs is nil when b.buf is the whole write, else the parts to write with writev.
func (b *batch) frames() {
	need := 0
	for i := range b.items {
		_, p := b.items[i].payload()
		need += maxFrameHeader
		if len(p) <= batchCopy {
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
		op, p := it.payload()
		if it.prep != nil && len(p) <= batchCopy {
			buf = append(buf, it.prep.frame...)
			continue
		}
		buf = appendFrameHeader(buf, op, len(p))
		if len(p) <= batchCopy {
			buf = append(buf, p...)
			continue
		}
		b.bufs = append(b.bufs, buf[start:], p) // buf never grows past need: no reallocation
		start = len(buf)
	}
	if len(b.bufs) > 0 && start < len(buf) {
		b.bufs = append(b.bufs, buf[start:])
	}
	b.buf = buf
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

// takeBatchLocked moves the queue's leading batchable items, none of them over maxItem
// bytes, into a batch. c.mu must be held and the queue must start with such an item.
func (c *Client) takeBatchLocked(maxItem int) *batch {
	b := batchPool.Get().(*batch)
	size := 0
	for c.q.len() > 0 && len(b.items) < batchItems && size < batchBytes {
		if p := c.q.peek(); !batchable(p) || p.size() > maxItem {
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
		it := c.q.pop() // the close frame: through gws, which then calls onWritten
		c.qBytes -= it.size()
		c.cur = it
		c.mu.Unlock()
		c.handOff(it)
		return
	}
	b := c.takeBatchLocked(math.MaxInt)
	c.mu.Unlock()

	c.inflightSince.Store(time.Now().UnixNano())
	b.frames()
	b.wv = b.bufs
	err := c.nc.writeFrames(b.buf, &b.wv)
	b.reset()
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
