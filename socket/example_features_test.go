package socket_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/lxzan/gws"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

type examplePrinter struct {
	gws.BuiltinEventHandler
	got chan string
}

func (p *examplePrinter) OnMessage(_ *gws.Conn, m *gws.Message) {
	p.got <- m.Data.String()
	_ = m.Close()
}

func exampleDial(base, path string) (*gws.Conn, chan string) {
	p := &examplePrinter{got: make(chan string, 16)}
	conn, _, err := gws.NewClient(p, &gws.ClientOption{Addr: "ws" + strings.TrimPrefix(base, "http") + path})
	if err != nil {
		log.Fatal(err)
	}
	go conn.ReadLoop()
	return conn, p.got
}

// Request and reply, as Total.js's $.api or a Socket.IO acknowledgement: the answer
// carries the request's callback id ("callbackid" unless route.Config.ReplyField says
// otherwise).
func ExampleMessage_Reply() {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /api/", func(ctl *controller.Controller) {
		ctl.On("sum", func(c *socket.Client, m socket.Message) {
			var in struct{ A, B int }
			if err := m.Decode(&in); err != nil {
				return
			}
			_ = m.Reply(map[string]int{"sum": in.A + in.B})
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	conn, got := exampleDial(srv.URL, "/api/")
	defer conn.WriteClose(1000, nil)
	_ = conn.WriteString(`{"type":"sum","callbackid":7,"a":1,"b":2}`)
	fmt.Println(<-got)
	// Output: {"callbackid":7,"sum":3}
}

// A timer tied to the connection (Odac's Odac.setInterval): it ticks until stopped, and
// stops by itself when the client goes.
func ExampleClient_Every() {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /live/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			n := 0
			c.Every(10*time.Millisecond, func() {
				n++
				_ = c.Send(map[string]int{"update": n})
			})
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	conn, got := exampleDial(srv.URL, "/live/")
	fmt.Println(<-got)
	fmt.Println(<-got)
	fmt.Println(<-got)
	_ = conn.WriteClose(1000, nil) // the timer stops with the connection
	// Output:
	// {"update":1}
	// {"update":2}
	// {"update":3}
}
