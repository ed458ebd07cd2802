package peer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/closecode"
	"github.com/wsroute/wsroute/internal/handshake"
	"github.com/wsroute/wsroute/internal/rawio"
	"github.com/wsroute/wsroute/internal/wire"
)

// netConn is the connection gws reads from: the hijacked net.Conn, wrapped so that
// wsroute, not gws, writes every frame after the handshake.
//
//   - Bytes the HTTP server had already buffered past the request (a client that wrote
//     frames right behind its handshake) are read first instead of being lost.
//   - The subprotocol chosen for this request is added to the 101 response: gws chooses
//     subprotocols per Upgrader, wsroute per request (see Options.Subprotocols).
//   - After the handshake, gws's own writes are dropped and its Close does nothing. gws
//     still decides to fail a connection on a protocol error (it reads and inflates), and
//     then writes a close frame of its own; wsroute writes the close frame instead, when
//     gws reports the error to OnClose (closeFor), so that the peer sees the codes of
//     docs/close-codes.md whatever gws would have written, and the frame goes out in
//     order behind the replies already corked.
//
// Everything wsroute writes goes through wmu: batches (batch.go, writers.go), the cork of
// replies and control frames, and the close frame, after which nothing more is written.
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
	hsDone    bool // the handshake response has been written: gws writes no more
	closeSent bool // a close frame has been written: nothing may follow

	corkMu     sync.Mutex
	cork       *[]byte     // frames of replies not yet written, pooled
	pingWanted bool        // a ping goes out ahead of the cork; guarded by corkMu
	pongWanted bool        // a pong of pongData goes out ahead of the cork; corkMu
	pongData   []byte      // payload of the newest unanswered ping; corkMu
	corked     atomic.Bool // cork != nil or a control frame is wanted
	corkTimer  *time.Timer // flushes a cork held while further handlers run; read goroutine
	timerArmed atomic.Bool // corkTimer is pending

	readFailed atomic.Bool                // a read from the network failed: the transport is gone
	failed     atomic.Pointer[CloseEvent] // the failing close frame written, for the close event
	connErr    atomic.Pointer[ConnError]  // the first transport error, for the error handler
}

// noteErr records the first transport error of op ("read" or "write") for the error
// handler. The end of input and the closes wsroute made itself are not errors.
func (n *netConn) noteErr(op string, err error) {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return
	}
	if op == "read" && errors.Is(err, os.ErrDeadlineExceeded) {
		n.wmu.Lock()
		sent := n.closeSent
		n.wmu.Unlock()
		if sent {
			return // the close handshake's grace ran out
		}
	}
	n.connErr.CompareAndSwap(nil, &ConnError{Op: op, Err: err})
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
	if err != nil {
		n.readFailed.Store(true)
		n.noteErr("read", err)
	}
	if err == nil && k == len(p) && k < readAheadSize {
		n.readAhead() // p is full: more is probably waiting (readahead.go)
	}
	return k, err
}

// Write is gws's: the 101 response, then only the close frames of the failures it
// detects, which are dropped (see closeFor).
func (n *netConn) Write(p []byte) (int, error) {
	n.wmu.Lock()
	defer n.wmu.Unlock()
	if !n.hsDone {
		n.hsDone = true
		return n.writeHandshake(p)
	}
	return len(p), nil
}

// Close is gws's, called right after it writes a close frame; the connection is closed
// by wsroute once its own close frame is out (closeFor, writeClose).
func (n *netConn) Close() error { return nil }

// writeClose writes the cork, if any, then a close frame, after which nothing more is
// written. The connection is then half-closed, not closed: the peer's answer, and
// whatever it sent before it, are still read (and dropped), so that the kernel does not
// reset a connection with unread data, which would destroy what the peer has not read
// yet, the close frame included. The read loop ends at the peer's close frame, or after
// closeGrace, and closeFor then closes the connection.
func (n *netConn) writeClose(code StatusCode, reason string) error {
	n.wmu.Lock()
	defer n.wmu.Unlock()
	if n.closeSent {
		return net.ErrClosed
	}
	n.closeSent = true
	var b []byte
	if cork := n.takeCork(); cork != nil {
		b = *cork
		defer putCork(cork)
	}
	b = wire.AppendClose(b, uint16(code), reason)
	_, err := n.Conn.Write(b)
	if cw, ok := n.Conn.(interface{ CloseWrite() error }); ok && err == nil {
		_ = cw.CloseWrite()
		_ = n.Conn.SetReadDeadline(time.Now().Add(closeGrace))
	} else {
		_ = n.Conn.Close()
	}
	return err
}

// writeLocked writes p behind the cork, if there is one. n.wmu must be held.
func (n *netConn) writeLocked(p []byte) error {
	cork := n.takeCork()
	if cork == nil {
		_, err := n.Conn.Write(p)
		n.noteErr("write", err)
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
	n.noteErr("write", err)
	return err
}

var corkPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func putCork(b *[]byte) {
	if cap(*b) <= 4*corkFlush {
		*b = (*b)[:0]
		corkPool.Put(b)
	}
}

// corkFrame appends the frame of it, compressed from zmin bytes on, to the cork and
// returns the cork's size.
func (n *netConn) corkFrame(it *outItem, zmin int) int {
	n.corkMu.Lock()
	defer n.corkMu.Unlock()
	if n.cork == nil {
		n.cork = corkPool.Get().(*[]byte)
		n.corked.Store(true)
	}
	*n.cork = it.appendFrame(*n.cork, zmin)
	return len(*n.cork)
}

// takeCork takes the cork's frames, if any, for the caller to write and free: the
// wanted ping and pong first, then the replies.
func (n *netConn) takeCork() *[]byte {
	if !n.corked.Load() {
		return nil
	}
	n.corkMu.Lock()
	b := n.cork
	if n.pingWanted || n.pongWanted {
		c := corkPool.Get().(*[]byte)
		if n.pingWanted {
			*c = wire.AppendControl(*c, wire.OpPing, nil)
		}
		if n.pongWanted {
			*c = wire.AppendControl(*c, wire.OpPong, n.pongData)
		}
		if b != nil {
			*c = append(*c, *b...)
			putCork(b)
		}
		b = c
		n.pingWanted, n.pongWanted = false, false
	}
	n.cork = nil
	n.corked.Store(false)
	n.corkMu.Unlock()
	return b
}

// want asks for a ping or a pong (of payload) to go out ahead of the cork, and reports
// whether the caller must start a writer for it. Pongs are coalesced: while one waits,
// a newer ping only replaces its payload (RFC 6455 §5.5.3 allows answering the most
// recent ping only), so a client that floods pings and never reads cannot make the
// server queue pongs without bound.
func (n *netConn) want(op byte, payload []byte) {
	n.corkMu.Lock()
	if op == wire.OpPing {
		n.pingWanted = true
	} else {
		n.pongWanted = true
		n.pongData = append(n.pongData[:0], payload[:min(len(payload), wire.MaxControl)]...)
	}
	n.corked.Store(true)
	n.corkMu.Unlock()
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
	n.noteErr("write", err)
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

// upgrade hijacks the request's connection and completes the handshake through gws, on a
// netConn. gws's own Upgrade would read from the raw connection, so neither the buffered
// bytes nor the rewrites above would apply.
func (u *Upgrader) upgrade(w http.ResponseWriter, r *http.Request) (*gws.Conn, bool, error) {
	raw, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, false, err
	}
	nc := &netConn{Conn: raw, proto: handshake.Negotiate(u.opts.Subprotocols, r.Header)}
	if k := brw.Reader.Buffered(); k > 0 {
		p, _ := brw.Reader.Peek(k)
		nc.pre = bytes.Clone(p)
	}
	nc.rc = rawio.Conn(raw)
	nc.ra.rc, nc.ra.noRaw = nc.rc, nc.rc == nil
	deflate := u.opts.Compression && offersDeflate(r.Header)
	if !deflate && r.Header.Get("Sec-WebSocket-Extensions") != "" {
		r = r.Clone(r.Context()) // gws must not accept what wsroute declines
		r.Header.Del("Sec-WebSocket-Extensions")
	}
	conn, err := u.up.UpgradeFromConn(nc, bufio.NewReaderSize(nc, u.opts.ReadBufferSize), r)
	return conn, deflate, err
}

// offersDeflate reports whether the request's first extension offer, the one gws
// answers, is permessage-deflate that wsroute can serve: it compresses with a 32 KiB
// window, so an offer that limits the server's window (server_max_window_bits below
// 15) is declined rather than served out of spec, and the client gets uncompressed
// frames.
func offersDeflate(h http.Header) bool {
	ext := h.Get("Sec-WebSocket-Extensions")
	if !strings.Contains(ext, "permessage-deflate") {
		return false
	}
	first, _, _ := strings.Cut(ext, ",")
	if strings.TrimSpace(strings.Split(first, ";")[0]) != "permessage-deflate" {
		return false // gws looks for the name anywhere; wsroute only serves it first
	}
	for param := range strings.SplitSeq(first, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
		if strings.TrimSpace(k) == "server_max_window_bits" && ok && strings.Trim(strings.TrimSpace(v), `"`) != "15" {
			return false
		}
	}
	return true
}

// pong answers a ping, ahead of anything queued (see netConn.want).
func (c *Client) pong(payload []byte) {
	c.nc.want(wire.OpPong, payload)
	c.kick()
}

// kick starts a writer for what waits in the cork, unless one is at work: it writes
// the cork before anything else.
func (c *Client) kick() {
	c.mu.Lock()
	if c.inflight {
		c.mu.Unlock()
		return
	}
	c.inflight = true
	c.mu.Unlock()
	c.inflightSince.Store(time.Now().UnixNano())
	c.conn.Async(c.drainJob)
}

// closeFor ends the connection when gws's read loop has ended with err (as OnClose has
// it): it writes the close frame wsroute owes the peer, unless one went out already or
// the transport is gone, and closes the connection. It returns the event of a failure
// detected while reading, nil when there was none.
//
//   - The peer's close frame is answered as RFC 6455 §7.4 has it: 1000 for its codes
//     below 1016, its own code for 3000–4999, 1002 for a reserved or invalid code.
//   - A message over the size limit, even once inflated, gets 1009 "message too big".
//   - Data that cannot be inflated gets 1002 "invalid compressed data", and any other
//     broken frame 1002: gws reports those as the inner error, without a code.
func (n *netConn) closeFor(err error) *CloseEvent {
	n.wmu.Lock()
	sent := n.closeSent
	n.wmu.Unlock()
	var ce *gws.CloseError
	var ev *CloseEvent
	var code StatusCode
	var reason string
	switch {
	case sent:
		_ = n.Conn.Close()
		return nil
	case errors.As(err, &ce):
		code = echoCode(ce.Code, len(ce.Reason))
	case n.readFailed.Load():
		_ = n.Conn.Close() // the transport is gone: no frame can reach the peer
		return nil
	default:
		code, reason = failure(err)
		if code == StatusAbnormal {
			_ = n.Conn.Close()
			return nil
		}
		ev = &CloseEvent{Code: code, Reason: reason}
		n.failed.CompareAndSwap(nil, ev)
	}
	_ = n.Conn.SetWriteDeadline(time.Now().Add(closeGrace))
	_ = n.writeClose(code, reason)
	_ = n.Conn.Close() // the read loop has ended: nothing more to read
	return ev
}

// echoCode is the code that answers a peer's close frame with code (0 when it had none).
func echoCode(code uint16, reasonLen int) StatusCode {
	s := StatusCode(code)
	switch {
	case code == 0 && reasonLen == 0:
		return 0 // an empty close frame is answered with an empty one
	case !s.Sendable() || code == 0:
		return StatusProtocolError
	case s >= 3000:
		return s
	}
	return StatusNormalClosure
}

// failure is the close code and reason for an error gws's reader failed with.
func failure(err error) (StatusCode, string) {
	var sc interface{ Uint16() uint16 }
	if errors.As(err, &sc) && sc.Uint16() >= 1000 {
		code := StatusCode(sc.Uint16())
		switch code {
		case StatusMessageTooBig:
			return code, "message too big"
		case StatusAbnormal, StatusNoStatus:
			return StatusAbnormal, ""
		}
		if in, ok := closecode.Lookup(uint16(code)); ok {
			return code, in.Name
		}
		return code, ""
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if strings.HasPrefix(msg, "flate: ") || errors.Is(err, io.ErrUnexpectedEOF) {
		return StatusProtocolError, "invalid compressed data"
	}
	return StatusProtocolError, strings.TrimPrefix(msg, "gws: ")
}
