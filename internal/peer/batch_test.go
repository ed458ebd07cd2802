package peer_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

// payloadOf is message i of TestBatchedWritesStayInOrder: its number, then filler up to
// one of the sizes that take the writers' different paths (copied into a batch, written
// in place with writev, past a batch's byte budget).
func payloadOf(sizes []int, i int) []byte {
	b := fmt.Appendf(nil, "%06d:", i)
	return append(b, bytes.Repeat([]byte{byte('a' + i%26)}, sizes[i%len(sizes)])...)
}

// TestBatchedWritesStayInOrder sends, over loopback TCP, a stream of messages of mixed
// sizes, alternately queued for this client alone and as a shared broadcast frame, from
// two goroutines in turn, to a client that does not read at first (its receive buffer
// is small, so the socket fills: writes that would wait, partial writes and the cork),
// and that meanwhile floods pings (pongs go out between the frames). Every message must
// then arrive whole, once, in order, and every frame must parse.
func TestBatchedWritesStayInOrder(t *testing.T) {
	t.Run("mixed sizes", func(t *testing.T) { testBatchedWrites(t, 400, []int{12, 300, 3000, 70000, 40}) })
	// Small messages only: the pool's writes that would wait, and partial ones.
	t.Run("small", func(t *testing.T) { testBatchedWrites(t, 8000, []int{12, 1500, 2000, 1900}) })
}

func testBatchedWrites(t *testing.T, n int, sizes []int) {
	srv := newTestServer(peer.Options{QueueMessages: 1 << 20, QueueBytes: 1 << 30}, &handlerFuncs{})
	hs := httptest.NewServer(srv)
	defer hs.Close()

	raw := wstest.DialRawBuffer(t, hs.URL, wstest.HandshakeRequest("/t/", nil), 4096)
	require.Equal(t, 101, raw.Response(t).StatusCode)
	c := (<-srv.clients).c

	var mu sync.Mutex // the two senders take turns: the order of the messages is defined
	next := 0
	send := func() {
		for {
			mu.Lock()
			i := next
			if i == n {
				mu.Unlock()
				return
			}
			next++
			if i%2 == 0 {
				assert.NoError(t, c.Send(peer.Binary(payloadOf(sizes, i))))
			} else {
				p, err := peer.Prepare(peer.ModeBinary, peer.Binary(payloadOf(sizes, i)))
				assert.NoError(t, err)
				assert.NoError(t, c.SendPrepared(p))
			}
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	wg.Go(send)
	wg.Go(send)
	for range 200 {
		raw.Send(t, wstest.RawFrame{Fin: true, Op: 0x9, Payload: []byte("p")})
	}
	wg.Wait()

	_ = raw.SetReadDeadline(time.Now().Add(wstest.Timeout))
	pongs := 0
	for i := 0; i < n; {
		op, p, err := raw.ReadFrame()
		require.NoError(t, err, "after %d messages", i)
		if op == 0xA {
			pongs++
			continue
		}
		require.Equal(t, byte(0x2), op, "message %d", i)
		require.True(t, bytes.Equal(payloadOf(sizes, i), p), "message %d: got %.20q… (%d bytes)", i, p, len(p))
		i++
	}
	assert.Positive(t, pongs, "pongs between the messages")
}

// TestCorkedRepliesInOrder pipelines requests in one write: each handler's reply is
// corked and all go out, in order, before the server waits for more input.
func TestCorkedRepliesInOrder(t *testing.T) {
	srv := newTestServer(peer.Options{}, &handlerFuncs{
		message: func(c *peer.Client, m peer.Message) { _ = c.Send(peer.Text("re:" + m.String())) },
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	raw := wstest.OpenRaw(t, hs.URL, "/t/", nil)
	<-srv.clients

	var frames []wstest.RawFrame
	for i := range 50 {
		frames = append(frames, wstest.Text(fmt.Sprint(i)))
	}
	raw.Send(t, frames...)
	_ = raw.SetReadDeadline(time.Now().Add(wstest.Timeout))
	for i := range 50 {
		op, p, err := raw.ReadFrame()
		require.NoError(t, err)
		assert.Equal(t, byte(0x1), op)
		assert.Equal(t, fmt.Sprintf("re:%d", i), string(p))
	}
}

// TestCorkedReplyNotHeldBySlowHandler: two requests arrive together; the first is
// answered at once, the second's handler blocks until the test has the first reply. A
// reply corked while a later handler runs must go out on its own (within a millisecond,
// by the cork's timer): were it held until that handler returns, the test would hang.
func TestCorkedReplyNotHeldBySlowHandler(t *testing.T) {
	release := make(chan struct{})
	srv := newTestServer(peer.Options{Mode: peer.ModeText}, &handlerFuncs{
		message: func(c *peer.Client, m peer.Message) {
			if m.String() == "slow" {
				<-release
			}
			_ = c.Send(peer.Text("re:" + m.String()))
		},
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	raw := wstest.OpenRaw(t, hs.URL, "/t/", nil)
	<-srv.clients

	raw.Send(t, wstest.Text("fast"), wstest.Text("slow"))
	_ = raw.SetReadDeadline(time.Now().Add(wstest.Timeout))
	_, p, err := raw.ReadFrame()
	close(release)
	require.NoError(t, err)
	assert.Equal(t, "re:fast", string(p))
	_, p, err = raw.ReadFrame()
	require.NoError(t, err)
	assert.Equal(t, "re:slow", string(p))
}

// TestBroadcastPoolManyClients broadcasts to more clients than the writer pool has
// goroutines, many times: every client gets every message, in order.
func TestBroadcastPoolManyClients(t *testing.T) {
	srv := newTestServer(peer.Options{}, &handlerFuncs{})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	const clients, msgs = 50, 200
	conns := make([]*wstest.Conn, clients)
	var cs []*peer.Client
	for i := range conns {
		conns[i] = wstest.Dial(t, wstest.WSURL(hs.URL, "/t/"), wstest.Options{})
		cs = append(cs, (<-srv.clients).c)
	}
	for i := range msgs {
		p, err := peer.Prepare(peer.ModeText, peer.Text(fmt.Sprint(i)))
		require.NoError(t, err)
		for _, c := range cs {
			require.NoError(t, c.SendPrepared(p))
		}
	}
	for k, conn := range conns {
		var got []string
		for range msgs {
			got = append(got, string(conn.Recv(t).Data))
		}
		require.Equal(t, seq(msgs), got, "client %d", k)
	}
	for _, conn := range conns {
		conn.Close(1000, "")
	}
}
