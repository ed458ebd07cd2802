package route_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

func TestShutdown(t *testing.T) {
	t.Run("clients get 1001, new handshakes 503, registrations ErrShutdown", func(t *testing.T) {
		reg := newReg(route.Config{})
		closes := make(chan socket.CloseEvent, 3)
		reg.ROUTE("SOCKET /s/{room}/", func(ctl *controller.Controller) {
			ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) { closes <- e })
		})
		base := serve(t, reg)
		var cs []*wstest.Conn
		for _, room := range []string{"a", "a", "b"} {
			cs = append(cs, wstest.Dial(t, wstest.WSURL(base, "/s/"+room+"/"), wstest.Options{}))
		}
		require.Eventually(t, func() bool { return reg.Online() == 3 }, wstest.Timeout, time.Millisecond)

		require.NoError(t, reg.Shutdown(context.Background()))
		assert.Zero(t, reg.Online(), "Shutdown returned after every client had gone")
		require.Len(t, closes, 3, "every close handler has run when Shutdown returns")
		for range 3 {
			assert.Equal(t, socket.CloseEvent{Code: socket.StatusGoingAway, Reason: "going away"}, <-closes)
		}
		for _, c := range cs {
			code, reason := c.WaitClosed(t)
			assert.EqualValues(t, 1001, code)
			assert.Equal(t, "going away", reason)
		}
		assert.Equal(t, outcome{Status: 503}, attempt(t, base, "/s/a/", nil))
		assert.ErrorIs(t, reg.Register("SOCKET /late/", nil), route.ErrShutdown)
	})

	t.Run("waits for handlers, up to its context", func(t *testing.T) {
		reg := newReg(route.Config{})
		release := make(chan struct{})
		var once sync.Once
		t.Cleanup(func() { once.Do(func() { close(release) }) })
		reg.ROUTE("SOCKET /slow/", func(ctl *controller.Controller) {
			ctl.OnClose(func(*socket.Client, socket.CloseEvent) { <-release })
		})
		base := serve(t, reg)
		c := wstest.Dial(t, wstest.WSURL(base, "/slow/"), wstest.Options{})
		require.Eventually(t, func() bool { return reg.Online() == 1 }, wstest.Timeout, time.Millisecond)

		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, reg.Shutdown(ctx), context.DeadlineExceeded, "the close handler is still running")
		code, _ := c.WaitClosed(t)
		assert.EqualValues(t, 1001, code, "the client was closed all the same")

		once.Do(func() { close(release) })
		assert.NoError(t, reg.Shutdown(context.Background()), "a second call waits for the rest")
	})

	t.Run("waits for a handshake in its middleware", func(t *testing.T) {
		reg := newReg(route.Config{})
		entered, release := make(chan struct{}), make(chan struct{})
		reg.Middleware("slow", func(*route.Handshake) (bool, error) {
			close(entered)
			<-release
			return true, nil
		})
		reg.ROUTE("SOCKET /mw/ #slow", func(*controller.Controller) {})
		base := serve(t, reg)
		c := wstest.Dial(t, wstest.WSURL(base, "/mw/"), wstest.Options{}) // upgraded before the middleware runs
		<-entered

		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, reg.Shutdown(ctx), context.DeadlineExceeded, "the middleware is still running")
		close(release)
		require.NoError(t, reg.Shutdown(context.Background()))
		code, _ := c.WaitClosed(t)
		assert.EqualValues(t, 1001, code, "the client in the middle of its handshake is closed with 1001 too")
	})

	t.Run("concurrent and repeated calls are safe", func(t *testing.T) {
		reg := newReg(route.Config{})
		echo(reg, "SOCKET /e/")
		base := serve(t, reg)
		for range 5 {
			wstest.Dial(t, wstest.WSURL(base, "/e/"), wstest.Options{})
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { assert.NoError(t, reg.Shutdown(context.Background())) })
		}
		wg.Wait()
		assert.NoError(t, reg.Shutdown(context.Background()))
		assert.Zero(t, reg.Online())
	})
}

// TestShutdownWithHTTPServer hooks the registry into http.Server as the documentation
// shows: http.Server.Shutdown does not track hijacked connections, RegisterOnShutdown
// closes them.
func TestShutdownWithHTTPServer(t *testing.T) {
	reg := newReg(route.Config{})
	echo(reg, "SOCKET /e/")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: reg, ReadHeaderTimeout: 5 * time.Second}
	shut := make(chan error, 1)
	srv.RegisterOnShutdown(func() { go func() { shut <- reg.Shutdown(context.Background()) }() })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	c := wstest.Dial(t, wstest.WSURL("http://"+ln.Addr().String(), "/e/"), wstest.Options{})
	c.SendText(t, `"hi"`)
	assert.Equal(t, `"hi"`, string(c.Recv(t).Data))

	require.NoError(t, srv.Shutdown(context.Background()))
	code, reason := c.WaitClosed(t)
	assert.EqualValues(t, 1001, code)
	assert.Equal(t, "going away", reason)
	assert.NoError(t, <-shut)
	assert.ErrorIs(t, <-served, http.ErrServerClosed)
}
