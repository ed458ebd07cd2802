package controller_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/lxzan/gws"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

type printer struct {
	gws.BuiltinEventHandler
	got chan string
}

func (p *printer) OnMessage(_ *gws.Conn, m *gws.Message) {
	p.got <- m.Data.String()
	_ = m.Close()
}

func dial(base, path string) (*gws.Conn, chan string) {
	p := &printer{got: make(chan string, 16)}
	conn, _, err := gws.NewClient(p, &gws.ClientOption{Addr: "ws" + strings.TrimPrefix(base, "http") + path})
	if err != nil {
		log.Fatal(err)
	}
	go conn.ReadLoop()
	return conn, p.got
}

// SendFunc broadcasts to every client but the sender: the sender gets only its ack.
func ExampleController_SendFunc() {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /room/ @text", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { _ = c.Send("welcome") })
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = ctl.SendFunc("someone said "+m.String(), func(o *socket.Client) bool { return o != c })
			_ = c.Send("ack")
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	a, fromA := dial(srv.URL, "/room/")
	b, fromB := dial(srv.URL, "/room/")
	defer a.WriteClose(1000, nil)
	defer b.WriteClose(1000, nil)
	<-fromA // both have joined once their welcome has come
	<-fromB
	_ = a.WriteString("hi")
	fmt.Println("a got:", <-fromA)
	fmt.Println("b got:", <-fromB)
	// Output:
	// a got: ack
	// b got: someone said hi
}
