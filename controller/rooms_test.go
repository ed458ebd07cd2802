package controller_test

import (
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// opener registers route on reg with an open handler that hands out each client.
func opener(reg *route.Registry, r string) chan *socket.Client {
	opened := make(chan *socket.Client, 16)
	reg.ROUTE(r, func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { opened <- c })
	})
	return opened
}

// dialClient connects to path and returns the wire end and the server's client.
func dialClient(t *testing.T, reg *route.Registry, path string, opened chan *socket.Client) (*wstest.Conn, *socket.Client) {
	t.Helper()
	w := pipe(t, reg, path)
	synctest.Wait()
	return w, <-opened
}

// inbox returns what each wire client has received since the last call.
func inbox(conns ...*wstest.Conn) [][]string {
	synctest.Wait()
	out := make([][]string, len(conns))
	for i, w := range conns {
		for {
			f, ok := w.TryRecv()
			if !ok {
				break
			}
			out[i] = append(out[i], string(f.Data))
		}
	}
	return out
}

// TestControllerRooms checks ctl.To(room) (only this controller's members), the broadcast
// helpers of Odac, openspeed and the Vite plugin, and that each send encodes once.
func TestControllerRooms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		opened := opener(reg, "SOCKET /game/{id}/")
		wa, a := dialClient(t, reg, "/game/1/", opened)
		wb, b := dialClient(t, reg, "/game/1/", opened)
		wc, c := dialClient(t, reg, "/game/1/", opened)
		wd, d := dialClient(t, reg, "/game/2/", opened) // another controller
		ctl := reg.Controller("/game/1/")
		require.NotNil(t, ctl)

		require.NoError(t, a.Join("red"))
		require.NoError(t, a.Join("blue"))
		require.NoError(t, b.Join("red"))
		require.NoError(t, c.Join("blue"))
		require.NoError(t, d.Join("red"))

		assert.Equal(t, []string{"blue", "red"}, ctl.Rooms())
		assert.Equal(t, []string{"red"}, reg.Controller("/game/2/").Rooms(), "only its own clients' rooms")

		red := ctl.To("red")
		assert.Equal(t, "red", red.Name())
		assert.Equal(t, 2, red.Online(), "d is in red too, on another controller")
		assert.ElementsMatch(t, []*socket.Client{a, b}, red.Clients())
		assert.Equal(t, 3, reg.To("red").Online(), "the registry's room has all three")
		assert.Zero(t, ctl.To("nobody").Online())

		// Odac ws.to(room).send, openspeed broadcastAll(room): every member, encoded once.
		var n atomic.Int32
		require.NoError(t, red.Send(counted{&n}))
		assert.EqualValues(t, 1, n.Load())
		assert.Equal(t, [][]string{{`{"counted":true}`}, {`{"counted":true}`}, nil, nil}, inbox(wa, wb, wc, wd))

		// openspeed broadcast(room): the members but the sender.
		require.NoError(t, red.Broadcast(a, "room-but-a"))
		assert.Equal(t, [][]string{nil, {`"room-but-a"`}, nil, nil}, inbox(wa, wb, wc, wd))

		// Odac ws.broadcast: everyone on the controller but the sender.
		require.NoError(t, ctl.Broadcast(a, "all-but-a"))
		assert.Equal(t, [][]string{nil, {`"all-but-a"`}, {`"all-but-a"`}, nil}, inbox(wa, wb, wc, wd))
		require.NoError(t, ctl.Broadcast(nil, "all"))
		assert.Equal(t, [][]string{{`"all"`}, {`"all"`}, {`"all"`}, nil}, inbox(wa, wb, wc, wd))

		// The Vite plugin's conn.broadcast(data, {rooms, includeSelf}).
		require.NoError(t, ctl.BroadcastWith(a, "rooms", controller.BroadcastOptions{Rooms: []string{"red", "blue"}}))
		assert.Equal(t, [][]string{nil, {`"rooms"`}, {`"rooms"`}, nil}, inbox(wa, wb, wc, wd))
		require.NoError(t, ctl.BroadcastWith(a, "self", controller.BroadcastOptions{Rooms: []string{"red", "blue"}, IncludeSelf: true}))
		assert.Equal(t, [][]string{{`"self"`}, {`"self"`}, {`"self"`}, nil}, inbox(wa, wb, wc, wd), "a is in both rooms and gets it once")
		require.NoError(t, ctl.BroadcastWith(a, "blue", controller.BroadcastOptions{Rooms: []string{"blue"}}))
		assert.Equal(t, [][]string{nil, nil, {`"blue"`}, nil}, inbox(wa, wb, wc, wd))
		require.NoError(t, ctl.BroadcastWith(a, "everyone", controller.BroadcastOptions{IncludeSelf: true}))
		assert.Equal(t, [][]string{{`"everyone"`}, {`"everyone"`}, {`"everyone"`}, nil}, inbox(wa, wb, wc, wd))
		require.NoError(t, ctl.BroadcastWith(b, "not-b", controller.BroadcastOptions{}))
		assert.Equal(t, [][]string{{`"not-b"`}, nil, {`"not-b"`}, nil}, inbox(wa, wb, wc, wd), "the Vite default excludes the sender")
		n.Store(0)
		require.NoError(t, ctl.BroadcastWith(nil, counted{&n}, controller.BroadcastOptions{Rooms: []string{"red", "blue"}}))
		assert.EqualValues(t, 1, n.Load(), "one encoding for a multi-room broadcast")
		inbox(wa, wb, wc, wd)

		// Leaving and closing.
		assert.True(t, b.Leave("red"))
		assert.Equal(t, []*socket.Client{a}, red.Clients())
		wa.Kill()
		synctest.Wait()
		assert.Zero(t, red.Online(), "a left its rooms when it closed")
		assert.Equal(t, []string{"blue", "red"}, reg.Rooms(), "blue still has c, red still has d")
		require.NoError(t, red.Send("nobody here"))
		assert.Equal(t, [][]string{nil, nil, nil}, inbox(wb, wc, wd))
		wd.Kill()
		synctest.Wait()
		assert.Equal(t, []string{"blue"}, reg.Rooms(), "red is freed with its last member")

		// A destroyed controller refuses room sends as it refuses Send.
		ctl.Destroy()
		wb.WaitClosed(t)
		wc.WaitClosed(t)
		synctest.Wait()
		assert.Empty(t, reg.Rooms(), "no entry left in the index")
		assert.ErrorIs(t, red.Send("late"), controller.ErrDestroyed)
		assert.ErrorIs(t, ctl.BroadcastWith(nil, "late", controller.BroadcastOptions{Rooms: []string{"red"}}), controller.ErrDestroyed)
	})
}

// TestOpenspeedRoomChat is openspeed's chat example in wsroute: join the room from the
// URL, broadcast(room, …) to the others, and switch rooms on a "join-room" event.
func TestOpenspeedRoomChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		reg.ROUTE("SOCKET /chat/{room}/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				_ = c.Join(c.Param("room"))
				_ = ctl.To(c.Param("room")).Broadcast(c, "joined") // ws.broadcast(room, …)
			})
			ctl.On("join-room", func(c *socket.Client, m socket.Message) {
				var in struct{ Room string }
				_ = m.Decode(&in)
				for _, r := range c.Rooms() {
					c.Leave(r)
				}
				_ = c.Join(in.Room)
				_ = c.Send("switched to " + in.Room)
			})
			ctl.OnMessage(func(c *socket.Client, m socket.Message) {
				for _, r := range c.Rooms() {
					_ = ctl.To(r).Send(m.String()) // ws.broadcastAll(room, …)
				}
			})
		})
		a := pipe(t, reg, "/chat/x/")
		synctest.Wait()
		b := pipe(t, reg, "/chat/x/")
		synctest.Wait()
		assert.Equal(t, [][]string{{`"joined"`}, nil}, inbox(a, b))

		b.Send(t, map[string]string{"type": "join-room", "room": "y"})
		assert.Equal(t, [][]string{nil, {`"switched to y"`}}, inbox(a, b))
		a.Send(t, "hello x")
		assert.Equal(t, [][]string{{`"\"hello x\""`}, nil}, inbox(a, b), "b has left x")
		a.Kill()
		b.Kill()
	})
}
