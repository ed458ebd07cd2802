// Package wsroutetest tests the handlers of a route.Registry as net/http/httptest tests
// HTTP handlers: it serves the registry on loopback or in memory, dials its routes as a
// WebSocket client, and waits for what the server sends.
//
//	func TestEcho(t *testing.T) {
//		reg := route.New(route.Config{})
//		reg.ROUTE("SOCKET /echo/ @json", func(ctl *controller.Controller) {
//			ctl.OnMessage(func(c *socket.Client, m socket.Message) {
//				_ = c.Send(json.RawMessage(m.Clone()))
//			})
//		})
//		srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{})
//		c := srv.Dial(t, "/echo/")
//		c.Send(map[string]any{"type": "hello", "n": 1})
//		if got := c.ExpectType("hello").Map(); got["n"] != 1.0 {
//			t.Errorf("echo: got %v", got)
//		}
//	}
//
// # Waiting
//
// A Conn queues every message the server sends. Expect returns the oldest, ExpectType the
// oldest whose JSON "type" field has a given value, and Request the reply to a request
// (the message with its callback id); what they pass over stays queued. ExpectClose
// waits for the connection to end with a given close code. Each waits up to
// Config.Timeout (DefaultTimeout, 10 s) and fails the test with a message that names the
// route, what was awaited and what was queued instead. Next, NextType and WaitClose do
// the same without failing the test: they return an error wrapping ErrTimeout or
// ErrClosed.
//
// # testing/synctest
//
// With Config.InMemory the server and its clients talk over net.Pipe, so that a test
// can run them inside a testing/synctest bubble, where heartbeats, autodestroy delays
// and application timers of minutes elapse at once on the fake clock. The timeouts of
// the waiting methods are fake time too.
//
// # Cleanup
//
// Everything is closed when the test ends, through t.Cleanup: each connection when the
// test that dialed it ends, then the server, which shuts the registry down
// (Registry.Shutdown) and waits for the goroutines it started.
//
// docs/testing.md has a longer example and says what the harness does not do.
package wsroutetest
