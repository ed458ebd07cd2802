package route_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestHeartbeat runs on the fake clock: pings go out every PingInterval from the one
// sweeper; a client that does not answer is closed PongTimeout later with 1000
// "heartbeat timeout", and one that answers stays.
func TestHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg(route.Config{PingInterval: 30 * time.Second, PongTimeout: 10 * time.Second})
		closes := make(chan socket.CloseEvent, 2)
		reg.ROUTE("SOCKET /hb/", func(ctl *controller.Controller) {
			ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) { closes <- e })
		})
		good, _, err := wstest.Pipe(reg, "/hb/", wstest.Options{})
		require.NoError(t, err)
		bad, _, err := wstest.Pipe(reg, "/hb/", wstest.Options{NoAutoPong: true})
		require.NoError(t, err)

		time.Sleep(29 * time.Second)
		synctest.Wait()
		assert.Empty(t, good.Pings(), "no ping before the interval")

		time.Sleep(2 * time.Second)
		synctest.Wait()
		require.Len(t, good.Pings(), 1, "one ping after the interval")
		require.Len(t, bad.Pings(), 1)

		time.Sleep(11 * time.Second)
		synctest.Wait()
		code, reason := bad.WaitClosed(t)
		assert.EqualValues(t, 1000, code)
		assert.Equal(t, "heartbeat timeout", reason)
		assert.Equal(t, socket.CloseEvent{Code: 1000, Reason: "heartbeat timeout"}, <-closes)
		select {
		case <-good.Done():
			t.Fatal("the client that answers was closed")
		default:
		}

		time.Sleep(30 * time.Second)
		synctest.Wait()
		<-good.Pings()
		assert.Len(t, good.Pings(), 1, "the next ping, an interval later")
		good.Kill()
		<-closes
	})
}

// TestLatency measures a real round trip on loopback.
func TestLatency(t *testing.T) {
	reg := newReg(route.Config{})
	clients := make(chan *socket.Client, 1)
	pongs := make(chan struct{}, 1)
	reg.ROUTE("SOCKET /lat/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { clients <- c })
		ctl.OnPong(func(c *socket.Client, _ []byte) { pongs <- struct{}{} })
	})
	wstest.Dial(t, wstest.WSURL(serve(t, reg), "/lat/"), wstest.Options{})
	c := <-clients
	assert.Zero(t, c.Latency(), "no latency before the first pong")
	require.NoError(t, c.Ping())
	select {
	case <-pongs:
	case <-time.After(wstest.Timeout):
		t.Fatal("no pong")
	}
	assert.Positive(t, c.Latency())
}
