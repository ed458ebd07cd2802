package wsroutetest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
)

// DefaultTimeout is how long the waiting methods of a Conn wait unless Config.Timeout
// says otherwise. It is generous on purpose: only a broken test waits that long.
const DefaultTimeout = 10 * time.Second

// memoryHost is the host of an in-memory server's URL and of its handshakes.
const memoryHost = "wsroute.test"

// TB is the part of testing.TB the harness uses; *testing.T, *testing.B and *testing.F
// satisfy it. Fatalf must not return, as testing's does not.
type TB interface {
	Helper()
	Cleanup(f func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Config configures a Server. The zero value serves the registry on loopback TCP.
type Config struct {
	// Handler serves the requests in place of the registry, for an application that wraps
	// the registry in a handler of its own (a ServeMux with pages and HTTP endpoints
	// beside the sockets). Defaults to the registry.
	Handler http.Handler
	// InMemory serves over net.Pipe instead of loopback TCP: no port and no real socket,
	// so that the server and its clients run inside a testing/synctest bubble on the
	// fake clock. Only Dial reaches an in-memory server.
	InMemory bool
	// Timeout is how long Expect and the other waiting methods of the server's
	// connections wait, and how long the cleanup waits for the registry to shut down.
	// Inside a synctest bubble it is fake time. Defaults to DefaultTimeout.
	Timeout time.Duration
	// TypeField is the JSON field ExpectType and NextType match. Defaults to "type", like
	// route.Config.TypeField.
	TypeField string
	// ReplyField is the JSON field Request sets and matches in the reply. Defaults to
	// "callbackid", like route.Config.ReplyField.
	ReplyField string
}

// Server serves a route.Registry for one test, on loopback or in memory. It is shut down
// when the test ends: its connections are closed, the registry is shut down with
// Registry.Shutdown, and every goroutine it started has returned.
//
// All methods of Server are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:port" on loopback. In memory it is
	// "http://wsroute.test", where nothing listens: use it to build names, not requests.
	URL string
	// Registry is the registry served.
	Registry *route.Registry

	cfg     Config
	handler http.Handler
	hs      *httptest.Server // nil in memory
	pipes   sync.WaitGroup   // the in-memory handshakes being served

	mu     sync.Mutex // guards conns, closed
	conns  map[*Conn]struct{}
	closed bool
}

// NewServer starts a server for reg, shut down when t's test ends (t.Cleanup).
func NewServer(t TB, reg *route.Registry, cfg Config) *Server {
	t.Helper()
	if reg == nil {
		t.Fatalf("wsroutetest: NewServer: nil registry")
		return nil
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.TypeField == "" {
		cfg.TypeField = "type"
	}
	if cfg.ReplyField == "" {
		cfg.ReplyField = "callbackid"
	}
	s := &Server{Registry: reg, cfg: cfg, handler: cfg.Handler, conns: map[*Conn]struct{}{}}
	if s.handler == nil {
		s.handler = reg
	}
	if cfg.InMemory {
		s.URL = "http://" + memoryHost
	} else {
		s.hs = httptest.NewServer(s.handler)
		s.URL = s.hs.URL
	}
	t.Cleanup(func() {
		if err := s.close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s
}

// Close closes every connection of the server, shuts the registry down and stops
// serving. The test's cleanup calls it; calling it earlier tests what happens on
// shutdown (the clients are closed with 1001). Calling it again does nothing.
func (s *Server) Close() {
	_ = s.close()
}

func (s *Server) close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	err := s.Registry.Shutdown(ctx) // closes every client with 1001
	s.mu.Lock()
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	// Shutdown has sent each client its close frame (or dropped it): let the clients
	// read it, rather than send one of their own across it, and drop those that are
	// still open at the deadline.
	expired := make(chan struct{})
	deadline := time.AfterFunc(s.cfg.Timeout, func() { close(expired) })
	defer deadline.Stop()
	for _, c := range conns {
		select {
		case <-c.done:
		case <-expired:
			c.Drop()
		}
	}
	s.pipes.Wait()
	if s.hs != nil {
		s.hs.Close()
	}
	if err != nil {
		return errors.New("wsroutetest: the registry did not shut down within " + s.cfg.Timeout.String() + ": " + err.Error())
	}
	return nil
}

// DialOption sets an option of one Dial.
type DialOption func(*dialOptions)

type dialOptions struct {
	header    http.Header
	protocols []string
	compress  bool
}

// WithHeader adds h to the handshake request's headers (Origin, Cookie,
// Authorization, X-Forwarded-For...).
func WithHeader(h http.Header) DialOption {
	return func(o *dialOptions) {
		for k, v := range h {
			o.header[http.CanonicalHeaderKey(k)] = append(o.header[http.CanonicalHeaderKey(k)], v...)
		}
	}
}

// WithSubprotocols offers the subprotocols names in Sec-WebSocket-Protocol. As a
// browser does, the dial fails when the server accepts none of them.
func WithSubprotocols(names ...string) DialOption {
	return func(o *dialOptions) { o.protocols = append(o.protocols, names...) }
}

// WithCompression offers permessage-deflate; the connection uses it if the server
// accepts (Conn.Compressed).
func WithCompression() DialOption {
	return func(o *dialOptions) { o.compress = true }
}

// Dial opens a WebSocket connection to path (with its query, if any) as a client, or
// fails the test. The connection is closed when t's test ends. Its methods report
// failures to t.
func (s *Server) Dial(t TB, path string, opts ...DialOption) *Conn {
	t.Helper()
	c, resp, err := s.DialErr(t, path, opts...)
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("wsroutetest: dial %s: HTTP %d %s", path, resp.StatusCode, http.StatusText(resp.StatusCode))
		} else {
			t.Fatalf("wsroutetest: dial %s: %v", path, err)
		}
		return nil
	}
	return c
}

// DialErr is Dial without failing the test, for handshakes meant to be refused: it
// returns the error and, when the server answered, its response (whose StatusCode is
// that of a refusal). A connection it opens is closed when t's test ends.
func (s *Server) DialErr(t TB, path string, opts ...DialOption) (*Conn, *http.Response, error) {
	o := dialOptions{header: http.Header{}}
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.protocols) > 0 {
		o.header.Set("Sec-WebSocket-Protocol", strings.Join(o.protocols, ", "))
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	c := &Conn{
		tb: t, srv: s, path: path, timeout: s.cfg.Timeout,
		typeField: s.cfg.TypeField, replyField: s.cfg.ReplyField,
		wake: make(chan struct{}), done: make(chan struct{}),
	}
	opt := wstest.EventOptions{
		URL:         "ws" + strings.TrimPrefix(s.URL, "http") + path,
		Header:      o.header,
		Compression: o.compress,
		Timeout:     s.cfg.Timeout,
	}
	errClosed := errors.New("wsroutetest: dial " + path + ": server closed")
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, nil, errClosed
	}
	if s.cfg.InMemory {
		var srvEnd net.Conn
		srvEnd, opt.Conn = net.Pipe()
		s.pipes.Go(func() { wstest.ServeConn(s.handler, srvEnd) }) // under mu: close waits for it
	}
	s.mu.Unlock()

	ws, resp, err := wstest.DialEvents(opt, wstest.Events{Message: c.received, Close: c.ended})
	if err != nil {
		return nil, resp, err
	}
	c.ws, c.resp = ws, resp
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.conns[c] = struct{}{}
	}
	s.mu.Unlock()
	if closed { // closed while this dial was under way
		c.end()
		return nil, resp, errClosed
	}
	t.Cleanup(c.end)
	return c, resp, nil
}

// forget drops c from the connections close must end, once it has ended.
func (s *Server) forget(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}
