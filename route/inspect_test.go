package route_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestInspect connects clients to two routes and three URLs and checks the snapshot:
// routes with their sites and counts, controllers, rooms, and its JSON over HTTP.
func TestInspect(t *testing.T) {
	reg := newReg(route.Config{PingInterval: -1})
	opened := make(chan struct{}, 8)
	reg.ROUTE("SOCKET /chat/{room}/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Join("room:" + ctl.Param("room"))
			opened <- struct{}{}
		})
	})
	reg.ROUTE("SOCKET /news/ @text <256KB", func(ctl *controller.Controller) {
		ctl.OnOpen(func(*socket.Client) { opened <- struct{}{} })
	})
	base := serve(t, reg)
	for _, p := range []string{"/chat/a/", "/chat/a/", "/chat/b/", "/news/"} {
		wstest.Dial(t, wstest.WSURL(base, p), wstest.Options{})
		<-opened
	}

	s := reg.Inspect()
	assert.Equal(t, 4, s.Online)
	assert.Equal(t, 4, s.ClusterOnline)
	require.Len(t, s.Routes, 2)
	assert.Equal(t, "SOCKET /chat/{room}/ @json <256KB", s.Routes[0].Route)
	assert.True(t, strings.HasPrefix(s.Routes[0].Site, "inspect_test.go:"), s.Routes[0].Site)
	assert.Equal(t, 2, s.Routes[0].Controllers)
	assert.Equal(t, 3, s.Routes[0].Online)
	assert.Equal(t, route.RouteInfo{Route: "SOCKET /news/ @text <256KB", Site: s.Routes[1].Site, Controllers: 1, Online: 1}, s.Routes[1])
	assert.Equal(t, []route.ControllerInfo{
		{Route: "SOCKET /chat/{room}/ @json <256KB", URL: "/chat/a/", Online: 2},
		{Route: "SOCKET /chat/{room}/ @json <256KB", URL: "/chat/b/", Online: 1},
		{Route: "SOCKET /news/ @text <256KB", URL: "/news/", Online: 1},
	}, s.Controllers)
	assert.Equal(t, []route.RoomInfo{{Name: "room:a", Online: 2}, {Name: "room:b", Online: 1}}, s.Rooms)
	assert.Empty(t, s.Node)

	rec := httptest.NewRecorder()
	reg.InspectHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/wsroute", nil))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var got route.Snapshot
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, s, got)

	rec = httptest.NewRecorder()
	reg.InspectHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/debug/wsroute", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}
