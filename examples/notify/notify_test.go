package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/socket"
	"github.com/wsroute/wsroute/wsroutetest"
)

func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }

var quiet = slog.New(slog.DiscardHandler)

func start(t *testing.T) (*app, *wsroutetest.Server) {
	t.Helper()
	a := newApp(quiet)
	return a, wsroutetest.NewServer(t, a.reg, wsroutetest.Config{Handler: a.handler()})
}

// post calls the HTTP API and returns the status and the decoded body (when JSON).
func post(t *testing.T, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out
}

func signIn(t *testing.T, srv *wsroutetest.Server, token, name string) *wsroutetest.Conn {
	t.Helper()
	c := srv.Dial(t, "/notifications/?token="+token)
	require.Equal(t, map[string]any{"type": "welcome", "user": name}, c.Expect().Map())
	return c
}

// TestNotifyOneUser notifies one user from the HTTP handler: every tab of that user gets
// it, nobody else does.
func TestNotifyOneUser(t *testing.T) {
	a, srv := start(t)
	base := srv.URL
	ada1 := signIn(t, srv, "token-42", "Ada")
	ada2 := signIn(t, srv, "token-42", "Ada") // a second tab
	grace := signIn(t, srv, "token-7", "Grace")

	for _, c := range a.reg.Clients() {
		id, ok := c.Get("userId")
		require.True(t, ok)
		assert.Contains(t, []string{"42", "7"}, id, "Odac's ws.data.userId")
		assert.Equal(t, []string{"user-" + id.(string)}, c.Rooms())
	}

	status, body := post(t, base+"/notify?user=42", url.Values{"message": {"you have mail"}})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"delivered": float64(2)}, body)
	want := map[string]any{"type": "notification", "message": "you have mail"}
	assert.Equal(t, want, ada1.Expect().Map())
	assert.Equal(t, want, ada2.Expect().Map())

	// Grace's next message is her own notification: Ada's did not reach her.
	_, body = post(t, base+"/notify?user=7", url.Values{"message": {"yours"}})
	assert.Equal(t, map[string]any{"delivered": float64(1)}, body)
	assert.Equal(t, map[string]any{"type": "notification", "message": "yours"}, grace.Expect().Map())

	_, body = post(t, base+"/notify?user=99", url.Values{"message": {"nobody"}})
	assert.Equal(t, map[string]any{"delivered": float64(0)}, body, "a user without sockets")

	status, _ = post(t, base+"/notify", url.Values{"message": {"x"}})
	assert.Equal(t, http.StatusBadRequest, status)
	resp, err := http.Get(base + "/notify?user=42")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	_, body = post(t, base+"/broadcast", url.Values{"message": {"maintenance"}})
	assert.Equal(t, map[string]any{"delivered": float64(3)}, body)
	for _, c := range []*wsroutetest.Conn{ada1, ada2, grace} {
		assert.Equal(t, "maintenance", c.Expect().Map()["message"])
	}

	// A closed tab leaves the user's room.
	ada2.Close(1000, "")
	ada2.ExpectClose(1000)
	require.Eventually(t, func() bool { return a.reg.To("user-42").Online() == 1 }, wstest.Timeout, 10*time.Millisecond)
	_, body = post(t, base+"/notify?user=42", url.Values{"message": {"again"}})
	assert.Equal(t, map[string]any{"delivered": float64(1)}, body)
	assert.Equal(t, "again", ada1.Expect().Map()["message"])
}

// TestNotifyNeedsSignIn: without a valid token the socket is closed with 4001.
func TestNotifyNeedsSignIn(t *testing.T) {
	_, srv := start(t)
	for _, q := range []string{"", "?token=wrong"} {
		srv.Dial(t, "/notifications/"+q).ExpectClose(socket.StatusUnauthorized)
	}
}

// TestLiveUpdates runs Odac's setInterval/setTimeout example on the fake clock: updates
// every second, the delayed message at 5 s, and nothing once the socket has closed.
func TestLiveUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newApp(quiet)
		srv := wsroutetest.NewServer(t, a.reg, wsroutetest.Config{Handler: a.handler(), InMemory: true})
		c := srv.Dial(t, "/live-updates/")
		count := func() map[string]int {
			synctest.Wait()
			n := map[string]int{}
			for _, m := range c.Drain() {
				typ, _ := m.Map()["type"].(string)
				n[typ]++
			}
			return n
		}
		time.Sleep(3500 * time.Millisecond)
		assert.Equal(t, map[string]int{"update": 3}, count())
		time.Sleep(2 * time.Second)
		assert.Equal(t, map[string]int{"update": 2, "delayed-message": 1}, count(), "at 4 s and 5 s, and the delayed one")
		c.Close(1000, "")
		c.ExpectClose(1000)
		time.Sleep(time.Hour)
		assert.Empty(t, count(), "the timers stopped with the socket")
	})
}

// TestRun starts the example as main does and stops it.
func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, newApp(quiet), quiet) }()
	base := "http://" + ln.Addr().String()
	c := wstest.Dial(t, wstest.WSURL(base, "/notifications/?token=token-42"), wstest.Options{})
	require.Equal(t, map[string]any{"type": "welcome", "user": "Ada"}, c.RecvJSON(t))
	status, body := post(t, base+"/notify?user=42", url.Values{"message": {"hi"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"delivered": float64(1)}, body)
	assert.True(t, strings.Contains(string(c.Recv(t).Data), `"hi"`))
	cancel()
	code, _ := c.WaitClosed(t)
	assert.EqualValues(t, 1001, code)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(wstest.Timeout):
		t.Fatal("run did not return")
	}
}
