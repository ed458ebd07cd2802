package controller_test

import (
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/socket"
)

// counted counts its own JSON encodings.
type counted struct{ n *atomic.Int32 }

func (c counted) MarshalJSON() ([]byte, error) {
	c.n.Add(1)
	return []byte(`{"counted":true}`), nil
}

// TestBroadcastEncodesOnce sends one value to ten clients, with and without compression,
// and counts its encodings.
func TestBroadcastEncodesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		ready := make(chan *controller.Controller, 1)
		reg.ROUTE("SOCKET /b/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				if ctl.Online() == 10 {
					ready <- ctl
				}
			})
		})
		var conns []*wstest.Conn
		for i := range 10 {
			c, _, err := wstest.Pipe(reg, "/b/", wstest.Options{Compression: i%2 == 0})
			require.NoError(t, err)
			conns = append(conns, c)
		}
		ctl := <-ready
		var n atomic.Int32
		require.NoError(t, ctl.Send(counted{&n}))
		for _, c := range conns {
			assert.JSONEq(t, `{"counted":true}`, string(c.Recv(t).Data))
		}
		assert.EqualValues(t, 1, n.Load(), "one encoding for ten clients")

		n.Store(0)
		require.NoError(t, ctl.SendFunc(counted{&n}, func(c *socket.Client) bool { return false }))
		assert.EqualValues(t, 1, n.Load(), "encoded once even when the filter keeps nobody")
		for _, c := range conns {
			c.Kill()
		}
	})
}
