package thirdparty

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }

// TestChi mounts a registry on a chi router, behind chi's own middleware, next to an
// ordinary chi route.
func TestChi(t *testing.T) {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /ws/rooms/{room}/ @text", func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = c.Send(ctl.Param("room") + ": " + m.String())
		})
	})
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Get("/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	r.Handle("/ws/*", reg)
	srv := httptest.NewServer(r)
	defer srv.Close()
	defer func() { require.NoError(t, reg.Shutdown(context.Background())) }()

	resp, err := http.Get(srv.URL + "/health")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	c := wstest.Dial(t, wstest.WSURL(srv.URL, "/ws/rooms/Blue/"), wstest.Options{})
	c.SendText(t, "hi")
	assert.Equal(t, "Blue: hi", string(c.Recv(t).Data))
	c.Kill()

	resp, err = http.Get(srv.URL + "/ws/nothing/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the registry's 404 through chi")
}
