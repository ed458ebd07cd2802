package route_test

import (
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestAuthSplitControllersStayApart registers a "+" and a "-" route on one URL: their
// controllers are separate, so a send of one, to its clients or to one of its rooms,
// never reaches the other's clients on the same URL.
func TestAuthSplitControllersStayApart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg(route.Config{PingInterval: -1,
			Authorize: func(r *http.Request) (any, bool, error) { return nil, r.URL.Query().Get("ok") == "1", nil }})
		setup := func(name string) func(*controller.Controller) {
			return func(ctl *controller.Controller) {
				ctl.OnOpen(func(c *socket.Client) { _ = c.Join("lobby") })
				ctl.OnMessage(func(c *socket.Client, m socket.Message) {
					_ = ctl.Send(map[string]string{"from": name, "how": "send"})
					_ = ctl.To("lobby").Send(map[string]string{"from": name, "how": "room"})
				})
			}
		}
		reg.ROUTE("+SOCKET /lobby/", setup("plus"))
		reg.ROUTE("-SOCKET /lobby/", setup("minus"))
		plus, _, err := wstest.Pipe(reg, "/lobby/?ok=1", wstest.Options{})
		require.NoError(t, err)
		minus, _, err := wstest.Pipe(reg, "/lobby/", wstest.Options{})
		require.NoError(t, err)
		synctest.Wait()
		require.Len(t, reg.Controllers(), 2)

		plus.Send(t, map[string]string{"x": "1"})
		assert.Equal(t, map[string]any{"from": "plus", "how": "send"}, plus.RecvJSON(t))
		assert.Equal(t, map[string]any{"from": "plus", "how": "room"}, plus.RecvJSON(t))
		synctest.Wait()
		f, got := minus.TryRecv()
		assert.False(t, got, "the '-' client got the '+' controller's message %s", f.Data)
		plus.Kill()
		minus.Kill()
	})
}
