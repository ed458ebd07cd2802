package peer

import (
	"sync"
	"syscall"

	"github.com/wsroute/wsroute/internal/rawio"
)

// Read-ahead: every connection keeps a small read buffer (Options.ReadBufferSize, 1 KiB by
// default) for as long as it is open, because an idle connection should cost little. A
// busy one would then read a large message, or a run of small ones, in many system
// calls. So when a read fills what gws asked for, which means more is probably waiting,
// netConn makes one non-blocking read into a pooled 16 KiB buffer and serves the next
// reads from it; the buffer goes back to the pool as soon as it is drained, before the
// connection blocks waiting for data again.

const readAheadSize = 16 << 10

var readAheadPool = sync.Pool{New: func() any { b := make([]byte, readAheadSize); return &b }}

// readAheadState is netConn's; the read goroutine only.
type readAheadState struct {
	rc     syscall.RawConn // nil until first needed; unset when the conn has none
	noRaw  bool            // the conn offers no RawConn (TLS, net.Pipe): no read-ahead
	buf    *[]byte         // pooled, while it holds unread bytes
	unread []byte          // the unread part of *buf
}

// readBuffered serves p from the read-ahead buffer, if it holds anything.
func (n *netConn) readBuffered(p []byte) (int, bool) {
	ra := &n.ra
	if len(ra.unread) == 0 {
		return 0, false
	}
	k := copy(p, ra.unread)
	ra.unread = ra.unread[k:]
	if len(ra.unread) == 0 {
		readAheadPool.Put(ra.buf)
		ra.buf, ra.unread = nil, nil
	}
	return k, true
}

// readAhead makes one non-blocking read into a pooled buffer. Errors and end of file
// are left for the next blocking read to find.
func (n *netConn) readAhead() {
	ra := &n.ra
	if ra.noRaw {
		return
	}
	if ra.rc == nil {
		ra.rc = rawio.Conn(n.Conn)
		if ra.rc == nil {
			ra.noRaw = true
			return
		}
	}
	buf := readAheadPool.Get().(*[]byte)
	k, err := rawio.TryRead(ra.rc, *buf)
	if err != nil || k <= 0 {
		readAheadPool.Put(buf)
		return
	}
	ra.buf, ra.unread = buf, (*buf)[:k]
}
