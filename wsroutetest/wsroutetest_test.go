package wsroutetest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
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

var quiet = slog.New(slog.DiscardHandler)

// echoRegistry has /echo/, which sends every message back, and /push/, which sends
// the types "a", "b" and "c" on open.
func echoRegistry() *route.Registry {
	reg := route.New(route.Config{Logger: quiet})
	reg.ROUTE("SOCKET /echo/ @text", func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			if m.Binary() {
				_ = c.SendBinary(m.Clone())
				return
			}
			_ = c.Send(string(m.Bytes()))
		})
	})
	reg.ROUTE("SOCKET /push/ @json", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			for _, typ := range []string{"a", "b", "c"} {
				_ = c.Send(map[string]string{"type": typ})
			}
		})
	})
	return reg
}

// modes runs f against a server on loopback and one in memory (in a synctest bubble).
func modes(t *testing.T, f func(t *testing.T, srv *wsroutetest.Server)) {
	t.Run("loopback", func(t *testing.T) {
		f(t, wsroutetest.NewServer(t, echoRegistry(), wsroutetest.Config{}))
	})
	t.Run("memory", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f(t, wsroutetest.NewServer(t, echoRegistry(), wsroutetest.Config{InMemory: true}))
		})
	})
}

func TestSendExpect(t *testing.T) {
	modes(t, func(t *testing.T, srv *wsroutetest.Server) {
		c := srv.Dial(t, "/echo/")
		c.Send(map[string]any{"type": "hi", "n": 1})
		m := c.Expect()
		assert.False(t, m.Binary)
		assert.JSONEq(t, `{"type":"hi","n":1}`, m.String())
		assert.Equal(t, map[string]any{"type": "hi", "n": float64(1)}, m.Map())
		var v struct{ N int }
		require.NoError(t, m.Decode(&v))
		assert.Equal(t, 1, v.N)

		c.SendText("plain")
		m = c.Expect()
		assert.Equal(t, "plain", m.String())
		assert.Nil(t, m.Map(), "not a JSON object")

		c.SendBinary([]byte{0, 1, 2})
		m = c.Expect()
		assert.True(t, m.Binary)
		assert.Equal(t, []byte{0, 1, 2}, m.Data)

		c.SendText("")
		assert.Equal(t, []byte{}, c.Expect().Data, "an empty message")
	})
}

// TestExpectType takes the third message first: the two it passed over stay queued in
// their order.
func TestExpectType(t *testing.T) {
	modes(t, func(t *testing.T, srv *wsroutetest.Server) {
		c := srv.Dial(t, "/push/")
		assert.Equal(t, "c", c.ExpectType("c").Map()["type"])
		assert.Equal(t, "a", c.Expect().Map()["type"])
		assert.Equal(t, "b", c.ExpectType("b").Map()["type"])
		assert.Empty(t, c.Drain())
	})
}

// TestTypeAndReplyFields: the fields follow the harness config, as the registry's do.
func TestTypeAndReplyFields(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := route.New(route.Config{Logger: quiet, TypeField: "event", ReplyField: "ref"})
		reg.ROUTE("SOCKET /api/ @json", func(ctl *controller.Controller) {
			ctl.On("sum", func(c *socket.Client, m socket.Message) {
				var in struct{ A, B int }
				_ = m.Decode(&in)
				_ = c.Send(map[string]string{"event": "noise"})
				_ = m.Reply(map[string]int{"sum": in.A + in.B})
			})
		})
		srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{InMemory: true, TypeField: "event", ReplyField: "ref"})
		c := srv.Dial(t, "/api/")
		assert.Equal(t, map[string]any{"ref": float64(1), "sum": float64(5)}, c.Request(map[string]any{"event": "sum", "a": 2, "b": 3}).Map())
		assert.Equal(t, "noise", c.ExpectType("noise").Map()["event"])
	})
}

// TestRequest sends requests with callback ids and gets their replies, whatever the
// order of the replies and the messages in between.
func TestRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := route.New(route.Config{Logger: quiet})
		reg.ROUTE("SOCKET /api/ @json", func(ctl *controller.Controller) {
			var mu sync.Mutex
			var held json.RawMessage // the slow request's id, answered after the next request
			ctl.On("slow", func(c *socket.Client, m socket.Message) {
				mu.Lock()
				held = m.CallbackID()
				mu.Unlock()
			})
			ctl.On("fast", func(c *socket.Client, m socket.Message) {
				_ = c.Send(map[string]string{"type": "news"})
				_ = m.Reply("fast done")
				mu.Lock()
				defer mu.Unlock()
				if held != nil {
					_ = c.ReplyTo(held, map[string]string{"answer": "slow done"})
				}
			})
			ctl.On("empty", func(c *socket.Client, m socket.Message) { _ = m.Reply(struct{}{}) })
		})
		srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{InMemory: true})
		c := srv.Dial(t, "/api/")
		c.Send(map[string]any{"type": "slow", "callbackid": "s"})
		synctest.Wait()
		assert.Equal(t, map[string]any{"callbackid": float64(1), "data": "fast done"}, c.Request(map[string]any{"type": "fast"}).Map())
		synctest.Wait()
		queued := c.Drain()
		require.Len(t, queued, 2)
		assert.Equal(t, "news", queued[0].Map()["type"], "passed over by Request, still queued")
		assert.Equal(t, map[string]any{"callbackid": "s", "answer": "slow done"}, queued[1].Map(), "the slow reply, after the fast one")
		assert.Empty(t, c.Drain())
		assert.Equal(t, map[string]any{"callbackid": float64(2)}, c.Request(struct {
			Type string `json:"type"`
		}{"empty"}).Map())
	})
}

type hdr struct {
	Header string `json:"header"`
	Proto  string `json:"proto"`
}

// TestDialOptions: headers and subprotocols reach the server; compression is
// negotiated and carries messages; a refused handshake is an HTTP status.
func TestDialOptions(t *testing.T) {
	newReg := func() *route.Registry {
		reg := route.New(route.Config{Logger: quiet, CompressThreshold: 1})
		reg.ROUTE("SOCKET /h/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) { _ = c.Send(hdr{c.Header().Get("X-Test"), c.Subprotocol()}) })
			ctl.OnMessage(func(c *socket.Client, m socket.Message) { _ = c.Send(json.RawMessage(m.Bytes())) })
		})
		return reg
	}
	check := func(t *testing.T, srv *wsroutetest.Server) {
		c := srv.Dial(t, "/h/", wsroutetest.WithHeader(http.Header{"X-Test": {"yes"}}),
			wsroutetest.WithSubprotocols("other", route.Subprotocol), wsroutetest.WithCompression())
		var got hdr
		require.NoError(t, c.Expect().Decode(&got))
		assert.Equal(t, hdr{"yes", route.Subprotocol}, got)
		assert.Equal(t, route.Subprotocol, c.Subprotocol())
		assert.True(t, c.Compressed())
		big := strings.Repeat("compressible ", 1000)
		c.Send(big)
		var echo string
		require.NoError(t, c.Expect().Decode(&echo))
		assert.Equal(t, big, echo)

		plain := srv.Dial(t, "/h/")
		assert.False(t, plain.Compressed())
		assert.Empty(t, plain.Subprotocol())

		_, _, err := srv.DialErr(t, "/h/", wsroutetest.WithSubprotocols("nope"))
		assert.Error(t, err, "no subprotocol in common: the dial fails, as in a browser")

		_, resp, err := srv.DialErr(t, "/missing/")
		require.Error(t, err)
		require.NotNil(t, resp)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	t.Run("loopback", func(t *testing.T) {
		check(t, wsroutetest.NewServer(t, newReg(), wsroutetest.Config{}))
	})
	t.Run("memory", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			check(t, wsroutetest.NewServer(t, newReg(), wsroutetest.Config{InMemory: true}))
		})
	})
}

// TestExpectClose covers the ways a connection ends: refused after the upgrade,
// closed by the client, dropped, and shut down with the server.
func TestExpectClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closes := make(chan socket.CloseEvent, 4)
		reg := route.New(route.Config{
			Logger: quiet,
			Authenticate: func(r *http.Request) route.AuthResult {
				return route.AuthResult{OK: r.URL.Query().Get("token") == "ok", Reason: "who are you"}
			},
		})
		reg.ROUTE("SOCKET /x/", func(ctl *controller.Controller) {
			ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) { closes <- e })
		})
		srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{InMemory: true})

		refused := srv.Dial(t, "/x/?token=bad")
		assert.Equal(t, "who are you", refused.ExpectClose(socket.StatusUnauthorized))

		byClient := srv.Dial(t, "/x/?token=ok")
		byClient.Close(4000, "bye")
		byClient.ExpectClose(4000) // the server echoes the client's code
		assert.Equal(t, socket.CloseEvent{Code: 4000, Reason: "bye", ByPeer: true}, <-closes)

		dropped := srv.Dial(t, "/x/?token=ok")
		synctest.Wait() // the server has opened it: OnClose is for open clients
		dropped.Drop()
		assert.Equal(t, socket.StatusAbnormal, (<-closes).Code)
		code, _, err := dropped.WaitClose()
		require.NoError(t, err)
		assert.Equal(t, socket.StatusAbnormal, code, "the client's side of a drop")

		open := srv.Dial(t, "/x/?token=ok")
		_, _, err = open.WaitClose()
		assert.ErrorIs(t, err, wsroutetest.ErrTimeout, "still open")
		srv.Close()
		assert.Equal(t, "going away", open.ExpectClose(socket.StatusGoingAway))
		_, _, err = srv.DialErr(t, "/x/?token=ok")
		assert.ErrorContains(t, err, "server closed")
	})
}

// TestFakeTime runs minutes of heartbeats and an application's idle timeout on the fake
// clock: the connection answers pings and lives, then the idle timer closes it.
func TestFakeTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pongs := make(chan struct{}, 100)
		reg := route.New(route.Config{Logger: quiet, PingInterval: time.Minute, PongTimeout: 10 * time.Second})
		reg.ROUTE("SOCKET /idle/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				idle := c.After(30*time.Minute, func() { _ = c.Close(4000, "idle") })
				c.Set("idle", idle)
			})
			ctl.OnPong(func(*socket.Client, []byte) { pongs <- struct{}{} })
			ctl.OnMessage(func(c *socket.Client, m socket.Message) {
				v, _ := c.Get("idle")
				v.(*socket.Timer).Stop()
				c.Set("idle", c.After(30*time.Minute, func() { _ = c.Close(4000, "idle") }))
				_ = c.Send(map[string]string{"type": "ack"})
			})
		})
		srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{InMemory: true, Timeout: time.Hour})
		start := time.Now()
		c := srv.Dial(t, "/idle/")

		time.Sleep(20 * time.Minute)
		synctest.Wait()
		assert.GreaterOrEqual(t, len(pongs), 19, "the client answered the heartbeat's pings")
		c.Send(map[string]string{"type": "still here"}) // resets the idle timer
		c.ExpectType("ack")

		assert.Equal(t, "idle", c.ExpectClose(4000), "closed when idle, waiting on the fake clock")
		assert.Equal(t, 50*time.Minute, time.Since(start).Round(time.Minute), "30 minutes after the message at 20")
	})
}

// failures records what a wsroutetest method reports through TB, running it on a
// goroutine of its own because Fatalf ends the goroutine, as testing's does.
type failures struct {
	t      *testing.T
	mu     sync.Mutex
	errors []string
}

func (f *failures) Helper()           {}
func (f *failures) Cleanup(fn func()) { f.t.Cleanup(fn) }
func (f *failures) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *failures) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

// run runs fn and returns what it reported; "" when nothing.
func (f *failures) run(fn func()) string {
	f.mu.Lock()
	f.errors = nil
	f.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errors, "\n")
}

// TestFailureMessages checks what a failing expectation tells the test: the route,
// what was awaited, and what came instead.
func TestFailureMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &failures{t: t}
		srv := wsroutetest.NewServer(t, echoRegistry(), wsroutetest.Config{InMemory: true, Timeout: 5 * time.Second})

		c := srv.Dial(f, "/push/")
		synctest.Wait()
		start := time.Now()
		msg := f.run(func() { c.ExpectType("z") })
		assert.Equal(t, `wsroutetest: /push/: no message of type "z" within 5s; queued (3): "{\"type\":\"a\"}" "{\"type\":\"b\"}" "{\"type\":\"c\"}"`, msg)
		assert.Equal(t, 5*time.Second, time.Since(start), "the timeout, on the fake clock")
		assert.Empty(t, f.run(func() { c.Expect() }), "the messages are still there")

		e := srv.Dial(f, "/echo/")
		assert.Equal(t, "wsroutetest: /echo/: no message within 5s", f.run(func() { e.Expect() }))
		_, err := e.Next()
		assert.ErrorIs(t, err, wsroutetest.ErrTimeout)
		_, err = e.NextType("x")
		assert.ErrorIs(t, err, wsroutetest.ErrTimeout)
		assert.Equal(t, map[string]any{"callbackid": float64(1), "type": "q"}, e.Request(map[string]string{"type": "q"}).Map(),
			"an echo carries the request's id: it is the reply")
		assert.Contains(t, f.run(func() { e.Request([]int{1}) }), "not a JSON object")
		assert.Contains(t, f.run(func() { e.Request(map[string]int{"callbackid": 3}) }), `already has "callbackid"`)
		assert.Equal(t, `wsroutetest: /push/: no message with callbackid 1 (the reply to "{\"callbackid\":1}") within 5s; queued (2): "{\"type\":\"b\"}" "{\"type\":\"c\"}"`,
			f.run(func() { c.Request(struct{}{}) }))

		e.Close(4000, "bye")
		assert.Equal(t, `wsroutetest: /echo/: closed with 4000, want 1000`, f.run(func() { e.ExpectClose(1000) }))
		assert.Equal(t, `wsroutetest: /echo/: closed with 4000 before a message arrived`, f.run(func() { e.Expect() }))
		_, err = e.Next()
		assert.ErrorIs(t, err, wsroutetest.ErrClosed)
		assert.Contains(t, f.run(func() { e.SendText("late") }), "wsroutetest: /echo/: send \"late\"")

		still := srv.Dial(f, "/echo/")
		assert.Equal(t, "wsroutetest: /echo/: still open after 5s (0 messages queued) (want close 1001)", f.run(func() { still.ExpectClose(1001) }))

		assert.Equal(t, "wsroutetest: dial /missing/: HTTP 404 Not Found", f.run(func() { srv.Dial(f, "/missing/") }))
	})
}

// TestCleanup: a connection dialed in a subtest is closed when the subtest ends, and a
// server when its test ends, with its registry shut down.
func TestCleanup(t *testing.T) {
	closes := make(chan socket.CloseEvent, 1)
	next := func() socket.CloseEvent {
		t.Helper()
		select {
		case e := <-closes:
			return e
		case <-time.After(wsroutetest.DefaultTimeout):
			t.Fatal("no close event")
			return socket.CloseEvent{}
		}
	}
	reg := route.New(route.Config{Logger: quiet})
	reg.ROUTE("SOCKET /x/", func(ctl *controller.Controller) {
		ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) { closes <- e })
	})
	outer := t
	t.Run("server", func(t *testing.T) {
		srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{InMemory: true})
		t.Run("conn", func(t *testing.T) { srv.Dial(t, "/x/") })
		assert.Equal(t, socket.CloseEvent{Code: socket.StatusNormalClosure, ByPeer: true}, next(), "closed by the client with 1000")
		srv.Dial(outer, "/x/") // closed by the server's cleanup, which runs first
	})
	assert.Equal(t, socket.StatusGoingAway, next().Code, "the server's cleanup shuts the registry down")
	assert.True(t, errors.Is(reg.Register("SOCKET /y/", func(*controller.Controller) {}), route.ErrShutdown))
}
