package peer_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

// startServer is testServer serving its clients with Start, as the registry does: the
// open handler runs on the handshake's goroutine, and done reports the end of each read
// loop.
type startServer struct {
	up      *peer.Upgrader
	h       peer.Handler
	clients chan *peer.Client
	done    chan string // client IDs, as their read loops end
	opened  chan string // client IDs, once Start has returned
}

func newStartServer(o peer.Options, h peer.Handler) *startServer {
	if o.Hub == nil {
		o.Hub = peer.NewHub(peer.HubConfig{PingInterval: -1})
	}
	o.Logger = slog.New(slog.DiscardHandler)
	return &startServer{
		up: peer.NewUpgrader(o), h: h,
		clients: make(chan *peer.Client, 16), done: make(chan string, 16), opened: make(chan string, 16),
	}
}

func (s *startServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := s.up.Upgrade(w, r, peer.Info{URL: r.URL.Path})
	if err != nil {
		return
	}
	s.clients <- c
	c.Start(s.h, func() { s.done <- c.ID() })
	s.opened <- c.ID()
}

func (s *startServer) dial(t *testing.T) (*wstest.Conn, *peer.Client) {
	t.Helper()
	conn, _, err := wstest.Pipe(s, "/t/", wstest.Options{})
	require.NoError(t, err)
	return conn, <-s.clients
}

// TestStart checks Client.Start: the open handler runs before Start returns, on the
// calling goroutine; messages are handled after it; done comes once, after the close
// handler.
func TestStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		events := make(chan string, 16)
		var srv *startServer
		srv = newStartServer(peer.Options{}, &handlerFuncs{
			open: func(c *peer.Client) {
				select {
				case id := <-srv.opened:
					t.Errorf("open handler of %s ran after Start returned for %s", c.ID(), id)
				default:
				}
				events <- "open"
			},
			message: func(c *peer.Client, m peer.Message) { events <- "message " + m.String() },
			close:   func(c *peer.Client, e peer.CloseEvent) { events <- fmt.Sprintf("close %d", e.Code) },
		})
		w, c := srv.dial(t)
		w.SendText(t, `"first"`) // written right behind the handshake
		assert.Equal(t, c.ID(), <-srv.opened)
		assert.Equal(t, "open", <-events)
		assert.Equal(t, `message "first"`, <-events, "messages are handled after the open handler")
		w.Close(1000, "bye")
		w.WaitClosed(t)
		assert.Equal(t, "close 1000", <-events)
		assert.Equal(t, c.ID(), <-srv.done, "done after the close handler")
		synctest.Wait()
		assert.Empty(t, srv.done, "done once")
		assert.Equal(t, peer.StateClosed, c.State())
	})
}

// TestStartClosedInOpen checks a client closed by its own open handler: no message is
// handled, the close code reaches the peer, and done still comes.
func TestStartClosedInOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		handled := make(chan string, 4)
		srv := newStartServer(peer.Options{}, &handlerFuncs{
			open:    func(c *peer.Client) { _ = c.Close(4003, "go away") },
			message: func(c *peer.Client, m peer.Message) { handled <- m.String() },
		})
		w, c := srv.dial(t)
		code, reason := w.WaitClosed(t)
		assert.EqualValues(t, 4003, code)
		assert.Equal(t, "go away", reason)
		assert.Equal(t, c.ID(), <-srv.done)
		assert.Empty(t, handled)
	})
}

// TestHandlerWrites covers what a message handler sends to its own client, which waits
// for the handler to return and is then written on the read goroutine (one message) or
// by gws's writer (more): order, closes and panics behind the replies, and sends from
// other goroutines meanwhile.
func TestHandlerWrites(t *testing.T) {
	cases := []struct {
		name    string
		handler func(c *peer.Client, other func(v any))
		want    []string // messages, in order
		code    uint16   // close code, 0 for none
	}{
		{name: "one reply", handler: func(c *peer.Client, _ func(any)) { _ = c.Send("a") }, want: []string{`"a"`}},
		{name: "two replies", handler: func(c *peer.Client, _ func(any)) {
			_ = c.Send("a")
			_ = c.Send("b")
		}, want: []string{`"a"`, `"b"`}},
		{name: "a burst", handler: func(c *peer.Client, _ func(any)) {
			for i := range 50 {
				assert.NoError(t, c.Send(i))
			}
		}, want: seq(50)},
		{name: "reply then close", handler: func(c *peer.Client, _ func(any)) {
			_ = c.Send("a")
			_ = c.Close(4000, "done")
		}, want: []string{`"a"`}, code: 4000},
		{name: "close alone", handler: func(c *peer.Client, _ func(any)) { _ = c.Close(4000, "done") }, code: 4000},
		{name: "reply then panic", handler: func(c *peer.Client, _ func(any)) {
			_ = c.Send("a")
			panic("boom")
		}, want: []string{`"a"`}, code: 1011},
		{name: "another goroutine sends during the handler", handler: func(c *peer.Client, other func(any)) {
			_ = c.Send("a")
			other("b")
			_ = c.Send("c")
		}, want: []string{`"a"`, `"b"`, `"c"`}},
		{name: "another goroutine sends first", handler: func(c *peer.Client, other func(any)) {
			other("b")
			_ = c.Send("a")
		}, want: []string{`"b"`, `"a"`}},
		{name: "nothing", handler: func(*peer.Client, func(any)) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newStartServer(peer.Options{}, &handlerFuncs{
					message: func(c *peer.Client, _ peer.Message) {
						tc.handler(c, func(v any) {
							done := make(chan error)
							go func() { done <- c.Send(v) }()
							assert.NoError(t, <-done, "send from another goroutine")
						})
					},
				})
				w, _ := srv.dial(t)
				w.SendText(t, `{}`)
				for i, want := range tc.want {
					f := w.Recv(t)
					assert.Equal(t, want, string(f.Data), "message %d", i)
				}
				if tc.code != 0 {
					code, _ := w.WaitClosed(t)
					assert.Equal(t, tc.code, code)
					return
				}
				// Still open, and still answering.
				assert.Empty(t, drain(w), "nothing more")
				w.Kill()
			})
		})
	}
}

// TestHandlerWritesFlow checks that only the first message of a handler waits for it to
// return: from the second on, gws's writer sends them while the handler still runs.
func TestHandlerWritesFlow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var w *wstest.Conn
		got := make(chan []string, 1)
		srv := newStartServer(peer.Options{}, &handlerFuncs{
			message: func(c *peer.Client, _ peer.Message) {
				_ = c.Send("a")
				synctest.Wait()
				_ = c.Send("b")
				synctest.Wait()
				got <- drain(w)
			},
		})
		w, _ = srv.dial(t)
		w.SendText(t, `{}`)
		assert.Equal(t, []string{`"a"`, `"b"`}, <-got, "both written before the handler returned")
		w.Kill()
	})
}

func seq(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

// TestHandlerWriteStalls checks that a reply written on a client's read goroutine to a
// peer that does not read holds up that client only, until the hub's write timeout
// closes it as a slow consumer.
func TestHandlerWriteStalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hub := peer.NewHub(peer.HubConfig{PingInterval: -1, WriteTimeout: 5 * time.Second})
		defer hub.Close()
		closed := make(chan peer.CloseEvent, 4)
		stuck := make(chan struct{})
		srv := newStartServer(peer.Options{Hub: hub}, &handlerFuncs{
			message: func(c *peer.Client, m peer.Message) {
				if m.String() == `"stuck"` {
					close(stuck)
				}
				_ = c.Send(m.String())
			},
			close: func(_ *peer.Client, e peer.CloseEvent) { closed <- e },
		})
		// The stalled peer: after the handshake it sends a message and reads nothing.
		stalled := wstest.RawPipe(srv, wstest.HandshakeRequest("/t/", nil))
		defer stalled.Close()
		require.Equal(t, http.StatusSwitchingProtocols, stalled.Response(t).StatusCode)
		<-srv.clients

		healthy, _ := srv.dial(t)
		go stalled.Send(t, wstest.Text(`"stuck"`))
		<-stuck
		synctest.Wait() // the reply's write is blocked on the read goroutine of the stalled client
		for i := range 3 {
			healthy.SendText(t, fmt.Sprint(i))
			assert.Equal(t, fmt.Sprintf(`"%d"`, i), string(healthy.Recv(t).Data), "the other client is served")
		}
		start := time.Now()
		e := <-closed
		assert.Equal(t, peer.StatusSlowConsumer, e.Code, "the stalled client is dropped")
		assert.GreaterOrEqual(t, time.Since(start), 4*time.Second, "by the write timeout")
		healthy.Kill()
	})
}

// TestSendCopies checks that sends copy the bytes a caller owns: overwriting them right
// after the send, before gws's writer has run, does not change what the peer gets.
func TestSendCopies(t *testing.T) {
	cases := []struct {
		name string
		mode peer.Mode
		send func(c *peer.Client, b []byte) error
		want string
	}{
		{"RawMessage on @json", peer.ModeJSON, func(c *peer.Client, b []byte) error { return c.Send(json.RawMessage(b)) }, `"hello"`},
		{"[]byte on @text", peer.ModeText, func(c *peer.Client, b []byte) error { return c.Send(b) }, `"hello"`},
		{"[]byte on @binary", peer.ModeBinary, func(c *peer.Client, b []byte) error { return c.Send(b) }, `"hello"`},
		{"Binary on @json", peer.ModeJSON, func(c *peer.Client, b []byte) error { return c.Send(peer.Binary(b)) }, `"hello"`},
		{"SendBinary", peer.ModeJSON, func(c *peer.Client, b []byte) error { return c.SendBinary(b) }, `"hello"`},
		{"Prepare", peer.ModeJSON, func(c *peer.Client, b []byte) error {
			p, err := peer.Prepare(peer.ModeJSON, json.RawMessage(b))
			if err != nil {
				return err
			}
			return c.SendPrepared(p)
		}, `"hello"`},
		{"a large payload", peer.ModeText, func(c *peer.Client, b []byte) error {
			return c.Send(append(b, make([]byte, 100<<10)...)[:len(b)])
		}, `"hello"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newStartServer(peer.Options{Mode: tc.mode}, &handlerFuncs{})
				w, c := srv.dial(t)
				for i := range 3 { // the first write goes in flight, the others queue behind it
					b := []byte(`"hello"`)
					require.NoError(t, tc.send(c, b), "send %d", i)
					copy(b, `"XXXXX"`)
				}
				for i := range 3 {
					assert.Equal(t, tc.want, string(w.Recv(t).Data), "message %d", i)
				}
				w.Kill()
			})
		})
	}
}

// TestHandlerSendsMessageBytes checks the echo a handler writes without cloning: the
// bytes of the message being handled, sent on while other messages arrive behind it.
func TestHandlerSendsMessageBytes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newStartServer(peer.Options{}, &handlerFuncs{
			message: func(c *peer.Client, m peer.Message) {
				_ = c.Send(json.RawMessage(m.Bytes()))
				_ = c.Send(json.RawMessage(m.Bytes())) // queued behind the first: copied
			},
		})
		w, _ := srv.dial(t)
		for i := range 20 {
			w.SendText(t, fmt.Sprintf(`{"n":%d}`, i))
		}
		for i := range 20 {
			for k := range 2 {
				assert.Equal(t, fmt.Sprintf(`{"n":%d}`, i), string(w.Recv(t).Data), "echo %d of message %d", k, i)
			}
		}
		w.Kill()
	})
}
