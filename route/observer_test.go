package route_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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

// counts is an Observer that counts what it is told, by event and route.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) add(key string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key] += v
}

func (c *counts) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *counts) Connected(r string)         { c.add("connected "+r, 1) }
func (c *counts) Refused(r string, code int) { c.add(fmt.Sprint("refused ", r, " ", code), 1) }
func (c *counts) Closed(r string, code socket.StatusCode) {
	c.add(fmt.Sprint("closed ", r, " ", int(code)), 1)
}
func (c *counts) Received(r string, b int) { c.add("received "+r, 1); c.add("received bytes "+r, b) }
func (c *counts) Sent(r string, m, b int)  { c.add("sent "+r, m); c.add("sent bytes "+r, b) }
func (c *counts) Dropped(r string, p socket.Overflow, m int) {
	c.add(fmt.Sprint("dropped ", r, " ", p), m)
}
func (c *counts) Handled(r string, d time.Duration) { c.add("handled "+r, 1) }
func (c *counts) QueueDepth(r string, m int) {
	c.add("depth reports "+r, 1)
	c.mu.Lock()
	c.n["depth now "+r] = m
	c.mu.Unlock()
}

// TestObserver drives a route through admissions, refusals, messages and closes, and
// checks what the observer was told, labelled by the route pattern only.
func TestObserver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		obs := &counts{}
		reg := newReg(route.Config{Observer: obs, PingInterval: -1,
			Authorize: func(r *http.Request) (any, bool, error) { return nil, r.URL.Query().Get("ok") == "1", nil }})
		reg.ROUTE("+SOCKET /echo/{room}/", func(ctl *controller.Controller) {
			ctl.OnMessage(func(c *socket.Client, m socket.Message) { _ = c.Send(map[string]int{"size": m.Size()}) })
		})
		const label = "+SOCKET /echo/{room}/ @json <256KB"

		a, _, err := wstest.Pipe(reg, "/echo/a/?ok=1", wstest.Options{})
		require.NoError(t, err)
		b, _, err := wstest.Pipe(reg, "/echo/b/?ok=1", wstest.Options{})
		require.NoError(t, err)
		for range 3 {
			a.Send(t, map[string]string{"x": "hello"})
			a.RecvJSON(t)
		}
		refused, _, err := wstest.Pipe(reg, "/echo/c/", wstest.Options{})
		require.NoError(t, err)
		code, _ := refused.WaitClosed(t)
		assert.EqualValues(t, 4001, code)

		rec := httptest.NewRecorder()
		reg.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nowhere/", nil))
		assert.Equal(t, http.StatusNotFound, rec.Code)

		time.Sleep(2 * time.Second) // two sweeps, on the fake clock
		a.Close(1000, "bye")
		a.WaitClosed(t)
		synctest.Wait()

		assert.Equal(t, 2, obs.get("connected "+label))
		assert.Equal(t, 3, obs.get("received "+label))
		assert.Equal(t, 3*len(`{"x":"hello"}`), obs.get("received bytes "+label))
		assert.Equal(t, 3, obs.get("handled "+label))
		assert.Equal(t, 3, obs.get("sent "+label))
		assert.Equal(t, 3*(2+len(`{"size":13}`)), obs.get("sent bytes "+label), "frames on the wire")
		assert.Equal(t, 1, obs.get("refused "+label+" 4001"))
		assert.Equal(t, 1, obs.get("refused  404"), "no route: no label")
		assert.Equal(t, 1, obs.get("closed "+label+" 1000"))
		reports := obs.get("depth reports " + label)
		assert.Positive(t, reports)
		b.Kill()
		synctest.Wait()
		time.Sleep(2 * time.Second) // on the fake clock: the sweeper has stopped with the last client
		assert.Equal(t, reports+1, obs.get("depth reports "+label), "a last report when the route empties")
		assert.Zero(t, obs.get("depth now "+label), "the gauge goes back to zero")
	})
}
