package controller_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// Rooms inside one route: a client joins a room by message, and To(room).Broadcast
// reaches the room's other members (openspeed's ws.broadcast(room, data);
// To(room).Send is its broadcastAll).
func ExampleController_To() {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /game/ @text", func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			room, text, _ := strings.Cut(m.String(), ":")
			if text == "join" {
				_ = c.Join(room)
				_ = c.Send("joined " + room)
				return
			}
			_ = ctl.To(room).Broadcast(c, c.Query("name")+" says "+text)
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	a, fromA := dial(srv.URL, "/game/?name=ann")
	b, fromB := dial(srv.URL, "/game/?name=bob")
	defer a.WriteClose(1000, nil)
	defer b.WriteClose(1000, nil)
	_ = a.WriteString("red:join")
	_ = b.WriteString("red:join")
	fmt.Println(<-fromA)
	fmt.Println(<-fromB)
	_ = a.WriteString("red:hello")
	fmt.Println(<-fromB)
	// Output:
	// joined red
	// joined red
	// ann says hello
}

// BroadcastWith is the Vite plugin's conn.broadcast(data, {rooms, includeSelf}).
func ExampleController_BroadcastWith() {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /chat/ @text", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Join("general")
			_ = c.Send("welcome")
		})
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = ctl.BroadcastWith(c, m.String(), controller.BroadcastOptions{
				Rooms:       []string{"general"},
				IncludeSelf: true,
			})
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	a, fromA := dial(srv.URL, "/chat/")
	b, fromB := dial(srv.URL, "/chat/")
	defer a.WriteClose(1000, nil)
	defer b.WriteClose(1000, nil)
	<-fromA
	<-fromB
	_ = a.WriteString("hello, room")
	fmt.Println("a got:", <-fromA)
	fmt.Println("b got:", <-fromB)
	// Output:
	// a got: hello, room
	// b got: hello, room
}
