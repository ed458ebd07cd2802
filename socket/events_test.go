package socket_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/socket"
)

// TestReadyState follows a client through connecting, open, closing and closed
// (openspeed's readyState 0..3).
func TestReadyState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seen := make(chan socket.State, 8)
		srv := newTestServer(socket.Options{}, &handlerFuncs{
			open: func(c *socket.Client) { seen <- c.State() },
			message: func(c *socket.Client, m socket.Message) {
				seen <- c.State()
				require.NoError(t, c.Close(4000, "done"))
				seen <- c.State()
				assert.ErrorIs(t, c.Send("late"), socket.ErrClosed, "sends fail once closing")
				assert.ErrorIs(t, c.Ping(), socket.ErrClosed)
			},
			close: func(c *socket.Client, _ socket.CloseEvent) { seen <- c.State() },
		})
		w, a := srv.dialState(t, wstest.Options{})
		assert.Equal(t, socket.StateConnecting, a.state, "upgraded, not served yet")
		assert.Equal(t, socket.StateOpen, <-seen, "in the open handler")
		assert.Equal(t, socket.StateOpen, a.c.State())

		w.Send(t, map[string]int{"n": 1})
		assert.Equal(t, socket.StateOpen, <-seen, "in a message handler")
		assert.Equal(t, socket.StateClosing, <-seen, "after Close")
		code, reason := w.WaitClosed(t)
		assert.EqualValues(t, 4000, code)
		assert.Equal(t, "done", reason)
		assert.Equal(t, socket.StateClosed, <-seen, "in the close handler")
		assert.Equal(t, socket.StateClosed, a.c.State())

		for s, want := range map[socket.State]string{
			socket.StateConnecting: "connecting", socket.StateOpen: "open",
			socket.StateClosing: "closing", socket.StateClosed: "closed",
		} {
			assert.Equal(t, want, s.String())
		}
		assert.EqualValues(t, 0, socket.StateConnecting, "numbered as the browser's readyState")
		assert.EqualValues(t, 3, socket.StateClosed)
	})
}

// TestPingPongEvents checks the ping and pong handlers and Client.Ping.
func TestPingPongEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pings := make(chan string, 2)
		pongs := make(chan string, 2)
		srv := newTestServer(socket.Options{}, &handlerFuncs{
			ping: func(_ *socket.Client, p []byte) { pings <- string(p) },
			pong: func(_ *socket.Client, p []byte) { pongs <- string(p) },
		})
		w, c := srv.dial(t, wstest.Options{})

		// A ping from the client reaches the ping handler; the server answers it itself.
		require.NoError(t, w.Raw().WritePing([]byte("hello")))
		assert.Equal(t, "hello", <-pings)

		// Client.Ping sends a ping now; the browser's automatic pong reaches the pong handler.
		require.NoError(t, c.Ping())
		synctest.Wait()
		require.Len(t, w.Pings(), 1, "the wire client got a ping")
		<-w.Pings()
		assert.Equal(t, "", <-pongs)

		// A client that does not answer: no pong event.
		w2, c2 := srv.dial(t, wstest.Options{NoAutoPong: true})
		require.NoError(t, c2.Ping())
		synctest.Wait()
		assert.Len(t, w2.Pings(), 1)
		assert.Empty(t, pongs)
		w.Kill()
		w2.Kill()
	})
}

// TestSendBinaryOnJSONRoute checks Odac's sendBinary: a binary frame whatever the mode.
func TestSendBinaryOnJSONRoute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newTestServer(socket.Options{Mode: socket.ModeJSON}, &handlerFuncs{})
		w, c := srv.dial(t, wstest.Options{})
		require.NoError(t, c.SendBinary([]byte{0, 1, 2, 0xff}))
		require.NoError(t, c.Send(socket.Binary{3, 4}))
		require.NoError(t, c.Send(map[string]int{"a": 1}))
		f := w.Recv(t)
		assert.True(t, f.Binary, "SendBinary sends a binary frame on a @json route")
		assert.Equal(t, []byte{0, 1, 2, 0xff}, f.Data)
		f = w.Recv(t)
		assert.True(t, f.Binary, "socket.Binary too")
		assert.Equal(t, []byte{3, 4}, f.Data)
		f = w.Recv(t)
		assert.False(t, f.Binary, "other values are JSON text")
		assert.Equal(t, `{"a":1}`, string(f.Data))
		w.Kill()
		synctest.Wait()
		assert.ErrorIs(t, c.SendBinary([]byte{1}), socket.ErrClosed)
	})
}
