package route_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/lxzan/gws"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// exampleClient is a minimal gws client for the examples: it prints what it receives.
type exampleClient struct {
	gws.BuiltinEventHandler
	got chan string
}

func (e *exampleClient) OnMessage(_ *gws.Conn, m *gws.Message) {
	e.got <- m.Data.String()
	_ = m.Close()
}

func dialExample(base, path string) (*gws.Conn, chan string) {
	h := &exampleClient{got: make(chan string, 16)}
	conn, _, err := gws.NewClient(h, &gws.ClientOption{Addr: "ws" + strings.TrimPrefix(base, "http") + path})
	if err != nil {
		log.Fatal(err)
	}
	go conn.ReadLoop()
	return conn, h.got
}

// A route that answers every text message, served on a loopback test server.
func ExampleRegistry_ROUTE() {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /echo/ @text <64KB", func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = c.Send("echo: " + m.String())
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	conn, got := dialExample(srv.URL, "/echo/")
	defer conn.WriteClose(1000, nil)
	_ = conn.WriteString("hello")
	fmt.Println(<-got)
	// Output: echo: hello
}

// Register returns the error that ROUTE panics with: here a *parser.Error with the
// offset of the problem.
func ExampleRegistry_Register() {
	reg := route.New(route.Config{})
	err := reg.Register("SOCKET /chat/ @text @binary", func(*controller.Controller) {})
	fmt.Println(err != nil)
	// Output: true
}

// The shape of a program: route.Default configured once, routes registered on it with
// ROUTE (here a "+" route, which needs Config.Authorize), and Default served by net/http.
// The example serves it on a loopback test server instead of ":8000".
func ExampleROUTE() {
	route.Configure(route.Config{
		Authorize: func(r *http.Request) (user any, ok bool, err error) {
			name := r.Header.Get("X-User") // a real application reads its session cookie
			return name, name != "", nil
		},
	})
	route.ROUTE("+SOCKET /chat/{room}/ @json <1MB", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Send(map[string]any{"hello": c.User(), "room": ctl.Param("room")})
		})
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = ctl.Send(json.RawMessage(m.Bytes())) // the message as it came, to everyone
		})
	})
	if false { // in main:
		log.Fatal(http.ListenAndServe(":8000", route.Default))
	}
	srv := httptest.NewServer(route.Default)
	defer srv.Close()
	defer route.Default.Shutdown(context.Background())

	got, _ := first(srv.URL, "/chat/Lobby/", http.Header{"X-User": {"ann"}})
	fmt.Println(got)
	got, _ = first(srv.URL, "/chat/Lobby/", nil)
	fmt.Println(got)
	// Output:
	// {"hello":"ann","room":"Lobby"}
	// closed 4001 "unauthorized"
}
