package peer_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

// TestTimers runs on the fake clock: After fires once, Every ticks until stopped, Stop
// stops a timer sooner, and closing the client stops the rest by itself.
func TestTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closed := make(chan struct{}, 1)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			close: func(*peer.Client, peer.CloseEvent) { closed <- struct{}{} },
		})
		w, c := srv.dial(t, wstest.Options{})

		var ticks, afters atomic.Int32
		every := c.Every(time.Second, func() {
			n := ticks.Add(1)
			_ = c.Send(fmt.Sprintf("tick %d", n))
		})
		after := c.After(5*time.Second, func() { afters.Add(1) })
		cancelled := c.After(3*time.Second, func() { t.Error("a stopped After ran") })
		assert.True(t, cancelled.Stop(), "the first Stop stops it")
		assert.False(t, cancelled.Stop(), "the second finds it stopped")
		assert.True(t, cancelled.Stopped())

		time.Sleep(3500 * time.Millisecond)
		synctest.Wait()
		assert.EqualValues(t, 3, ticks.Load(), "ticks at 1 s, 2 s and 3 s")
		assert.Equal(t, []string{`"tick 1"`, `"tick 2"`, `"tick 3"`}, drain(w), "each tick sent a message")
		assert.False(t, after.Stopped())

		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.EqualValues(t, 1, afters.Load(), "After fired at 5 s")
		assert.True(t, after.Stopped(), "an After that fired is done")
		assert.False(t, after.Stop(), "too late to stop it")
		assert.EqualValues(t, 5, ticks.Load())

		assert.True(t, every.Stop())
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.EqualValues(t, 5, ticks.Load(), "no tick after Stop")
		assert.EqualValues(t, 1, afters.Load(), "After fires once")
		drain(w)

		// Timers still pending when the client closes stop by themselves.
		var late atomic.Int32
		every2 := c.Every(time.Second, func() { late.Add(1) })
		after2 := c.After(time.Hour, func() { late.Add(100) })
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		require.EqualValues(t, 1, late.Load())
		w.Kill()
		<-closed
		synctest.Wait()
		assert.True(t, every2.Stopped(), "stopped by the close")
		assert.True(t, after2.Stopped(), "stopped by the close")
		assert.False(t, every2.Stop(), "already stopped by the close")
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		assert.EqualValues(t, 1, late.Load(), "nothing ran after the close")

		// A timer made on a closed client is stopped from the start.
		dead := c.After(time.Second, func() { t.Error("a timer of a closed client ran") })
		assert.True(t, dead.Stopped())
		assert.True(t, c.Every(time.Second, func() { t.Error("ran") }).Stopped())
		time.Sleep(time.Minute)
	})
	// synctest.Test returns only once every goroutine of the bubble has ended: a timer
	// that kept re-arming itself would keep it running, and a leaked goroutine would fail it.
}

// TestEverySkipsOverrun checks that a slow fn does not make ticks pile up: runs never
// overlap and missed ticks are skipped.
func TestEverySkipsOverrun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newTestServer(peer.Options{}, &handlerFuncs{})
		w, c := srv.dial(t, wstest.Options{})
		var runs, running, overlaps atomic.Int32
		tm := c.Every(time.Second, func() {
			if running.Add(1) > 1 {
				overlaps.Add(1)
			}
			runs.Add(1)
			time.Sleep(2500 * time.Millisecond) // overruns two ticks
			running.Add(-1)
		})
		// Runs start at 1 s; it ends at 3.5 s, the next due tick is 4 s; then 6.5 s -> 7 s.
		time.Sleep(7500 * time.Millisecond)
		synctest.Wait()
		assert.EqualValues(t, 3, runs.Load(), "runs at 1 s, 4 s and 7 s")
		assert.Zero(t, overlaps.Load())
		tm.Stop()
		time.Sleep(5 * time.Second) // let the run in progress finish
		w.Kill()
	})
}

func TestEveryRejectsNonPositive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newTestServer(peer.Options{}, &handlerFuncs{})
		w, c := srv.dial(t, wstest.Options{})
		assert.PanicsWithValue(t, "socket: Every with a non-positive interval", func() { c.Every(0, func() {}) })
		w.Kill()
	})
}

// TestTimerPanic checks that a panic in a timer is handled as a handler panic: the error
// handler gets a *PanicError and the client is closed with 1011.
func TestTimerPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errs := make(chan error, 1)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			err: func(_ *peer.Client, err error) { errs <- err },
		})
		w, c := srv.dial(t, wstest.Options{})
		c.After(time.Second, func() { panic(errors.New("boom")) })
		time.Sleep(2 * time.Second)
		code, reason := w.WaitClosed(t)
		assert.EqualValues(t, peer.StatusInternalError, code)
		assert.Equal(t, "internal error", reason)
		var pe *peer.PanicError
		require.ErrorAs(t, <-errs, &pe)
		assert.EqualError(t, pe, "socket: handler panicked: boom")
	})
}

// TestContextCancelledOnClose checks Client.Context, taken before and after the close.
func TestContextCancelledOnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closed := make(chan struct{}, 1)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			close: func(*peer.Client, peer.CloseEvent) { closed <- struct{}{} },
		})
		w, c := srv.dial(t, wstest.Options{})
		ctx := c.Context()
		assert.Same(t, ctx, c.Context(), "one context per client")
		require.NoError(t, ctx.Err())
		var stopped atomic.Bool
		go func() {
			<-ctx.Done() // a goroutine tied to the client's life
			stopped.Store(true)
		}()
		synctest.Wait()
		assert.False(t, stopped.Load())

		w.Close(1000, "")
		w.WaitClosed(t)
		<-closed
		synctest.Wait()
		assert.ErrorIs(t, ctx.Err(), context.Canceled)
		assert.True(t, stopped.Load(), "the goroutine waiting on the context ended")

		w2, c2 := srv.dial(t, wstest.Options{})
		w2.Kill()
		<-closed
		assert.ErrorIs(t, c2.Context().Err(), context.Canceled, "asked for after the close: already cancelled")
	})
}

// TestDataStore checks Set, Get and Delete, from many goroutines at once (for -race).
func TestDataStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newTestServer(peer.Options{}, &handlerFuncs{})
		w, c := srv.dial(t, wstest.Options{})
		_, ok := c.Get("user")
		assert.False(t, ok)
		c.Set("user", 42)
		v, ok := c.Get("user")
		assert.True(t, ok)
		assert.Equal(t, 42, v)
		c.Delete("user")
		_, ok = c.Get("user")
		assert.False(t, ok)

		done := make(chan struct{})
		for g := range runtime.GOMAXPROCS(0) + 2 {
			go func() {
				defer func() { done <- struct{}{} }()
				key := fmt.Sprint("k", g)
				for i := range 100 {
					c.Set(key, i)
					if v, ok := c.Get(key); !ok || v.(int) != i {
						t.Errorf("Get(%s) = %v, %v; want %d", key, v, ok, i)
					}
					c.Delete(key)
				}
				c.Set(key, g)
			}()
		}
		for range runtime.GOMAXPROCS(0) + 2 {
			<-done
		}
		v, _ = c.Get("k1")
		assert.Equal(t, 1, v)
		w.Kill()
	})
}
