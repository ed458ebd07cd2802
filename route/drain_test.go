package route_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
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

// TestDrainSpreadsTheCloses drains 1,000 clients over a 10 s window on the fake clock:
// each is closed with 1012, the closes are spread across the window rather than bunched,
// and every message queued for a client before the drain arrives before its close.
func TestDrainSpreadsTheCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, window = 1000, 10 * time.Second
		reg := newReg(route.Config{PingInterval: -1})
		var mu sync.Mutex
		var closedAt []time.Duration
		var start time.Time
		reg.ROUTE("SOCKET /d/", func(ctl *controller.Controller) {
			ctl.OnClose(func(*socket.Client, socket.CloseEvent) {
				mu.Lock()
				closedAt = append(closedAt, time.Since(start))
				mu.Unlock()
			})
		})
		conns := make([]*wstest.Conn, n)
		for i := range conns {
			c, _, err := wstest.Pipe(reg, "/d/", wstest.Options{})
			require.NoError(t, err)
			conns[i] = c
		}
		synctest.Wait()
		require.Equal(t, n, reg.Online())
		for i := range 3 {
			require.NoError(t, reg.Broadcast(map[string]int{"seq": i}, nil))
		}

		start = time.Now()
		require.NoError(t, reg.Drain(t.Context(), route.DrainOptions{Window: window, Restart: true}))
		assert.Equal(t, window*(n-1)/n, time.Since(start).Truncate(time.Millisecond), "the last close at the end of the window")

		for i, c := range conns {
			for seq := range 3 {
				require.Equal(t, fmt.Sprint(seq), fmt.Sprint(c.RecvJSON(t)["seq"]), "client %d: the queued messages first", i)
			}
			code, reason := c.WaitClosed(t)
			require.EqualValues(t, 1012, code)
			require.Equal(t, "service restart", reason)
		}
		sort.Slice(closedAt, func(i, j int) bool { return closedAt[i] < closedAt[j] })
		require.Len(t, closedAt, n)
		// Spread: every tenth of the window holds a tenth of the closes.
		for k := range 10 {
			lo, hi := window*time.Duration(k)/10, window*time.Duration(k+1)/10
			in := sort.Search(n, func(i int) bool { return closedAt[i] >= hi }) - sort.Search(n, func(i int) bool { return closedAt[i] >= lo })
			assert.InDelta(t, n/10, in, 2, "closes in [%v, %v)", lo, hi)
		}
	})
}

// TestDrainRefusesHandshakes: while draining, a handshake gets 503 with Retry-After.
func TestDrainRefusesHandshakes(t *testing.T) {
	reg := newReg(route.Config{PingInterval: -1})
	echo(reg, "SOCKET /e/")
	srv := httptest.NewServer(reg)
	defer srv.Close()
	c := wstest.Dial(t, wstest.WSURL(srv.URL, "/e/"), wstest.Options{})
	go func() { _ = reg.Drain(t.Context(), route.DrainOptions{Window: 3 * time.Second}) }()
	code, reason := c.WaitClosed(t)
	assert.EqualValues(t, 1001, code)
	assert.Equal(t, "going away", reason)
	_, resp, err := wstest.DialErr(wstest.WSURL(srv.URL, "/e/"), wstest.Options{})
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "4", resp.Header.Get("Retry-After"), "the window and a second")
	require.NoError(t, reg.Shutdown(t.Context()), "a second call waits and returns")
}
