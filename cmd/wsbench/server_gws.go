package main

import (
	"net/http"
	"runtime"
	"sync"

	"github.com/lxzan/gws"
)

// gwsServer does the benchmark's jobs with gws alone, the way gws's README writes them:
// an Upgrader per job on net/http, ReadLoop on a goroutine of its own, echo with a
// synchronous WriteMessage, broadcast with a Broadcaster. Like the wsroute server it keeps
// a set of the live connections of each job.
type gwsServer struct {
	ups map[string]*gws.Upgrader

	mu    sync.Mutex // guards conns
	conns map[string]map[*gws.Conn]struct{}
}

func newGwsServer(o serverOptions) *gwsServer {
	s := &gwsServer{ups: map[string]*gws.Upgrader{}, conns: map[string]map[*gws.Conn]struct{}{}}
	opt := func() *gws.ServerOption {
		so := &gws.ServerOption{ReadMaxPayloadSize: 1 << 20, ReadBufferSize: o.ReadBufferSize}
		if o.Deflate {
			// gws's defaults (threshold 512 bytes, level 1, no server context takeover, as
			// wsroute negotiates), except for the compressor pool: gws builds it up front
			// per upgrader, 32 by default, some 17 MB for each of the five paths. The same
			// size as wsroute's (one per processor) keeps both heaps alike.
			so.PermessageDeflate = gws.PermessageDeflate{Enabled: true, PoolSize: runtime.GOMAXPROCS(0)}
		}
		return so
	}
	for _, p := range []string{pathEcho, pathBcast, pathPub, pathIdle, pathChurn} {
		s.conns[p] = map[*gws.Conn]struct{}{}
		s.ups[p] = gws.NewUpgrader(&gwsEvents{s: s, path: p}, opt())
	}
	return s
}

func (s *gwsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	up := s.ups[r.URL.Path]
	if up == nil {
		http.NotFound(w, r)
		return
	}
	conn, err := up.Upgrade(w, r)
	if err != nil {
		return
	}
	go conn.ReadLoop()
}

func (s *gwsServer) Online() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, cs := range s.conns {
		n += len(cs)
	}
	return n
}

// receivers appends the live broadcast receivers to dst.
func (s *gwsServer) receivers(dst []*gws.Conn) []*gws.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns[pathBcast] {
		dst = append(dst, c)
	}
	return dst
}

var gwsConnBuf = sync.Pool{New: func() any { s := make([]*gws.Conn, 0, 1024); return &s }}

// gwsEvents handles the connections of one job.
type gwsEvents struct {
	gws.BuiltinEventHandler
	s    *gwsServer
	path string
}

func (e *gwsEvents) OnOpen(c *gws.Conn) {
	e.s.mu.Lock()
	e.s.conns[e.path][c] = struct{}{}
	e.s.mu.Unlock()
	_ = c.WriteMessage(gws.OpcodeText, helloMsg)
}

func (e *gwsEvents) OnClose(c *gws.Conn, _ error) {
	e.s.mu.Lock()
	delete(e.s.conns[e.path], c)
	e.s.mu.Unlock()
}

func (e *gwsEvents) OnPing(c *gws.Conn, p []byte) { _ = c.WritePong(p) }

func (e *gwsEvents) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	switch e.path {
	case pathEcho:
		_ = c.WriteMessage(m.Opcode, m.Bytes())
	case pathPub:
		buf := gwsConnBuf.Get().(*[]*gws.Conn)
		*buf = e.s.receivers((*buf)[:0])
		b := gws.NewBroadcaster(m.Opcode, m.Bytes())
		for _, r := range *buf {
			_ = b.Broadcast(r, nil)
		}
		_ = b.Close()
		clear(*buf)
		gwsConnBuf.Put(buf)
	}
}
