package peer_test

import (
	"bytes"
	"encoding/binary"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

// wireSizes are the payload sizes FuzzWire picks from: each side of every frame-length
// encoding and of the compression threshold, and up to 1 MiB.
var wireSizes = []int{0, 1, 125, 126, 511, 512, 513, 4096, 65535, 65536, 300_000, 1 << 20}

// wirePayload is a deterministic payload of n bytes: compressible text, or bytes that
// deflate cannot shrink.
func wirePayload(n, seed int, compressible bool) []byte {
	if compressible {
		s := strings.Repeat(`{"type":"message","n":`+string(rune('0'+seed%10))+`,"text":"hello"}`, n/30+1)
		return []byte(s[:n])
	}
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// FuzzWire round-trips random sequences of messages through wsroute's writer to gws
// clients, one that negotiated permessage-deflate and one that did not: sizes from 0 B to
// 1 MiB, text and binary, sent to one client or broadcast as one shared frame,
// interleaved with pings, and a final close. Each client must read every message whole,
// in order, then the close code.
func FuzzWire(f *testing.F) {
	f.Add([]byte{0x00, 0x13, 0x25, 0x37, 0x49, 0x5b, 0x60, 0x71})
	f.Add([]byte{0x0b, 0x1b, 0x2a, 0x3a, 0x05, 0x15, 0x06})
	f.Add(bytes.Repeat([]byte{0x04, 0x14, 0x24, 0x34, 0x65}, 20))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, ops []byte) {
		srv := newTestServer(peer.Options{Compression: true, QueueMessages: 1 << 20, QueueBytes: 1 << 30}, &handlerFuncs{})
		hs := httptest.NewServer(srv)
		defer hs.Close()
		zc := wstest.Dial(t, wstest.WSURL(hs.URL, "/t/"), wstest.Options{Compression: true})
		z := (<-srv.clients).c
		pc := wstest.Dial(t, wstest.WSURL(hs.URL, "/t/"), wstest.Options{})
		p := (<-srv.clients).c
		require.Contains(t, zc.Resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
		require.Empty(t, pc.Resp.Header.Get("Sec-WebSocket-Extensions"))

		var want []wstest.Frame
		total := 0
		for i, op := range ops {
			n := wireSizes[int(op&0x0F)%len(wireSizes)]
			if total+n > 4<<20 {
				break // bounded work per input
			}
			total += n
			kind := op >> 4
			if kind == 6 {
				require.NoError(t, z.Ping())
				require.NoError(t, p.Ping())
				continue
			}
			data := wirePayload(n, i, kind&1 == 0)
			text := kind&2 != 0
			if text {
				for j, b := range data {
					data[j] = ' ' + b%95 // printable ASCII: valid UTF-8 of the same length
				}
			}
			var v any = peer.Binary(data)
			if text {
				v = peer.Text(data)
			}
			want = append(want, wstest.Frame{Binary: !text, Data: data})
			if kind&4 != 0 {
				pr, err := peer.Prepare(peer.ModeBinary, v)
				require.NoError(t, err)
				require.NoError(t, z.SendPrepared(pr))
				require.NoError(t, p.SendPrepared(pr))
				continue
			}
			require.NoError(t, z.Send(v))
			require.NoError(t, p.Send(v))
		}
		code := 3000 + int(binary.BigEndian.Uint16(append([]byte{0, 0}, ops...)[len(ops):]))%2000
		require.NoError(t, z.Close(peer.StatusCode(code), "done"))
		require.NoError(t, p.Close(peer.StatusCode(code), "done"))

		for ci, c := range []*wstest.Conn{zc, pc} {
			for i, w := range want {
				t.Logf("client %d message %d: %d bytes", ci, i, len(w.Data))
				got := c.Recv(t)
				require.Equal(t, w.Binary, got.Binary, "message %d", i)
				require.True(t, bytes.Equal(w.Data, got.Data), "message %d: %d bytes, want %d", i, len(got.Data), len(w.Data))
			}
			gotCode, reason := c.WaitClosed(t)
			require.EqualValues(t, code, gotCode)
			require.Equal(t, "done", reason)
		}
	})
}
