package peer_test

import (
	"log/slog"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

// handlerFuncs is a peer.Handler and peer.ControlHandler made of optional funcs.
type handlerFuncs struct {
	open    func(*peer.Client)
	message func(*peer.Client, peer.Message)
	err     func(*peer.Client, error)
	close   func(*peer.Client, peer.CloseEvent)
	ping    func(*peer.Client, []byte)
	pong    func(*peer.Client, []byte)
}

func (h *handlerFuncs) HandleOpen(c *peer.Client) {
	if h.open != nil {
		h.open(c)
	}
}

func (h *handlerFuncs) HandleMessage(c *peer.Client, m peer.Message) {
	if h.message != nil {
		h.message(c, m)
	}
}

func (h *handlerFuncs) HandleError(c *peer.Client, err error) {
	if h.err != nil {
		h.err(c, err)
	}
}

func (h *handlerFuncs) HandleClose(c *peer.Client, e peer.CloseEvent) {
	if h.close != nil {
		h.close(c, e)
	}
}

func (h *handlerFuncs) HandlePing(c *peer.Client, p []byte) {
	if h.ping != nil {
		h.ping(c, p)
	}
}

func (h *handlerFuncs) HandlePong(c *peer.Client, p []byte) {
	if h.pong != nil {
		h.pong(c, p)
	}
}

// testServer upgrades requests with one upgrader and serves every client with h, as the
// registry does. Each new client is handed to the clients channel before it is served,
// together with its state at that moment.
type testServer struct {
	up      *peer.Upgrader
	hub     *peer.Hub
	h       peer.Handler
	clients chan accepted
}

type accepted struct {
	c     *peer.Client
	state peer.State // at the upgrade, before Serve
}

func newTestServer(o peer.Options, h peer.Handler) *testServer {
	hub := peer.NewHub(peer.HubConfig{PingInterval: -1})
	o.Hub = hub
	o.Logger = slog.New(slog.DiscardHandler)
	return &testServer{
		up:      peer.NewUpgrader(o),
		hub:     hub,
		h:       h,
		clients: make(chan accepted, 16),
	}
}

func (s *testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := s.up.Upgrade(w, r, peer.Info{URL: r.URL.Path})
	if err != nil {
		return
	}
	s.clients <- accepted{c, c.State()}
	c.Serve(s.h)
}

// dial connects a wire client over net.Pipe (inside a synctest bubble) and returns it
// with the server's client for it, once that client's open handler has run.
func (s *testServer) dial(t *testing.T, o wstest.Options) (*wstest.Conn, *peer.Client) {
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
