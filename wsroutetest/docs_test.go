package wsroutetest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
	"github.com/wsroute/wsroute/wsroutetest"
)

// The tests of docs/testing.md, as the page shows them (with a quiet logger).

func TestChat(t *testing.T) {
	reg := route.New(route.Config{Logger: quiet})
	reg.ROUTE("SOCKET /chat/{room}/ @json", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Send(map[string]any{"type": "welcome", "online": ctl.Online()})
		})
		ctl.On("say", func(c *socket.Client, m socket.Message) {
			_ = ctl.Send(json.RawMessage(m.Clone()))
		})
		ctl.On("sum", func(c *socket.Client, m socket.Message) {
			var in struct{ A, B int }
			_ = m.Decode(&in)
			_ = m.Reply(map[string]int{"sum": in.A + in.B})
		})
	})
	srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{})

	ann := srv.Dial(t, "/chat/lobby/")
	require.EqualValues(t, 1, ann.ExpectType("welcome").Map()["online"])
	bob := srv.Dial(t, "/chat/lobby/", wsroutetest.WithHeader(http.Header{"Cookie": {"sid=42"}}))
	bob.ExpectType("welcome")

	bob.Send(map[string]string{"type": "say", "text": "hi"})
	assert.JSONEq(t, `{"type":"say","text":"hi"}`, ann.Expect().String())

	reply := bob.Request(map[string]any{"type": "sum", "a": 2, "b": 3})
	assert.EqualValues(t, 5, reply.Map()["sum"])

	bob.Close(4000, "bye")
	bob.ExpectClose(4000)
}

func TestIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := route.New(route.Config{Logger: quiet, PingInterval: time.Minute})
		reg.ROUTE("SOCKET /feed/ @json", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				c.After(30*time.Minute, func() { _ = c.Close(4000, "idle") })
			})
		})
		srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{InMemory: true})
		c := srv.Dial(t, "/feed/")

		time.Sleep(29 * time.Minute) // 29 heartbeats, answered: the client is still there
		synctest.Wait()
		assert.Empty(t, c.Drain(), "nothing sent yet")

		time.Sleep(time.Minute)
		assert.Equal(t, "idle", c.ExpectClose(4000))
	})
}
