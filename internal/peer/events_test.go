package peer_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

// TestReadyState follows a client through connecting, open, closing and closed
// (openspeed's readyState 0..3).
func TestReadyState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seen := make(chan peer.State, 8)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			open: func(c *peer.Client) { seen <- c.State() },
			message: func(c *peer.Client, m peer.Message) {
				seen <- c.State()
				require.NoError(t, c.Close(4000, "done"))
				seen <- c.State()
				assert.ErrorIs(t, c.Send("late"), peer.ErrClosed, "sends fail once closing")
				assert.ErrorIs(t, c.Ping(), peer.ErrClosed)
			},
			close: func(c *peer.Client, _ peer.CloseEvent) { seen <- c.State() },
		})
		w, a := srv.dialState(t, wstest.Options{})
		assert.Equal(t, peer.StateConnecting, a.state, "upgraded, not served yet")
		assert.Equal(t, peer.StateOpen, <-seen, "in the open handler")
		assert.Equal(t, peer.StateOpen, a.c.State())

		w.Send(t, map[string]int{"n": 1})
		assert.Equal(t, peer.StateOpen, <-seen, "in a message handler")
		assert.Equal(t, peer.StateClosing, <-seen, "after Close")
		code, reason := w.WaitClosed(t)
		assert.EqualValues(t, 4000, code)
		assert.Equal(t, "done", reason)
		assert.Equal(t, peer.StateClosed, <-seen, "in the close handler")
		assert.Equal(t, peer.StateClosed, a.c.State())

		for s, want := range map[peer.State]string{
			peer.StateConnecting: "connecting", peer.StateOpen: "open",
			peer.StateClosing: "closing", peer.StateClosed: "closed",
		} {
			assert.Equal(t, want, s.String())
		}
		assert.EqualValues(t, 0, peer.StateConnecting, "numbered as the browser's readyState")
		assert.EqualValues(t, 3, peer.StateClosed)
	})
}

// TestPingPongEvents checks the ping and pong handlers and Client.Ping.
func TestPingPongEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pings := make(chan string, 2)
		pongs := make(chan string, 2)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			ping: func(_ *peer.Client, p []byte) { pings <- string(p) },
			pong: func(_ *peer.Client, p []byte) { pongs <- string(p) },
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
		srv := newTestServer(peer.Options{Mode: peer.ModeJSON}, &handlerFuncs{})
		w, c := srv.dial(t, wstest.Options{})
		require.NoError(t, c.SendBinary([]byte{0, 1, 2, 0xff}))
		require.NoError(t, c.Send(peer.Binary{3, 4}))
		require.NoError(t, c.Send(map[string]int{"a": 1}))
		f := w.Recv(t)
		assert.True(t, f.Binary, "SendBinary sends a binary frame on a @json route")
		assert.Equal(t, []byte{0, 1, 2, 0xff}, f.Data)
		f = w.Recv(t)
		assert.True(t, f.Binary, "peer.Binary too")
		assert.Equal(t, []byte{3, 4}, f.Data)
		f = w.Recv(t)
		assert.False(t, f.Binary, "other values are JSON text")
		assert.Equal(t, `{"a":1}`, string(f.Data))
		w.Kill()
		synctest.Wait()
		assert.ErrorIs(t, c.SendBinary([]byte{1}), peer.ErrClosed)
	})
}
