package route_test

import (
	"context"
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

// The shape of a program: routes on route.Default, served by net/http.
func ExampleROUTE() {
	route.ROUTE("SOCKET /chat/{room}/ @json <1MB", func(ctl *controller.Controller) {
		ctl.AutoDestroy()
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = ctl.SendFunc(m.Clone(), func(o *socket.Client) bool { return o != c })
		})
	})
	if false { // an example that compiles but does not listen
		log.Fatal(http.ListenAndServe(":8000", route.Default))
	}
}
