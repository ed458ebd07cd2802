package main

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestRoutes prints a live registry's snapshot, fetched from its InspectHandler, as
// tables; then the same JSON from a file and from standard input.
func TestRoutes(t *testing.T) {
	reg := route.New(route.Config{PingInterval: -1})
	opened := make(chan struct{}, 1)
	reg.ROUTE("SOCKET /chat/{room}/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Join("lobby")
			opened <- struct{}{}
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(t.Context())
	insp := httptest.NewServer(reg.InspectHandler())
	defer insp.Close()
	wstest.Dial(t, wstest.WSURL(srv.URL, "/chat/a/"), wstest.Options{})
	<-opened

	code, out, stderr := runCmd(t, "", "routes", insp.URL)
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{
		"1 online",
		"SOCKET /chat/{room}/ @json <256KB  routes_test.go:",
		"/chat/a/",
		"lobby",
		"deepest queue: 0 messages, 0 bytes (peak ",
	} {
		assert.Contains(t, out, want)
	}
	lines := strings.Split(out, "\n")
	assert.Contains(t, lines, "ROOM   ONLINE")

	resp, err := insp.Client().Get(insp.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	body := string(raw)
	file := filepath.Join(t.TempDir(), "snap.json")
	require.NoError(t, os.WriteFile(file, []byte(body), 0o600))
	code, fromFile, _ := runCmd(t, "", "routes", file)
	assert.Equal(t, 0, code)
	assert.Equal(t, out, fromFile)
	code, fromStdin, _ := runCmd(t, body, "routes", "-")
	assert.Equal(t, 0, code)
	assert.Equal(t, out, fromStdin)

	code, _, stderr = runCmd(t, "not json", "routes", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "not a registry snapshot")
}
