package route_test

import (
	"sort"
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

// countingValue counts its own JSON encodings.
type countingValue struct{ n *atomic.Int32 }

func (v countingValue) MarshalJSON() ([]byte, error) {
	v.n.Add(1)
	return []byte(`{"v":1}`), nil
}

type frames [][]string

// received returns, per wire client, what it has received since the last call; binary
// frames are marked with a "bin:" prefix.
func received(conns ...*wstest.Conn) frames {
	synctest.Wait()
	out := make(frames, len(conns))
	for i, w := range conns {
		for {
			f, ok := w.TryRecv()
			if !ok {
				break
			}
			s := string(f.Data)
			if f.Binary {
				s = "bin:" + s
			}
			out[i] = append(out[i], s)
		}
	}
	return out
}

// TestSendFromAnywhere drives the registry-level API (Odac's Route.wsServer) from the
// test goroutine, outside every handler, over routes of the three modes: the clients,
// their count, a client by id, send to an id, broadcast, rooms and the live controllers,
// each encoding once per message mode.
func TestSendFromAnywhere(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg(route.Config{PingInterval: -1})
		opened := make(chan *socket.Client, 8)
		for _, r := range []string{"SOCKET /j/{n}/", "SOCKET /t/ @text", "SOCKET /b/ @binary"} {
			reg.ROUTE(r, func(ctl *controller.Controller) {
				ctl.OnOpen(func(c *socket.Client) { opened <- c })
			})
		}
		connect := func(path string) (*wstest.Conn, *socket.Client) {
			w, _, err := wstest.Pipe(reg, path, wstest.Options{})
			require.NoError(t, err)
			synctest.Wait()
			return w, <-opened
		}
		wj1, j1 := connect("/j/1/")
		wj2, j2 := connect("/j/1/")
		wj3, j3 := connect("/j/2/")
		wt, tc := connect("/t/")
		wb, bc := connect("/b/")
		all := []*wstest.Conn{wj1, wj2, wj3, wt, wb}

		// The clients, their count, one by id.
		assert.Equal(t, 5, reg.Online())
		assert.ElementsMatch(t, []*socket.Client{j1, j2, j3, tc, bc}, reg.Clients())
		assert.Same(t, j3, reg.Client(j3.ID()))
		assert.Nil(t, reg.Client("no-such-id"))

		// The live controllers by URL.
		var urls []string
		for u := range reg.Controllers() {
			urls = append(urls, u)
		}
		sort.Strings(urls)
		assert.Equal(t, []string{"/b/", "/j/1/", "/j/2/", "/t/"}, urls)
		ctl := reg.Controller("/J/1")
		require.NotNil(t, ctl)
		assert.Equal(t, 2, ctl.Online())
		assert.Nil(t, reg.Controller("/j/3/"))

		// Send to one id.
		var n atomic.Int32
		require.NoError(t, reg.SendTo(j2.ID(), countingValue{&n}))
		assert.EqualValues(t, 1, n.Load())
		assert.Equal(t, frames{nil, {`{"v":1}`}, nil, nil, nil}, received(all...))
		assert.ErrorIs(t, reg.SendTo("no-such-id", "x"), socket.ErrClosed)

		// Broadcast to all: encoded once per mode; @binary cannot send a struct, and says so.
		n.Store(0)
		err := reg.Send(countingValue{&n})
		assert.ErrorIs(t, err, socket.ErrUnsupportedValue, "the @binary client could not take it")
		assert.EqualValues(t, 2, n.Load(), "once for @json, once for @text")
		assert.Equal(t, frames{{`{"v":1}`}, {`{"v":1}`}, {`{"v":1}`}, {`{"v":1}`}, nil}, received(all...))
		require.NoError(t, reg.SendFunc("hi", func(c *socket.Client) bool { return c != j1 }))
		assert.Equal(t, frames{nil, {`"hi"`}, {`"hi"`}, {`hi`}, {`bin:hi`}}, received(all...), "each mode encodes its own way")

		// Rooms across routes.
		require.NoError(t, j1.Join("r"))
		require.NoError(t, tc.Join("r"))
		require.NoError(t, bc.Join("r"))
		require.NoError(t, j3.Join("other"))
		assert.Equal(t, []string{"other", "r"}, reg.Rooms())
		room := reg.To("r")
		assert.Equal(t, "r", room.Name())
		assert.Equal(t, 3, room.Online())
		assert.ElementsMatch(t, []*socket.Client{j1, tc, bc}, room.Clients())
		require.NoError(t, room.Send("news"))
		assert.Equal(t, frames{{`"news"`}, nil, nil, {`news`}, {`bin:news`}}, received(all...))
		require.NoError(t, room.Broadcast(j1, "not j1"))
		assert.Equal(t, frames{nil, nil, nil, {`not j1`}, {`bin:not j1`}}, received(all...))
		n.Store(0)
		require.NoError(t, room.SendFunc(countingValue{&n}, func(c *socket.Client) bool { return c.Mode() != socket.ModeBinary }))
		assert.EqualValues(t, 2, n.Load(), "once per mode in the room")
		assert.Equal(t, frames{{`{"v":1}`}, nil, nil, {`{"v":1}`}, nil}, received(all...))
		require.NoError(t, reg.To("empty").Send("nobody"))
		assert.Equal(t, frames{nil, nil, nil, nil, nil}, received(all...))

		// Clients that go leave their rooms; the registry frees the empty ones.
		wj1.Kill()
		wt.Kill()
		wb.Kill()
		synctest.Wait()
		assert.Equal(t, []string{"other"}, reg.Rooms())
		assert.Equal(t, 2, reg.Online())
		wj2.Kill()
		wj3.Kill()
		synctest.Wait()
		assert.Empty(t, reg.Rooms(), "no entry left in the index")
		assert.Zero(t, reg.Online())
		assert.Empty(t, reg.Clients())
	})
}
