package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"
)

// idleLoad holds N connections that send nothing. Its run does nothing: the orchestrator
// measures the server while the connections sit there.
type idleLoad struct {
	conns  []*gws.Conn
	closed atomic.Int64 // connections the server ended while they should have stayed
}

func setupIdle(p clientParams, d *dialer, deadline time.Time) (load, error) {
	l := &idleLoad{conns: make([]*gws.Conn, p.Conns)}
	var mu sync.Mutex
	err := d.dialMany(p.Conns, deadline, func(i int) error {
		h := &idleConn{l: l, hello: make(chan struct{})}
		conn, err := d.dial(pathIdle, h, 0)
		if err != nil {
			return err
		}
		mu.Lock()
		l.conns[i] = conn
		mu.Unlock()
		go conn.ReadLoop()
		return waitChan(h.hello, deadline, "hello")
	})
	if err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

type idleConn struct {
	gws.BuiltinEventHandler
	l       *idleLoad
	hello   chan struct{}
	greeted bool
}

func (h *idleConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	if !h.greeted {
		h.greeted = true
		close(h.hello)
	}
}

func (h *idleConn) OnClose(*gws.Conn, error) { h.l.closed.Add(1) }

func (l *idleLoad) run(time.Time) (metrics, error) {
	if n := l.closed.Load(); n > 0 {
		return nil, fmt.Errorf("idle: the server closed %d connections", n)
	}
	return metrics{"ops": float64(len(l.conns))}, nil
}

func (l *idleLoad) close() {
	for _, c := range l.conns {
		if c != nil {
			_ = c.NetConn().Close()
		}
	}
}

// churnLoad opens and closes connections, Workers at a time, Conns in all: each dials,
// waits for the server's hello, starts the close handshake and waits for the server to
// end the connection. Its run does all the work; setup dials nothing.
type churnLoad struct {
	p clientParams
	d *dialer
}

type churnConn struct {
	gws.BuiltinEventHandler
	hello  chan struct{}
	closed chan struct{}
	got    bool
}

func (h *churnConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	if !h.got {
		h.got = true
		close(h.hello)
	}
}

func (h *churnConn) OnClose(*gws.Conn, error) { close(h.closed) }

func (l *churnLoad) run(deadline time.Time) (metrics, error) {
	var connect, cycle hist
	start := time.Now()
	err := l.d.dialMany(l.p.Conns, deadline, func(int) error {
		t0 := time.Now()
		h := &churnConn{hello: make(chan struct{}), closed: make(chan struct{})}
		conn, err := l.d.dial(pathChurn, h, 0)
		if err != nil {
			return err
		}
		go conn.ReadLoop()
		if err := waitChan(h.hello, deadline, "hello"); err != nil {
			_ = conn.NetConn().Close()
			return err
		}
		connect.Record(time.Since(t0))
		// A browser's close: send a close frame and let the server end the connection.
		if err := conn.WriteMessage(gws.OpcodeCloseConnection, []byte{0x03, 0xe8}); err != nil {
			_ = conn.NetConn().Close()
			return err
		}
		if err := waitChan(h.closed, time.Now().Add(10*time.Second), "close"); err != nil {
			_ = conn.NetConn().Close()
			return errors.Join(err, errors.New("churn: the server did not end the connection"))
		}
		cycle.Record(time.Since(t0))
		return nil
	})
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	m := metrics{
		"ops":         float64(l.p.Conns),
		"elapsed_s":   elapsed.Seconds(),
		"conns_per_s": float64(l.p.Conns) / elapsed.Seconds(),
	}
	latencyMetrics(m, "connect", &connect)
	latencyMetrics(m, "cycle", &cycle)
	return m, nil
}

func (l *churnLoad) close() {}
