package route_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// clientTo calls c.To(room).Send(v), Odac's Odac.ws.to(room).send(v), through reflection,
// so that this test compiles before Client.To exists (issue 13 item 5, on the lead's hub of
// issue 10). It reports false when there is no Client.To. Once it lands, replace the call
// with c.To(room).Send(v).
func clientTo(c *socket.Client, room string, v any) (bool, error) {
	to := reflect.ValueOf(c).MethodByName("To")
	if !to.IsValid() {
		return false, nil
	}
	send := to.Call([]reflect.Value{reflect.ValueOf(room)})[0].MethodByName("Send")
	if !send.IsValid() {
		return false, nil
	}
	err, _ := send.Call([]reflect.Value{reflect.ValueOf(&v).Elem()})[0].Interface().(error)
	return true, err
}

// TestOdacRoomUserExample ports Odac's example (seed 000, "URL Parameters" and "Rooms") as
// written:
//
//	Odac.Route.ws('/room/{roomId}/user/{userId}', Odac => {
//	  const {roomId, userId} = Odac.Request.data.url
//	  Odac.ws.join(roomId)
//	  Odac.ws.data.userId = userId
//	  Odac.ws.on('message', data => Odac.ws.to(roomId).send({type: 'chat', message: data.message}))
//	})
//
// Each user connects on a URL of their own, so each is alone in its controller: the room
// must reach the members wherever they connected. Sent through the registry's room it does
// today; through the client's To, as Odac writes it, once Client.To reaches the whole room.
func TestOdacRoomUserExample(t *testing.T) {
	for _, via := range []string{"registry", "client"} {
		t.Run(via, func(t *testing.T) {
			reg := newReg(route.Config{})
			reg.ROUTE("SOCKET /room/{roomId}/user/{userId}/", func(ctl *controller.Controller) {
				ctl.OnOpen(func(c *socket.Client) {
					require.NoError(t, c.Join(c.Param("roomId")))
					c.Set("userId", c.Param("userId"))
					_ = c.Send(map[string]any{"type": "welcome"})
				})
				ctl.OnMessage(func(c *socket.Client, m socket.Message) {
					var in struct{ Message string }
					if m.Decode(&in) != nil {
						return
					}
					user, _ := c.Get("userId")
					out := map[string]any{"type": "chat", "message": in.Message, "from": user}
					room := c.Param("roomId")
					if via == "registry" {
						_ = reg.To(room).Send(out)
						return
					}
					if ok, _ := clientTo(c, room, out); !ok {
						_ = c.Send(map[string]any{"type": "skip"})
					}
				})
			})
			base := serve(t, reg)
			ann := wstest.Dial(t, wstest.WSURL(base, "/room/7/user/ann/"), wstest.Options{})
			bob := wstest.Dial(t, wstest.WSURL(base, "/room/7/user/bob/"), wstest.Options{})
			eve := wstest.Dial(t, wstest.WSURL(base, "/room/8/user/eve/"), wstest.Options{})
			for _, c := range []*wstest.Conn{ann, bob, eve} {
				require.Equal(t, "welcome", c.RecvJSON(t)["type"])
			}
			assert.Len(t, reg.Controllers(), 3, "one controller per URL")
			assert.Equal(t, 2, reg.To("7").Online())

			ann.Send(t, map[string]any{"message": "hi room 7"})
			first := ann.RecvJSON(t)
			if first["type"] == "skip" {
				t.Skip("needs registry-wide c.To from issue 10 hub")
			}
			want := map[string]any{"type": "chat", "message": "hi room 7", "from": "ann"}
			assert.Equal(t, want, first, "the sender is in the room")
			assert.Equal(t, want, bob.RecvJSON(t), "a member on another URL")

			// eve, in room 8, got nothing: her next message is her own.
			eve.Send(t, map[string]any{"message": "hi room 8"})
			assert.Equal(t, map[string]any{"type": "chat", "message": "hi room 8", "from": "eve"}, eve.RecvJSON(t))
		})
	}
}
