package wsroutetest_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
	"github.com/wsroute/wsroute/wsroutetest"
)

// chatRegistry has a chat route: a welcome on open, and every "say" to the whole room.
func chatRegistry() *route.Registry {
	reg := route.New(route.Config{Logger: slog.New(slog.DiscardHandler)})
	reg.ROUTE("SOCKET /chat/{room}/ @json", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Send(map[string]any{"type": "welcome", "room": ctl.Param("room"), "online": ctl.Online()})
		})
		ctl.On("say", func(c *socket.Client, m socket.Message) { _ = ctl.Send(json.RawMessage(m.Clone())) })
	})
	return reg
}

// A test starts the registry, dials a route and expects what the server sends. In a
// test, t is the test's *testing.T; an Example has none, so it uses a stand-in.
func Example() {
	t := newExampleTB()
	defer t.finish()

	srv := wsroutetest.NewServer(t, chatRegistry(), wsroutetest.Config{})
	ann := srv.Dial(t, "/chat/lobby/")
	fmt.Println(ann.ExpectType("welcome"))
	bob := srv.Dial(t, "/chat/lobby/")
	fmt.Println(bob.ExpectType("welcome"))

	bob.Send(map[string]string{"type": "say", "text": "hi"})
	fmt.Println(ann.ExpectType("say"))
	fmt.Println(bob.ExpectType("say"))
	// Output:
	// {"online":1,"room":"lobby","type":"welcome"}
	// {"online":2,"room":"lobby","type":"welcome"}
	// {"text":"hi","type":"say"}
	// {"text":"hi","type":"say"}
}

// Request sends a request with a callback id and returns the reply that carries it,
// as socket.Message.Reply sends it.
func ExampleConn_Request() {
	t := newExampleTB()
	defer t.finish()

	reg := route.New(route.Config{Logger: slog.New(slog.DiscardHandler)})
	reg.ROUTE("SOCKET /api/ @json", func(ctl *controller.Controller) {
		ctl.On("sum", func(c *socket.Client, m socket.Message) {
			var in struct{ A, B int }
			if m.Decode(&in) == nil {
				_ = m.Reply(map[string]int{"sum": in.A + in.B})
			}
		})
	})
	srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{})
	c := srv.Dial(t, "/api/")
	reply := c.Request(map[string]any{"type": "sum", "a": 2, "b": 3})
	fmt.Println(reply)
	fmt.Println(reply.Map()["sum"])
	// Output:
	// {"callbackid":1,"sum":5}
	// 5
}

// ExpectClose waits for the connection to end with a close code, and returns the
// reason: here, an authentication hook refuses a client after the upgrade, and the
// server closes another one when it shuts down.
func ExampleConn_ExpectClose() {
	t := newExampleTB()
	defer t.finish()

	reg := route.New(route.Config{
		Logger: slog.New(slog.DiscardHandler),
		Authenticate: func(r *http.Request) route.AuthResult {
			return route.AuthResult{OK: r.URL.Query().Get("token") == "secret"}
		},
	})
	reg.ROUTE("SOCKET /feed/", func(ctl *controller.Controller) {})
	srv := wsroutetest.NewServer(t, reg, wsroutetest.Config{})

	fmt.Println(srv.Dial(t, "/feed/?token=guess").ExpectClose(socket.StatusUnauthorized))
	c := srv.Dial(t, "/feed/?token=secret")
	srv.Close()
	fmt.Println(c.ExpectClose(socket.StatusGoingAway))
	// Output:
	// unauthorized
	// going away
}

// DialErr dials without failing the test, for handshakes that are meant to be refused
// before the upgrade.
func ExampleServer_DialErr() {
	t := newExampleTB()
	defer t.finish()

	srv := wsroutetest.NewServer(t, chatRegistry(), wsroutetest.Config{})
	_, resp, err := srv.DialErr(t, "/nowhere/")
	fmt.Println(err != nil, resp.StatusCode)
	// Output:
	// true 404
}

// In memory, the server and its clients talk over net.Pipe: no port is opened, and a
// test can run them inside a testing/synctest bubble (docs/testing.md shows one).
func ExampleConfig_inMemory() {
	t := newExampleTB()
	defer t.finish()

	srv := wsroutetest.NewServer(t, chatRegistry(), wsroutetest.Config{InMemory: true})
	c := srv.Dial(t, "/chat/attic/", wsroutetest.WithCompression())
	fmt.Println(c.ExpectType("welcome").Map()["room"], c.Compressed())
	// Output:
	// attic true
}
