package controller_test

import (
	"encoding/json"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/socket"
)

// TestClientToReachesTheWholeRoom ports Odac's /room/{roomId}/user/{userId} example:
// each user connects on a URL of its own, so each is on a controller of its own, and
// joins the room roomId. The client's To reaches every member of the room, wherever it
// connected; the controller's To only the members on its URL.
func TestClientToReachesTheWholeRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		joined := make(chan struct{}, 4)
		reg.ROUTE("SOCKET /room/{roomId}/user/{userId}/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				require.NoError(t, c.Join(ctl.Param("roomId")))
				joined <- struct{}{}
			})
			ctl.OnMessage(func(c *socket.Client, m socket.Message) {
				var in struct{ Scope, Text string }
				require.NoError(t, json.Unmarshal(m.Bytes(), &in))
				out := map[string]string{"from": ctl.Param("userId"), "text": in.Text}
				if in.Scope == "controller" {
					require.NoError(t, ctl.To(ctl.Param("roomId")).Broadcast(c, out))
					return
				}
				require.NoError(t, c.To(ctl.Param("roomId")).Broadcast(c, out))
			})
		})
		ann := pipe(t, reg, "/room/r1/user/ann/")
		bob := pipe(t, reg, "/room/r1/user/bob/")
		eve := pipe(t, reg, "/room/r2/user/eve/")
		for range 3 {
			<-joined
		}

		ann.Send(t, map[string]string{"scope": "client", "text": "hi"})
		assert.JSONEq(t, `{"from":"ann","text":"hi"}`, string(bob.Recv(t).Data), "bob, on another URL, is in the room")
		synctest.Wait()
		_, got := eve.TryRecv()
		assert.False(t, got, "eve is in another room")
		_, got = ann.TryRecv()
		assert.False(t, got, "the sender is left out")

		ann.Send(t, map[string]string{"scope": "controller", "text": "only here"})
		synctest.Wait()
		_, got = bob.TryRecv()
		assert.False(t, got, "the controller's To stays on its URL")
		for _, c := range []interface{ Kill() }{ann, bob, eve} {
			c.Kill()
		}
	})
}
