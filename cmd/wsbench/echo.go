package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"
)

// echoLoad is N connections, each sending M messages with at most W unanswered, and
// timing every round trip.
type echoLoad struct {
	p       clientParams
	payload []byte
	conns   []*echoConn
	rtt     hist
	wg      sync.WaitGroup // one per connection, done when all its echoes are back
	failed  chan struct{}  // closed when a connection ends early
	failMu  sync.Mutex
	failErr error
	wire    *atomic.Int64 // bytes the connections have read
}

type echoConn struct {
	gws.BuiltinEventHandler
	l       *echoLoad
	conn    *gws.Conn
	hello   chan struct{}
	greeted bool
	sent    chan int64 // send times of the messages in flight: the window
	left    atomic.Int64
}

func setupEcho(p clientParams, d *dialer, deadline time.Time) (load, error) {
	payload, err := jsonPayload(p.Size, p.Payload)
	if err != nil {
		return nil, err
	}
	l := &echoLoad{p: p, payload: payload, conns: make([]*echoConn, p.Conns), failed: make(chan struct{}), wire: &d.read}
	err = d.dialMany(p.Conns, deadline, func(i int) error {
		ec := &echoConn{l: l, hello: make(chan struct{}), sent: make(chan int64, p.Window)}
		ec.left.Store(int64(p.Msgs))
		conn, err := d.dial(pathEcho, ec, 0)
		if err != nil {
			return err
		}
		ec.conn = conn
		l.conns[i] = ec
		go conn.ReadLoop()
		return waitChan(ec.hello, deadline, "hello")
	})
	if err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

func (l *echoLoad) fail(err error) {
	l.failMu.Lock()
	defer l.failMu.Unlock()
	if l.failErr == nil {
		l.failErr = err
		close(l.failed)
	}
}

func (ec *echoConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	if !ec.greeted {
		ec.greeted = true
		close(ec.hello)
		return
	}
	now := time.Now().UnixNano()
	select {
	case t := <-ec.sent:
		ec.l.rtt.Record(time.Duration(now - t))
	default:
		ec.l.fail(errors.New("echo: a message that was not sent"))
		return
	}
	if len(m.Bytes()) != len(ec.l.payload) {
		ec.l.fail(fmt.Errorf("echo: got %d bytes, sent %d", len(m.Bytes()), len(ec.l.payload)))
	}
	if ec.left.Add(-1) == 0 {
		ec.l.wg.Done()
	}
}

// OnClose may run on a writing goroutine, hence the atomic counter.
func (ec *echoConn) OnClose(_ *gws.Conn, err error) {
	if n := ec.left.Load(); n > 0 {
		ec.l.fail(fmt.Errorf("echo: connection closed with %d echoes missing: %v", n, err))
	}
}

func (l *echoLoad) run(deadline time.Time) (metrics, error) {
	l.wg.Add(len(l.conns))
	wire0 := l.wire.Load()
	start := time.Now()
	for _, ec := range l.conns {
		go func() {
			for range l.p.Msgs {
				select {
				case ec.sent <- time.Now().UnixNano():
				case <-l.failed:
					return
				}
				if err := ec.conn.WriteMessage(gws.OpcodeText, l.payload); err != nil {
					l.fail(fmt.Errorf("echo: send: %w", err))
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-l.failed:
		return nil, l.failErr
	case <-time.After(time.Until(deadline)):
		l.fail(errors.New("echo: timeout"))
		return nil, l.failErr
	}
	elapsed := time.Since(start)
	n := float64(len(l.conns) * l.p.Msgs)
	m := metrics{
		"ops":               n,
		"elapsed_s":         elapsed.Seconds(),
		"msgs_per_s":        n / elapsed.Seconds(),
		"wire_bytes_per_op": float64(l.wire.Load()-wire0) / n,
	}
	latencyMetrics(m, "rtt", &l.rtt)
	return m, nil
}

func (l *echoLoad) close() {
	l.fail(errors.New("closed"))
	for _, ec := range l.conns {
		if ec != nil && ec.conn != nil {
			_ = ec.conn.NetConn().Close()
		}
	}
}
