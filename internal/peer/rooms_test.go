package peer_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

func ids(cs []*peer.Client) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID())
	}
	return out
}

// TestRooms checks the room index: join, leave, the client's rooms, the hub's members,
// and that a closing client leaves every room and an emptied room is freed.
func TestRooms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closed := make(chan string, 4)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			close: func(c *peer.Client, _ peer.CloseEvent) {
				closed <- c.ID()
			},
		})
		wa, a := srv.dial(t, wstest.Options{})
		wb, b := srv.dial(t, wstest.Options{})
		wc, c := srv.dial(t, wstest.Options{})
		hub := srv.hub

		assert.Empty(t, a.Rooms(), "no room before joining")
		require.NoError(t, a.Join("red"))
		require.NoError(t, a.Join("blue"))
		require.NoError(t, a.Join("red"), "joining twice is joining once")
		require.NoError(t, b.Join("red"))
		require.NoError(t, c.Join("green"))

		assert.Equal(t, []string{"blue", "red"}, a.Rooms(), "sorted")
		assert.True(t, a.InRoom("red"))
		assert.False(t, c.InRoom("red"))
		assert.Equal(t, []string{"blue", "green", "red"}, hub.Rooms())
		assert.Equal(t, 2, hub.RoomLen("red"))
		assert.ElementsMatch(t, []string{a.ID(), b.ID()}, ids(hub.Room("red", nil)))
		assert.Empty(t, hub.Room("nobody", nil))
		assert.Zero(t, hub.RoomLen("nobody"))

		union := hub.RoomsUnion([]string{"red", "blue", "green", "nobody"}, nil)
		assert.ElementsMatch(t, []string{a.ID(), b.ID(), c.ID()}, ids(union), "a is in two rooms and counted once")
		assert.ElementsMatch(t, []string{a.ID()}, ids(hub.RoomsUnion([]string{"blue"}, nil)))
		pre := hub.RoomsUnion([]string{"red", "blue"}, []*peer.Client{a})
		assert.Len(t, pre, 3, "what dst held is kept, not deduplicated against")

		assert.True(t, b.Leave("red"))
		assert.False(t, b.Leave("red"), "not a member any more")
		assert.False(t, b.Leave("never"))
		assert.Equal(t, 1, hub.RoomLen("red"))

		assert.True(t, c.Leave("green"))
		assert.Equal(t, []string{"blue", "red"}, hub.Rooms(), "the emptied room is freed")

		// Closing leaves every room; a's rooms were only its own, so they go.
		wa.Close(1000, "")
		wa.WaitClosed(t)
		assert.Equal(t, a.ID(), <-closed)
		assert.Empty(t, a.Rooms())
		assert.Empty(t, hub.Rooms(), "no entry left in the index")
		assert.ErrorIs(t, a.Join("red"), peer.ErrClosed, "a closed client never reappears in a room")
		assert.Empty(t, hub.Rooms())

		// A dropped connection too.
		require.NoError(t, b.Join("x"))
		require.NoError(t, c.Join("x"))
		wb.Kill()
		assert.Equal(t, b.ID(), <-closed)
		assert.Equal(t, []string{"x"}, hub.Rooms())
		assert.Equal(t, []string{c.ID()}, ids(hub.Room("x", nil)))
		wc.Kill()
		<-closed
		assert.Empty(t, hub.Rooms())
		assert.Zero(t, hub.Len())
	})
}

// TestRoomsConcurrent joins and leaves from many goroutines while clients close, for
// the race detector, and checks that nothing is left behind.
func TestRoomsConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newTestServer(peer.Options{}, &handlerFuncs{})
		var conns []*wstest.Conn
		var clients []*peer.Client
		for range 8 {
			w, c := srv.dial(t, wstest.Options{})
			conns = append(conns, w)
			clients = append(clients, c)
		}
		rooms := []string{"a", "b", "c"}
		done := make(chan struct{})
		for i, c := range clients {
			go func() {
				defer func() { done <- struct{}{} }()
				for j := range 200 {
					r := rooms[(i+j)%len(rooms)]
					if err := c.Join(r); err != nil {
						return // closed meanwhile
					}
					_ = c.Rooms()
					_ = srv.hub.Room(r, nil)
					if j%3 == 0 {
						c.Leave(r)
					}
				}
			}()
		}
		for i, w := range conns {
			if i%2 == 0 {
				w.Kill()
			}
		}
		for range clients {
			<-done
		}
		synctest.Wait()
		for i, c := range clients {
			if i%2 == 0 {
				assert.Empty(t, c.Rooms(), "closed client %d", i)
			}
		}
		for _, r := range srv.hub.Rooms() {
			for _, c := range srv.hub.Room(r, nil) {
				assert.Equal(t, peer.StateOpen, c.State(), "only live clients in room %s", r)
			}
		}
		for i, w := range conns {
			if i%2 == 1 {
				w.Kill()
			}
		}
		synctest.Wait()
		assert.Empty(t, srv.hub.Rooms(), "no entry left in the index")
	})
}
