package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/rawio"
)

// bcastLoad is one publisher and N receivers: the publisher sends K messages to the
// server's publish path, which broadcasts each one to every receiver; at most W messages
// are in flight (published but not yet received by every receiver). Each message carries
// its send time, so that every delivery is timed. In the slow-consumer variant one more
// receiver never reads.
type bcastLoad struct {
	p        clientParams
	recv     []*bcastConn
	pub      *gws.Conn
	pubHello chan struct{}
	slow     *slowConn // nil unless the slow-consumer variant

	counts    []atomic.Int32 // deliveries of each message
	window    chan struct{}
	completed atomic.Int64
	done      chan struct{}
	lat       hist

	failed  chan struct{}
	failMu  sync.Mutex
	failErr error
	wire    *atomic.Int64 // bytes the connections have read
}

// A broadcast message is a JSON object of fixed layout: the send time in nanoseconds and
// the sequence number as strings of digits (JSON numbers cannot have leading zeros), then
// padding up to the message size.
const (
	bcastHead  = `{"t":"0000000000000000000","s":"0000000","p":"`
	bcastMin   = len(bcastHead) + len(`"}`)
	bcastTime  = 6  // 19 digits
	bcastSeq   = 32 // 7 digits
	bcastPadAt = len(bcastHead)
)

type bcastConn struct {
	gws.BuiltinEventHandler
	l       *bcastLoad
	conn    *gws.Conn
	hello   chan struct{}
	greeted bool
}

func setupBroadcast(p clientParams, d *dialer, deadline time.Time, withSlow bool) (load, error) {
	if p.Size < bcastMin {
		return nil, fmt.Errorf("broadcast messages are at least %d bytes", bcastMin)
	}
	l := &bcastLoad{
		p:        p,
		recv:     make([]*bcastConn, p.Conns),
		counts:   make([]atomic.Int32, p.Msgs),
		window:   make(chan struct{}, p.Window),
		done:     make(chan struct{}),
		failed:   make(chan struct{}),
		pubHello: make(chan struct{}),
		wire:     &d.read,
	}
	err := d.dialMany(p.Conns, deadline, func(i int) error {
		bc := &bcastConn{l: l, hello: make(chan struct{})}
		conn, err := d.dial(pathBcast, bc, 0)
		if err != nil {
			return err
		}
		bc.conn = conn
		l.recv[i] = bc
		go conn.ReadLoop()
		return waitChan(bc.hello, deadline, "hello")
	})
	if err == nil && withSlow {
		l.slow, err = dialSlow(d, pathBcast)
	}
	if err == nil {
		l.pub, err = d.dial(pathPub, &helloConn{hello: l.pubHello}, 0)
		if err == nil {
			go l.pub.ReadLoop()
			err = waitChan(l.pubHello, deadline, "hello")
		}
	}
	if err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

// helloConn only waits for the server's hello.
type helloConn struct {
	gws.BuiltinEventHandler
	hello   chan struct{}
	greeted bool
}

func (h *helloConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	if !h.greeted {
		h.greeted = true
		close(h.hello)
	}
}

func (l *bcastLoad) fail(err error) {
	l.failMu.Lock()
	defer l.failMu.Unlock()
	if l.failErr == nil {
		l.failErr = err
		close(l.failed)
	}
}

func (bc *bcastConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	if !bc.greeted {
		bc.greeted = true
		close(bc.hello)
		return
	}
	now := time.Now().UnixNano()
	b := m.Bytes()
	if len(b) != bc.l.p.Size || string(b[:bcastTime]) != bcastHead[:bcastTime] {
		bc.l.fail(fmt.Errorf("broadcast: unexpected message %.40q", b))
		return
	}
	t, err1 := strconv.ParseInt(string(b[bcastTime:bcastTime+19]), 10, 64)
	seq, err2 := strconv.Atoi(string(b[bcastSeq : bcastSeq+7]))
	if err1 != nil || err2 != nil || seq >= len(bc.l.counts) {
		bc.l.fail(fmt.Errorf("broadcast: malformed message %.40q", b))
		return
	}
	bc.l.lat.Record(time.Duration(now - t))
	if int(bc.l.counts[seq].Add(1)) == len(bc.l.recv) {
		<-bc.l.window
		if bc.l.completed.Add(1) == int64(len(bc.l.counts)) {
			close(bc.l.done)
		}
	}
}

func (bc *bcastConn) OnClose(_ *gws.Conn, err error) {
	select {
	case <-bc.l.done:
	default:
		bc.l.fail(fmt.Errorf("broadcast: a receiver closed: %v", err))
	}
}

func (l *bcastLoad) run(deadline time.Time) (metrics, error) {
	msg := make([]byte, l.p.Size)
	copy(msg, bcastHead)
	fillPad(msg[bcastPadAt:len(msg)-2], l.p.Payload)
	copy(msg[len(msg)-2:], `"}`)
	wire0 := l.wire.Load()
	start := time.Now()
	go func() {
		for seq := range l.p.Msgs {
			select {
			case l.window <- struct{}{}:
			case <-l.failed:
				return
			}
			putDigits(msg[bcastSeq:bcastSeq+7], uint64(seq))
			putDigits(msg[bcastTime:bcastTime+19], uint64(time.Now().UnixNano()))
			if err := l.pub.WriteMessage(gws.OpcodeText, msg); err != nil {
				l.fail(fmt.Errorf("broadcast: publish: %w", err))
				return
			}
		}
	}()
	select {
	case <-l.done:
	case <-l.failed:
		return nil, l.failErr
	case <-time.After(time.Until(deadline)):
		l.fail(errors.New("broadcast: timeout"))
		return nil, l.failErr
	}
	elapsed := time.Since(start)
	n := float64(len(l.recv) * l.p.Msgs)
	m := metrics{
		"ops":              n,
		"elapsed_s":        elapsed.Seconds(),
		"deliveries_per_s": n / elapsed.Seconds(),
		// The publisher reads nothing after its hello: this is what a delivery weighs.
		"wire_bytes_per_op": float64(l.wire.Load()-wire0) / n,
	}
	latencyMetrics(m, "lat", &l.lat)
	if l.slow != nil {
		// What the server holds while the slow consumer is still connected, after a GC.
		s, err := serverStatsOf(l.p.Addr, true)
		if err != nil {
			return nil, err
		}
		m["held_rss_bytes"] = float64(s.RSS)
		m["held_heap_bytes"] = float64(s.HeapInuse)
		frames, code, ended := l.slow.drain(deadline, l.p.Msgs)
		m["slow_received"] = float64(frames)
		m["slow_close_code"] = float64(code)
		m["slow_dropped"] = 0
		if ended {
			m["slow_dropped"] = 1
		}
	}
	return m, nil
}

func putDigits(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

func (l *bcastLoad) close() {
	l.fail(errors.New("closed"))
	for _, bc := range l.recv {
		if bc != nil && bc.conn != nil {
			_ = bc.conn.NetConn().Close()
		}
	}
	if l.pub != nil {
		_ = l.pub.NetConn().Close()
	}
	if l.slow != nil {
		_ = l.slow.conn.Close()
	}
}

// slowConn is a WebSocket client written by hand on a TCP connection with a 4 KiB receive
// buffer: after the handshake and the server's hello it reads nothing until drain.
type slowConn struct {
	conn net.Conn
	br   *bufio.Reader
}

func dialSlow(d *dialer, path string) (*slowConn, error) {
	src := d.srcs[int(d.next.Add(1))%len(d.srcs)]
	nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second,
		Control: func(_, _ string, rc syscall.RawConn) error {
			return rawio.SetReceiveBuffer(rc, 4096)
		}}
	nc, err := nd.Dial("tcp", d.addr)
	if err != nil {
		return nil, err
	}
	s := &slowConn{conn: nc, br: bufio.NewReaderSize(nc, 16)}
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + d.addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		_ = nc.Close()
		return nil, err
	}
	status, err := s.br.ReadString('\n')
	if err == nil && !strings.HasPrefix(status, "HTTP/1.1 101") {
		err = fmt.Errorf("slow consumer: handshake: %q", strings.TrimSpace(status))
	}
	for err == nil {
		var line string
		line, err = s.br.ReadString('\n')
		if line == "\r\n" {
			break
		}
	}
	if err == nil {
		var op int
		op, _, err = s.readFrame() // the hello: the server has registered us
		if err == nil && op != 1 {
			err = fmt.Errorf("slow consumer: first frame has opcode %d", op)
		}
	}
	_ = nc.SetDeadline(time.Time{})
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	return s, nil
}

// readFrame reads one unmasked server frame and returns its opcode and payload.
func (s *slowConn) readFrame() (int, []byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(s.br, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(s.br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(s.br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > 16<<20 {
		return 0, nil, fmt.Errorf("slow consumer: frame of %d bytes", n)
	}
	p := make([]byte, n)
	_, err := io.ReadFull(s.br, p)
	return int(h[0] & 0x0f), p, err
}

// drain reads what the server sent the slow consumer until the connection ends, a close
// frame arrives, all want messages have come (a server that never gave up on it) or
// deadline passes. It returns the number of data frames, the close code (0 for none) and
// whether the server ended the connection.
func (s *slowConn) drain(deadline time.Time, want int) (frames, code int, ended bool) {
	if limit := time.Now().Add(10 * time.Second); limit.Before(deadline) {
		deadline = limit
	}
	_ = s.conn.SetReadDeadline(deadline)
	s.br = bufio.NewReaderSize(s.conn, 64<<10)
	for {
		op, p, err := s.readFrame()
		if err != nil {
			var ne net.Error
			return frames, code, !(errors.As(err, &ne) && ne.Timeout())
		}
		switch op {
		case 1, 2:
			if frames++; frames == want {
				return frames, code, false
			}
		case 8:
			if len(p) >= 2 {
				code = int(binary.BigEndian.Uint16(p))
			}
			return frames, code, true
		}
	}
}
