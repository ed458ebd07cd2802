package socket_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestFacadeReachesThePeer checks that the methods of socket's types reach the client
// behind them: a handler's Send, a room's SendFunc (whose keep sees socket clients), a
// timer and a reply all arrive on the wire, and the registry hands out the same Client
// the handler got.
func TestFacadeReachesThePeer(t *testing.T) {
	reg := route.New(route.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	opened := make(chan *socket.Client, 1)
	reg.ROUTE("SOCKET /facade/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			require.NoError(t, c.Join("r"))
			opened <- c
		})
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			assert.Equal(t, `{"n":1,"callbackid":9}`, m.String())
			assert.NoError(t, c.Send(map[string]string{"echo": "one"}))
			assert.NoError(t, c.To("r").SendFunc(map[string]string{"room": "two"}, func(k *socket.Client) bool {
				return k == c // the keep function sees the same *socket.Client
			}))
			assert.NoError(t, m.Reply(map[string]string{"reply": "three"}))
		})
	})
	srv := httptest.NewServer(reg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wstest.Timeout)
		defer cancel()
		assert.NoError(t, reg.Shutdown(ctx))
		srv.Close()
	})

	conn := wstest.Dial(t, wstest.WSURL(srv.URL, "/facade/"), wstest.Options{})
	var c *socket.Client
	select {
	case c = <-opened:
	case <-time.After(wstest.Timeout):
		t.Fatal("no open event")
	}
	assert.Same(t, c, reg.Client(c.ID()), "the registry returns the handler's client")
	assert.Equal(t, []string{"r"}, c.Rooms())
	assert.Equal(t, "/facade/", c.URL())
	assert.Equal(t, socket.ModeJSON, c.Mode())
	assert.Equal(t, socket.StateOpen, c.State())

	conn.SendText(t, `{"n":1,"callbackid":9}`)
	assert.Equal(t, map[string]any{"echo": "one"}, conn.RecvJSON(t))
	assert.Equal(t, map[string]any{"room": "two"}, conn.RecvJSON(t))
	assert.Equal(t, map[string]any{"reply": "three", "callbackid": float64(9)}, conn.RecvJSON(t))

	fired := make(chan struct{})
	tm := c.After(time.Millisecond, func() {
		assert.NoError(t, c.Send(map[string]string{"timer": "four"}))
		close(fired)
	})
	assert.Equal(t, map[string]any{"timer": "four"}, conn.RecvJSON(t))
	<-fired
	assert.False(t, tm.Stop(), "a fired After timer has nothing to stop")

	require.NoError(t, c.Close(socket.StatusNormalClosure, "bye"))
	code, reason := conn.WaitClosed(t)
	assert.Equal(t, uint16(socket.StatusNormalClosure), code)
	assert.Equal(t, "bye", reason)
}

// TestNewMessage checks Message's methods through the facade.
func TestNewMessage(t *testing.T) {
	m := socket.NewMessage([]byte(`{"type":"a","callbackid":"x"}`), false)
	assert.Equal(t, `"a"`, string(m.Field("type")))
	assert.Equal(t, `"x"`, string(m.CallbackID()))
	assert.Equal(t, 29, m.Size())
	assert.False(t, m.Binary())
	assert.EqualError(t, m.Reply(1), "socket: message was not received from a client")
}
