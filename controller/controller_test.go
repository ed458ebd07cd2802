package controller_test

import (
	"log/slog"
	"sort"
	"sync/atomic"
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

func newReg() *route.Registry {
	return route.New(route.Config{Logger: slog.New(slog.DiscardHandler), PingInterval: -1})
}

func pipe(t *testing.T, reg *route.Registry, path string) *wstest.Conn {
	t.Helper()
	c, _, err := wstest.Pipe(reg, path, wstest.Options{})
	require.NoError(t, err)
	return c
}

// TestAutoDestroyRace runs on the fake clock: a client arriving during the grace period
// keeps the controller; after a full grace period with nobody, it is destroyed; the next
// client gets a new controller, set up again.
func TestAutoDestroyRace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		var setups, autos, destroys atomic.Int32
		ctls := make(chan *controller.Controller, 4)
		reg.ROUTE("SOCKET /room/{id}/", func(ctl *controller.Controller) {
			setups.Add(1)
			ctls <- ctl
			ctl.AutoDestroy(func() { autos.Add(1) })
			ctl.OnDestroy(func() { destroys.Add(1) })
		})

		a := pipe(t, reg, "/room/1/")
		synctest.Wait()
		first := <-ctls
		a.Kill()
		synctest.Wait()
		assert.Equal(t, 0, first.Online())

		time.Sleep(5*time.Second - time.Millisecond) // just inside the grace period
		b := pipe(t, reg, "/room/1/")
		synctest.Wait()
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.EqualValues(t, 1, setups.Load(), "b joined the same controller")
		assert.EqualValues(t, 0, autos.Load(), "b cancelled the autodestroy")
		assert.False(t, first.Destroyed())
		assert.Equal(t, 1, first.Online())

		b.Kill()
		synctest.Wait()
		time.Sleep(5*time.Second - time.Millisecond)
		synctest.Wait()
		assert.False(t, first.Destroyed(), "not before the grace period is over")
		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		assert.True(t, first.Destroyed())
		assert.EqualValues(t, 1, autos.Load())
		assert.EqualValues(t, 1, destroys.Load())
		assert.Nil(t, reg.Controller("/room/1/"), "the registry forgot it")

		c := pipe(t, reg, "/ROOM/1")
		synctest.Wait()
		second := <-ctls
		assert.NotSame(t, first, second)
		assert.EqualValues(t, 2, setups.Load(), "set up again after the destroy")
		assert.Same(t, second, reg.Controller("/room/1"))
		c.Kill()
		synctest.Wait()
		time.Sleep(6 * time.Second)
		synctest.Wait()
		assert.True(t, second.Destroyed())
	})
}

// TestControllerPerURL checks one controller per concrete URL, the first client's params,
// and that without AutoDestroy an empty controller lives on.
func TestControllerPerURL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		var setups atomic.Int32
		reg.ROUTE("SOCKET /p/{a}/{b}/", func(ctl *controller.Controller) { setups.Add(1) })
		x := pipe(t, reg, "/p/Aa/Bb/")
		synctest.Wait()                 // x is first
		y := pipe(t, reg, "/P/%41a/Bb") // the static part folds; parameter values keep their case
		z := pipe(t, reg, "/p/other/bb/")
		synctest.Wait()
		assert.EqualValues(t, 2, setups.Load())
		ctl := reg.Controller("/p/Aa/Bb/")
		require.NotNil(t, ctl)
		assert.Nil(t, reg.Controller("/p/aa/bb/"), "another case is another URL")
		assert.Equal(t, "Aa", ctl.Param("a"))
		assert.Equal(t, "Bb", ctl.Param("b"))
		assert.Equal(t, "/p/Aa/Bb/", ctl.URL())
		assert.Equal(t, 2, ctl.Online())
		keys := make([]string, 0)
		for k := range reg.Controllers() {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		assert.Equal(t, []string{"/p/Aa/Bb/", "/p/other/bb/"}, keys)
		x.Kill()
		y.Kill()
		z.Kill()
		synctest.Wait()
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.False(t, ctl.Destroyed(), "no AutoDestroy: the controller lives on, as in Total.js")
		assert.Equal(t, 0, ctl.Online())
	})
}

func TestSendFindDestroy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		ready := make(chan *controller.Controller, 1)
		closes := make(chan socket.CloseEvent, 3)
		var destroyed atomic.Bool
		reg.ROUTE("SOCKET /s/ @text", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				if ctl.Online() == 3 {
					ready <- ctl
				}
			})
			ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) { closes <- e })
			ctl.OnDestroy(func() { destroyed.Store(true) })
		})
		conns := []*wstest.Conn{pipe(t, reg, "/s/"), pipe(t, reg, "/s/"), pipe(t, reg, "/s/")}
		ctl := <-ready

		ids := map[string]bool{}
		for _, c := range ctl.Clients() {
			ids[c.ID()] = true
		}
		require.Len(t, ids, 3)
		var target *socket.Client
		for _, c := range ctl.Clients() {
			target = c
			break
		}
		assert.Same(t, target, ctl.Find(func(c *socket.Client) bool { return c.ID() == target.ID() }))
		assert.Nil(t, ctl.Find(func(*socket.Client) bool { return false }))
		assert.Same(t, target, ctl.Client(target.ID()))

		require.NoError(t, ctl.Send("to all"))
		for _, c := range conns {
			assert.Equal(t, "to all", string(c.Recv(t).Data))
		}
		require.NoError(t, ctl.SendFunc("not to target", func(c *socket.Client) bool { return c != target }))
		synctest.Wait()
		got := 0
		for _, c := range conns {
			if f, ok := c.TryRecv(); ok {
				assert.Equal(t, "not to target", string(f.Data))
				got++
			}
		}
		assert.Equal(t, 2, got)

		ctl.Destroy()
		for _, c := range conns {
			code, _ := c.WaitClosed(t)
			assert.EqualValues(t, 1000, code)
		}
		for range conns {
			assert.EqualValues(t, 1000, (<-closes).Code)
		}
		assert.True(t, destroyed.Load())
		assert.ErrorIs(t, ctl.Send("late"), controller.ErrDestroyed)
		ctl.Destroy() // twice is fine
	})
}

func TestHandlersOnlyDuringSetup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		panics := make(chan any, 1)
		reg.ROUTE("SOCKET /late/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				defer func() { panics <- recover() }()
				ctl.OnMessage(func(*socket.Client, socket.Message) {})
			})
		})
		c := pipe(t, reg, "/late/")
		assert.Equal(t, "controller: OnMessage called after setup", <-panics)
		c.Kill()
	})
}
