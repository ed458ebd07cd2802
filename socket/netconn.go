package socket

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/handshake"
	"github.com/wsroute/wsroute/internal/rawio"
)

// netConn is the connection gws reads and writes: the hijacked net.Conn, wrapped for four
// things gws does not do the way wsroute needs.
//
//   - Bytes the HTTP server had already buffered past the request (a client that wrote
//     frames right behind its handshake) are read first instead of being lost.
//   - The subprotocol chosen for this request is added to the 101 response: gws chooses
//     subprotocols per Upgrader, wsroute per request (see Options.Subprotocols).
//   - The close frame gws writes when it cannot inflate a message is corrected. gws wraps
//     every decompression error in 1011 (internal error), so a compressed message that
//     inflates past the size limit would close with 1011 while an uncompressed one of the
//     same size closes with 1009, and corrupt compressed data would claim a server fault.
//     Such frames go out as 1009 "message too big" and 1002 "invalid compressed data";
//     gws's own 1009 "gws: message too large" becomes 1009 "message too big" as well.
//   - At most one pong waits in gws's write queue (see Client.pong).
//
// It also remembers the close frame that failed the connection (any code but 1000 and
// 1001, which gws also writes after a mere read or write error), so that the close event
// reports what the peer was actually sent: gws hands OnClose the inner error of a
// protocol failure, without its code.
//
// Writes reach netConn one whole frame at a time (gws builds each frame in a buffer and
// writes it with one call), and the first write is the handshake response, so both
// rewrites look at one Write call only.
type netConn struct {
	net.Conn

	pre   []byte // replayed before reading from Conn; read goroutine only
	proto string // the subprotocol to echo, "" for none
	ra    readAheadState

	rc    syscall.RawConn // the socket, for writes that must not wait (tryWrite); nil if none
	owner *Client         // the client on this connection, once upgraded

	// Writes (batch.go). wmu is held across each write to the network, so that frames
	// never interleave and the cork goes out ahead of whatever follows it; corkMu only
	// ever for a moment, so that queuing a reply never waits on the network.
	wmu       sync.Mutex
	hsDone    bool // the handshake response has been written
	closeSent bool // a close frame has been written: no data frames may follow
	deflate   bool // permessage-deflate was negotiated: gws frames every message

	corkMu     sync.Mutex
	cork       *[]byte     // frames of replies not yet written, pooled
	corked     atomic.Bool // cork != nil
	corkTimer  *time.Timer // flushes a cork held while further handlers run; read goroutine
	timerArmed atomic.Bool // corkTimer is pending

	failed atomic.Pointer[CloseEvent] // the failing close frame written, for the close event

	pongMu     sync.Mutex // guards pongData, pongQueued
	pongData   []byte     // payload of the newest unanswered ping
	pongQueued bool       // a pong task waits in gws's write queue
}

func (n *netConn) Read(p []byte) (int, error) {
	if len(n.pre) > 0 {
		k := copy(p, n.pre)
		n.pre = n.pre[k:]
		if len(n.pre) == 0 {
			n.pre = nil
		}
		return k, nil
	}
	if k, ok := n.readBuffered(p); ok {
		return k, nil
	}
	if n.corked.Load() {
		// About to wait for the peer: what it asked for goes out first.
		if err := n.flushCork(); err != nil {
			return 0, err
		}
	}
	k, err := n.Conn.Read(p)
	if err == nil && k == len(p) && k < readAheadSize {
		n.readAhead() // p is full: more is probably waiting (readahead.go)
	}
	return k, err
}

func (n *netConn) Write(p []byte) (int, error) {
	n.wmu.Lock()
	defer n.wmu.Unlock()
	if !n.hsDone {
		n.hsDone = true
		return n.writeHandshake(p)
	}
	// A close frame (gws writes each frame with one call): FIN+close, then the payload
	// length, unmasked.
	if len(p) >= 2 && p[0] == 0x88 && int(p[1]) == len(p)-2 {
		q := p
		if len(p) >= 4 {
			var ev CloseEvent
			q, ev = fixClose(p)
			if ev.Code != StatusNormalClosure && ev.Code != StatusGoingAway {
				n.failed.CompareAndSwap(nil, &ev)
			}
		}
		if err := n.writeLocked(q); err != nil {
			return 0, err
		}
		n.closeSent = true
		return len(p), nil
	}
	if err := n.writeLocked(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeLocked writes p behind the cork, if there is one. n.wmu must be held.
func (n *netConn) writeLocked(p []byte) error {
	cork := n.takeCork()
	if cork == nil {
		_, err := n.Conn.Write(p)
		return err
	}
	defer putCork(cork)
	if n.closeSent {
		return net.ErrClosed
	}
	if len(p) <= corkFlush {
		*cork = append(*cork, p...) // one write for both
		_, err := n.Conn.Write(*cork)
		return err
	}
	if _, err := n.Conn.Write(*cork); err != nil {
		return err
	}
	_, err := n.Conn.Write(p)
	return err
}

// writeFrames writes a batch laid out by batch.frames: buf alone, or the parts in bufs
// with writev. bufs is consumed.
func (n *netConn) writeFrames(buf []byte, bufs *net.Buffers) error {
	n.wmu.Lock()
	defer n.wmu.Unlock()
	if n.closeSent {
		return net.ErrClosed
	}
	if len(*bufs) == 0 {
		return n.writeLocked(buf)
	}
	if cork := n.takeCork(); cork != nil {
		_, err := n.Conn.Write(*cork)
		putCork(cork)
		if err != nil {
			return err
		}
	}
	_, err := bufs.WriteTo(n.Conn)
	return err
}

var corkPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func putCork(b *[]byte) {
	if cap(*b) <= 4*corkFlush {
		*b = (*b)[:0]
		corkPool.Put(b)
	}
}

// corkFrame appends the frame of it to the cork and returns the cork's size.
func (n *netConn) corkFrame(it *outItem) int {
	op, p := it.payload()
	n.corkMu.Lock()
	defer n.corkMu.Unlock()
	if n.cork == nil {
		n.cork = corkPool.Get().(*[]byte)
		n.corked.Store(true)
	}
	*n.cork = append(appendFrameHeader(*n.cork, op, len(p)), p...)
	return len(*n.cork)
}

// takeCork takes the cork's frames, if any, for the caller to write and free.
func (n *netConn) takeCork() *[]byte {
	if !n.corked.Load() {
		return nil
	}
	n.corkMu.Lock()
	b := n.cork
	n.cork = nil
	n.corked.Store(false)
	n.corkMu.Unlock()
	return b
}

// flushCork writes the cork's frames now. While it writes, the client counts as having
// a write in flight, so that the hub's write timeout covers a peer that stopped reading.
// A failed write closes the connection, as gws does.
func (n *netConn) flushCork() error {
	n.wmu.Lock()
	cork := n.takeCork()
	if cork == nil || n.closeSent {
		n.wmu.Unlock()
		if cork != nil {
			putCork(cork) // a close frame went out first: nothing may follow it
		}
		return nil
	}
	var since int64
	if c := n.owner; c != nil {
		since = c.lastRead.Load() // the latest message's arrival: no clock read per flush
		if !c.inflightSince.CompareAndSwap(0, since) {
			since = 0
		}
	}
	_, err := n.Conn.Write(*cork)
	n.wmu.Unlock()
	putCork(cork)
	if since != 0 {
		n.owner.inflightSince.CompareAndSwap(since, 0)
	}
	if err != nil {
		_ = n.Conn.Close()
	}
	return err
}

// holdCork is called on the read goroutine before a handler runs while replies wait in
// the cork: they go out within corkDelay even if that handler takes long.
func (n *netConn) holdCork() {
	if !n.timerArmed.CompareAndSwap(false, true) {
		return // armed by an earlier handler: the cork goes out no later than it says
	}
	if n.corkTimer == nil {
		n.corkTimer = time.AfterFunc(corkDelay, n.corkTimeout)
		return
	}
	n.corkTimer.Reset(corkDelay)
}

func (n *netConn) corkTimeout() {
	n.timerArmed.Store(false)
	_ = n.flushCork()
}

// writeHandshake writes the 101 response, with the chosen subprotocol added to its headers.
func (n *netConn) writeHandshake(p []byte) (int, error) {
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end >= 0 && bytes.Contains(bytes.ToLower(p[:end]), []byte("permessage-deflate")) {
		n.deflate = true
	}
	if n.proto == "" || end < 0 {
		return n.Conn.Write(p)
	}
	const key = "Sec-WebSocket-Protocol: "
	b := make([]byte, 0, len(p)+len(key)+len(n.proto)+2)
	b = append(b, p[:end+2]...)
	b = append(b, key...)
	b = append(b, n.proto...)
	b = append(b, "\r\n"...)
	b = append(b, p[end+2:]...)
	if _, err := n.Conn.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// gwsTooLarge is the reason gws writes when a message is over the read limit, with code
// 1009 when the frames say so and 1011 when inflating finds out.
const gwsTooLarge = "gws: message too large"

// fixClose returns the close frame to write for the close frame p (p itself when it
// needs no correction), and its code and reason. Only frames gws writes on its own are
// corrected: the closes wsroute starts carry reasons of its own.
func fixClose(p []byte) ([]byte, CloseEvent) {
	code := StatusCode(binary.BigEndian.Uint16(p[2:4]))
	reason := string(p[4:])
	var ev CloseEvent
	switch {
	case reason == gwsTooLarge && (code == StatusInternalError || code == StatusMessageTooBig):
		ev = CloseEvent{Code: StatusMessageTooBig, Reason: "message too big"}
	case code == StatusInternalError && (strings.HasPrefix(reason, "flate: ") || reason == "unexpected EOF"):
		ev = CloseEvent{Code: StatusProtocolError, Reason: "invalid compressed data"}
	default:
		return p, CloseEvent{Code: code, Reason: reason}
	}
	q := make([]byte, 0, 4+len(ev.Reason))
	q = append(q, 0x88, byte(2+len(ev.Reason)))
	q = binary.BigEndian.AppendUint16(q, uint16(ev.Code))
	q = append(q, ev.Reason...)
	return q, ev
}

// upgrade hijacks the request's connection and completes the handshake through gws, on a
// netConn. gws's own Upgrade would read from the raw connection, so neither the buffered
// bytes nor the rewrites above would apply.
func (u *Upgrader) upgrade(w http.ResponseWriter, r *http.Request) (*gws.Conn, error) {
	raw, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	nc := &netConn{Conn: raw, proto: handshake.Negotiate(u.opts.Subprotocols, r.Header)}
	if k := brw.Reader.Buffered(); k > 0 {
		p, _ := brw.Reader.Peek(k)
		nc.pre = bytes.Clone(p)
	}
	nc.rc = rawio.Conn(raw)
	nc.ra.rc, nc.ra.noRaw = nc.rc, nc.rc == nil
	return u.up.UpgradeFromConn(nc, bufio.NewReaderSize(nc, u.opts.ReadBufferSize), r)
}

// netConn returns the client's wrapped connection, or nil for a client made otherwise.
func (c *Client) netConn() *netConn {
	n, _ := c.conn.NetConn().(*netConn)
	return n
}

// pong answers a ping. At most one pong waits in gws's write queue: while one is
// pending, a newer ping only replaces its payload (RFC 6455 §5.5.3 allows answering the
// most recent ping only). A client that floods pings and never reads therefore cannot
// make the server queue pongs without bound.
func (c *Client) pong(payload []byte) {
	conn := c.conn
	n := c.netConn()
	if n == nil {
		p := bytes.Clone(payload)
		conn.Async(func() { _ = conn.WritePong(p) })
		return
	}
	n.pongMu.Lock()
	n.pongData = append(n.pongData[:0], payload...)
	if n.pongQueued {
		n.pongMu.Unlock()
		return
	}
	n.pongQueued = true
	n.pongMu.Unlock()
	conn.Async(func() {
		n.pongMu.Lock()
		p := bytes.Clone(n.pongData)
		n.pongQueued = false
		n.pongMu.Unlock()
		_ = conn.WritePong(p)
	})
}
