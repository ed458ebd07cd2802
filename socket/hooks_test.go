package socket_test

import (
	"log/slog"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/socket"
)

// handlerFuncs is a socket.Handler and socket.ControlHandler made of optional funcs.
type handlerFuncs struct {
	open    func(*socket.Client)
	message func(*socket.Client, socket.Message)
	err     func(*socket.Client, error)
	close   func(*socket.Client, socket.CloseEvent)
	ping    func(*socket.Client, []byte)
	pong    func(*socket.Client, []byte)
}

func (h *handlerFuncs) HandleOpen(c *socket.Client) {
	if h.open != nil {
		h.open(c)
	}
}

func (h *handlerFuncs) HandleMessage(c *socket.Client, m socket.Message) {
	if h.message != nil {
		h.message(c, m)
	}
}

func (h *handlerFuncs) HandleError(c *socket.Client, err error) {
	if h.err != nil {
		h.err(c, err)
	}
}

func (h *handlerFuncs) HandleClose(c *socket.Client, e socket.CloseEvent) {
	if h.close != nil {
		h.close(c, e)
	}
}

func (h *handlerFuncs) HandlePing(c *socket.Client, p []byte) {
	if h.ping != nil {
		h.ping(c, p)
	}
}

func (h *handlerFuncs) HandlePong(c *socket.Client, p []byte) {
	if h.pong != nil {
		h.pong(c, p)
	}
}

// testServer upgrades requests with one upgrader and serves every client with h, as the
// registry does. Each new client is handed to the clients channel before it is served,
// together with its state at that moment.
type testServer struct {
	up      *socket.Upgrader
	hub     *socket.Hub
	h       socket.Handler
	clients chan accepted
}

type accepted struct {
	c     *socket.Client
	state socket.State // at the upgrade, before Serve
}

func newTestServer(o socket.Options, h socket.Handler) *testServer {
	hub := socket.NewHub(socket.HubConfig{PingInterval: -1})
	o.Hub = hub
	o.Logger = slog.New(slog.DiscardHandler)
	return &testServer{
		up:      socket.NewUpgrader(o),
		hub:     hub,
		h:       h,
		clients: make(chan accepted, 16),
	}
}

func (s *testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := s.up.Upgrade(w, r, socket.Info{URL: r.URL.Path})
	if err != nil {
		return
	}
	s.clients <- accepted{c, c.State()}
	c.Serve(s.h)
}

// dial connects a wire client over net.Pipe (inside a synctest bubble) and returns it
// with the server's client for it, once that client's open handler has run.
func (s *testServer) dial(t *testing.T, o wstest.Options) (*wstest.Conn, *socket.Client) {
	t.Helper()
	conn, a := s.dialState(t, o)
	return conn, a.c
}

func (s *testServer) dialState(t *testing.T, o wstest.Options) (*wstest.Conn, accepted) {
	t.Helper()
	conn, _, err := wstest.Pipe(s, "/t/", o)
	require.NoError(t, err)
	synctest.Wait()
	return conn, <-s.clients
}

// drain returns the text of every message conn has received so far.
func drain(conn *wstest.Conn) []string {
	synctest.Wait()
	var out []string
	for {
		f, ok := conn.TryRecv()
		if !ok {
			return out
		}
		out = append(out, string(f.Data))
	}
}
