package route_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// matrixKey is the CSRF key of the bad-input server; the test mints tokens with it by
// hand too, following the format documented in csrf.go.
var matrixKey = []byte("bad-input-matrix-key-32-bytes!!!")

// expiredToken builds a well-signed token that expired an hour ago.
func expiredToken(session string) string {
	var b [8 + sha256.Size]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().Add(-time.Hour).Unix()))
	m := hmac.New(sha256.New, matrixKey)
	m.Write([]byte("wsroute csrf v1\x00"))
	m.Write(b[:8])
	m.Write([]byte(session))
	copy(b[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// matrixServer is the server of the bad-input matrix: one handler on routes that differ
// only by their protections. A room broadcasts each message to the room's other
// clients; {"type":"panic"} panics, {"type":"block"} blocks until the test releases it.
type matrixServer struct {
	reg     *route.Registry
	base    string
	mu      sync.Mutex // guards closes, errs
	closes  map[string]chan socket.CloseEvent
	errs    map[string]chan error
	blocked chan struct{} // a handler has started blocking
	release chan struct{} // closed to unblock it
	once    sync.Once
}

func newMatrixServer(t *testing.T) *matrixServer {
	s := &matrixServer{
		closes:  make(map[string]chan socket.CloseEvent),
		errs:    make(map[string]chan error),
		blocked: make(chan struct{}, 1),
		release: make(chan struct{}),
	}
	t.Cleanup(func() { s.once.Do(func() { close(s.release) }) })
	s.reg = newReg(route.Config{
		Authorize: func(r *http.Request) (any, bool, error) {
			return r.Header.Get("Authorization"), r.Header.Get("Authorization") == "ok", nil
		},
		CSRFKey: matrixKey,
		CSRFSession: func(r *http.Request) string {
			c, _ := r.Cookie("sid")
			if c == nil {
				return ""
			}
			return c.Value
		},
		QueueMessages: 256,
		QueueBytes:    1 << 20,
	})
	s.reg.Middleware("gate", func(h *route.Handshake) (bool, error) { return h.Request.Header.Get("X-Deny") == "", nil })
	room := func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { _ = c.Send(map[string]string{"type": "welcome"}) })
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			var in struct{ Type string }
			_ = m.Decode(&in)
			switch in.Type {
			case "panic":
				panic("handler bug")
			case "block":
				s.blocked <- struct{}{}
				<-s.release
				return
			}
			_ = ctl.SendFunc(json.RawMessage(m.Clone()), func(o *socket.Client) bool { return o != c })
		})
		ctl.OnError(func(c *socket.Client, err error) {
			if ch := s.errCh(c.Header().Get("X-Bad")); ch != nil {
				ch <- err
			}
		})
		ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) {
			if ch := s.closeCh(c.Header().Get("X-Bad")); ch != nil {
				ch <- e
			}
		})
	}
	for _, r := range []string{
		"SOCKET /room/{name}/ <1KB",
		"SOCKET /big/{name}/ <64KB",
		"SOCKET /rate/{name}/ <1KB ~20/s",
		"SOCKET /csrf/{name}/ @csrf <1KB",
		"+SOCKET /auth/{name}/ <1KB",
		"SOCKET /mw/{name}/ #gate <1KB",
	} {
		s.reg.ROUTE(r, room)
	}
	s.base = serve(t, s.reg)
	return s
}

func (s *matrixServer) closeCh(id string) chan socket.CloseEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		return nil
	}
	if s.closes[id] == nil {
		s.closes[id] = make(chan socket.CloseEvent, 1)
	}
	return s.closes[id]
}

func (s *matrixServer) errCh(id string) chan error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		return nil
	}
	if s.errs[id] == nil {
		s.errs[id] = make(chan error, 8)
	}
	return s.errs[id]
}

// goodHeader is what a well-behaved client of the room sends.
func (s *matrixServer) goodHeader(room string) http.Header {
	h := http.Header{}
	switch {
	case strings.HasPrefix(room, "/csrf/"):
		h.Set("Cookie", "sid=s1")
		h.Set("Sec-WebSocket-Protocol", "wsroute, csrf."+s.reg.CSRFToken("s1"))
	case strings.HasPrefix(room, "/auth/"):
		h.Set("Authorization", "ok")
	}
	return h
}

// badCase is one row of the matrix. A case either sends a handshake (request) and
// expects an HTTP status, or opens a connection with header and misbehaves on it (act).
type badCase struct {
	name    string
	prefix  string // the route: "/room/", "/big/", ...; the case gets a room of its own under it
	request func(path string) string
	status  int // the expected HTTP status
	header  http.Header
	act     func(t *testing.T, r *wstest.Raw, s *matrixServer, healthy [2]*wstest.Conn)
	code    uint16                                                                      // the close code the bad client must read; 0 when it reads none
	server  uint16                                                                      // the code the server's close event reports; 0 when the connection stays open
	after   func(t *testing.T, r *wstest.Raw, s *matrixServer, healthy [2]*wstest.Conn) // checks for an open connection
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[http.CanonicalHeaderKey(kv[i])] = []string{kv[i+1]}
	}
	return h
}

// request returns a handshake request builder with h added to the standard headers.
func request(h http.Header) func(string) string {
	return func(path string) string { return wstest.HandshakeRequest(path, h) }
}

func send(frames ...wstest.RawFrame) func(*testing.T, *wstest.Raw, *matrixServer, [2]*wstest.Conn) {
	return func(t *testing.T, r *wstest.Raw, _ *matrixServer, _ [2]*wstest.Conn) { r.Send(t, frames...) }
}

func text(s string) wstest.RawFrame { return wstest.Text(s) }

func frag(op byte, fin bool, p string) wstest.RawFrame {
	return wstest.RawFrame{Fin: fin, Op: op, Payload: []byte(p)}
}

// deflated is a compressed text frame; it needs permessage-deflate in the handshake.
func deflated(p []byte) wstest.RawFrame {
	return wstest.RawFrame{Fin: true, RSV1: true, Op: 0x1, Payload: wstest.Deflate(p)}
}

var compress = hdr("Sec-WebSocket-Extensions", "permessage-deflate; client_no_context_takeover; server_no_context_takeover")

// TestBadInput is the bad-input matrix. For every case: the expected HTTP status or close
// code (as the bad client reads it and as the server's close event reports it), the server
// keeps serving (a new client joins the room), and two healthy clients in the same room
// exchange all their messages, in order, before and after.
func TestBadInput(t *testing.T) {
	s := newMatrixServer(t)
	zeros := bytes.Repeat([]byte{'0'}, 512<<10)
	bomb := wstest.Deflate(zeros)
	require.Less(t, len(bomb), 1024, "the bomb itself fits the 1 KiB limit")
	long := strings.Repeat("a", 2<<20)

	cases := []badCase{
		// Handshakes: refused before the upgrade, with an HTTP status.
		{name: "no Sec-WebSocket-Key", request: request(hdr("Sec-WebSocket-Key", "")), status: 400},
		{name: "malformed key", request: request(hdr("Sec-WebSocket-Key", "not base64 at all!!")), status: 400},
		{name: "key of 15 bytes", request: request(hdr("Sec-WebSocket-Key", base64.StdEncoding.EncodeToString(make([]byte, 15)))), status: 400},
		{name: "wrong version", request: request(hdr("Sec-WebSocket-Version", "8")), status: 426},
		{name: "no version", request: request(hdr("Sec-WebSocket-Version", "")), status: 426},
		{name: "no Upgrade header", request: request(hdr("Upgrade", "")), status: 426},
		{name: "no Connection: Upgrade", request: request(hdr("Connection", "keep-alive")), status: 400},
		{name: "wrong method", request: func(p string) string {
			return strings.Replace(wstest.HandshakeRequest(p, nil), "GET ", "POST ", 1)
		}, status: 405},
		{name: "oversized headers", request: request(hdr("X-Big", long)), status: 431},
		{name: "unknown path", request: func(string) string { return wstest.HandshakeRequest("/nowhere/", nil) }, status: 404},
		{name: "malformed percent-escape", request: func(string) string { return wstest.HandshakeRequest("/room/%zz/", nil) }, status: 400},
		{name: "foreign origin", request: request(hdr("Origin", "https://evil.example")), status: 403},
		{name: "null origin", request: request(hdr("Origin", "null")), status: 403},

		// Refusals after the upgrade, with a close code.
		{name: "unauthorized on a + route", prefix: "/auth/", header: http.Header{"Authorization": nil}, code: 4001},
		{name: "missing CSRF token", prefix: "/csrf/", header: http.Header{"Sec-Websocket-Protocol": nil}, code: 4002},
		{name: "forged CSRF token", prefix: "/csrf/", header: hdr("Cookie", "sid=s1", "Sec-WebSocket-Protocol", "wsroute, csrf."+strings.Repeat("A", 54)), code: 4002},
		{name: "expired CSRF token", prefix: "/csrf/", header: hdr("Cookie", "sid=s1", "Sec-WebSocket-Protocol", "wsroute, csrf."+expiredToken("s1")), code: 4002},
		{name: "another session's CSRF token", prefix: "/csrf/", header: hdr("Cookie", "sid=s2", "Sec-WebSocket-Protocol", "wsroute, csrf."+s.reg.CSRFToken("s1")), code: 4002},
		{name: "middleware says no", prefix: "/mw/", header: hdr("X-Deny", "1"), code: 4003},

		// Frames.
		{name: "oversize: one frame (header only)", act: send(wstest.RawFrame{Fin: true, Op: 0x1, Declare: true, Length: 10 << 20}), code: 1009, server: 1009},
		{name: "oversize: one frame", act: send(text(`"` + strings.Repeat("b", 2000) + `"`)), code: 1009, server: 1009},
		{name: "oversize: fragmented", act: send(frag(0x1, false, `"`+strings.Repeat("c", 600)), frag(0x0, false, strings.Repeat("c", 600)), frag(0x0, true, `"`)), code: 1009, server: 1009},
		{name: "oversize: compression bomb", header: compress, act: send(deflated(zeros)), code: 1009, server: 1009},
		{name: "oversize: compression bomb, fragmented", header: compress, act: send(
			wstest.RawFrame{RSV1: true, Op: 0x1, Payload: bomb[:len(bomb)/2]},
			wstest.RawFrame{Fin: true, Op: 0x0, Payload: bomb[len(bomb)/2:]}), code: 1009, server: 1009},
		{name: "corrupt compressed data", header: compress, act: send(wstest.RawFrame{Fin: true, RSV1: true, Op: 0x1, Payload: []byte{0xff, 0xfe, 0xfd, 0xfc, 0x01}}), code: 1002, server: 1002},
		{name: "invalid UTF-8", act: send(wstest.RawFrame{Fin: true, Op: 0x1, Payload: []byte{'"', 0xc3, 0x28, '"'}}), code: 1007, server: 1007},
		{name: "invalid UTF-8 split across fragments", act: send(
			wstest.RawFrame{Op: 0x1, Payload: []byte{'"', 0xe2, 0x82}},
			wstest.RawFrame{Fin: true, Op: 0x0, Payload: []byte{'(', '"'}}), code: 1007, server: 1007},
		{name: "unmasked client frame", act: send(wstest.RawFrame{Fin: true, Op: 0x1, Payload: []byte(`{}`), Unmasked: true}), code: 1002, server: 1002},
		{name: "reserved data opcode 0x3", act: send(wstest.RawFrame{Fin: true, Op: 0x3, Payload: []byte(`{}`)}), code: 1002, server: 1002},
		{name: "reserved control opcode 0xB", act: send(wstest.RawFrame{Fin: true, Op: 0xB}), code: 1002, server: 1002},
		{name: "RSV2 set", act: send(wstest.RawFrame{Fin: true, RSV2: true, Op: 0x1, Payload: []byte(`{}`)}), code: 1002, server: 1002},
		{name: "RSV1 without compression", act: send(wstest.RawFrame{Fin: true, RSV1: true, Op: 0x1, Payload: []byte(`{}`)}), code: 1002, server: 1002},
		{name: "oversized control frame", act: send(wstest.RawFrame{Fin: true, Op: 0x9, Payload: bytes.Repeat([]byte{1}, 126)}), code: 1002, server: 1002},
		{name: "fragmented ping", act: send(wstest.RawFrame{Op: 0x9, Payload: []byte("p")}), code: 1002, server: 1002},
		{name: "continuation without a start", act: send(frag(0x0, true, `{}`)), code: 1002, server: 1002},
		{name: "new message inside a fragmented one", act: send(frag(0x1, false, `{"a":`), frag(0x1, true, `1}`)), code: 1002, server: 1002},
		{name: "length with the top bit set", act: send(wstest.RawFrame{Fin: true, Op: 0x2, Declare: true, Length: 1 << 63}), code: 1002, server: 1002},
		{name: "close with reserved code 1005", act: send(wstest.CloseFrame(1005, "")), code: 1002, server: 1005},
		{name: "close with code 999", act: send(wstest.CloseFrame(999, "")), code: 1002, server: 999},
		{name: "close with a one-byte payload", act: send(wstest.RawFrame{Fin: true, Op: 0x8, Payload: []byte{3}}), code: 1002},
		{name: "flood beyond the rate", prefix: "/rate/", act: func(t *testing.T, r *wstest.Raw, _ *matrixServer, _ [2]*wstest.Conn) {
			// All 50 in one write: the server closes at the rate limit, and frames written
			// one by one after that would fail with a broken pipe.
			var b []byte
			for range 50 {
				b = append(b, text(`{"type":"flood"}`).Bytes()...)
			}
			_, err := r.Conn.Write(b)
			require.NoError(t, err)
		}, code: 1008, server: 1008},
		{name: "panicking handler", act: send(text(`{"type":"panic"}`)), code: 1011, server: 1011},
		{name: "TCP reset in the middle of a frame", act: func(t *testing.T, r *wstest.Raw, _ *matrixServer, _ [2]*wstest.Conn) {
			b := text(`{"type":"msg","body":"` + strings.Repeat("z", 200) + `"}`).Bytes()
			_, err := r.Conn.Write(b[:len(b)/2])
			require.NoError(t, err)
			r.Reset()
		}, server: 1006},
		{name: "stalled reader", prefix: "/big/", act: stall, server: 4008},

		// Bad input that does not end the connection.
		{name: "invalid JSON", act: send(text(`{"type":`)), after: func(t *testing.T, r *wstest.Raw, s *matrixServer, h [2]*wstest.Conn) {
			var je *socket.InvalidJSONError
			select {
			case err := <-s.errCh(r.ID):
				require.ErrorAs(t, err, &je)
				assert.EqualValues(t, 8, je.Offset)
			case <-time.After(wstest.Timeout):
				t.Fatal("no error event")
			}
			r.Send(t, text(`{"type":"msg","from":"bad"}`))
			assert.JSONEq(t, `{"type":"msg","from":"bad"}`, string(h[0].Recv(t).Data), "the connection stays open")
		}},
		{name: "invalid JSON in a binary frame", act: send(wstest.RawFrame{Fin: true, Op: 0x2, Payload: []byte{0, 1, 2}}), after: func(t *testing.T, r *wstest.Raw, s *matrixServer, _ [2]*wstest.Conn) {
			var je *socket.InvalidJSONError
			select {
			case err := <-s.errCh(r.ID):
				require.ErrorAs(t, err, &je)
			case <-time.After(wstest.Timeout):
				t.Fatal("no error event")
			}
		}},
		{name: "blocking handler", act: func(t *testing.T, r *wstest.Raw, s *matrixServer, _ [2]*wstest.Conn) {
			r.Send(t, text(`{"type":"block"}`))
			select {
			case <-s.blocked:
			case <-time.After(wstest.Timeout):
				t.Fatal("the handler never blocked")
			}
		}, after: func(t *testing.T, r *wstest.Raw, s *matrixServer, h [2]*wstest.Conn) {
			// The healthy clients have just exchanged their messages while it blocked.
			s.once.Do(func() { close(s.release) })
			r.Send(t, text(`{"type":"msg","from":"unblocked"}`))
			assert.JSONEq(t, `{"type":"msg","from":"unblocked"}`, string(h[0].Recv(t).Data))
		}},
		{name: "ping flood without reading", act: func(t *testing.T, r *wstest.Raw, _ *matrixServer, _ [2]*wstest.Conn) {
			ping := wstest.RawFrame{Fin: true, Op: 0x9, Payload: bytes.Repeat([]byte{7}, 125)}.Bytes()
			_, err := r.Conn.Write(bytes.Repeat(ping, 20000))
			require.NoError(t, err)
		}, after: func(t *testing.T, r *wstest.Raw, _ *matrixServer, h [2]*wstest.Conn) {
			r.Send(t, text(`{"type":"msg","from":"pinger"}`))
			assert.JSONEq(t, `{"type":"msg","from":"pinger"}`, string(h[0].Recv(t).Data))
			pongs := 0
			_ = r.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			for {
				op, _, err := r.ReadFrame()
				if err != nil {
					break
				}
				if op == 0xA {
					pongs++
				}
			}
			assert.Positive(t, pongs, "pings are answered")
			assert.Less(t, pongs, 20000, "but pongs for pings not yet answered are merged")
		}},
		{name: "frame sent before the handshake response", request: func(p string) string {
			return wstest.HandshakeRequest(p, hdr("X-Bad", "pipelined")) + string(text(`{"type":"msg","from":"early"}`).Bytes())
		}, status: 101},
		{name: "bogus extension parameters", header: hdr("Sec-WebSocket-Extensions", "permessage-deflate; server_max_window_bits=99; client_max_window_bits=x; foo, bar"),
			after: func(t *testing.T, r *wstest.Raw, _ *matrixServer, h [2]*wstest.Conn) {
				r.Send(t, text(`{"type":"msg","from":"odd"}`))
				assert.JSONEq(t, `{"type":"msg","from":"odd"}`, string(h[0].Recv(t).Data))
			}},
	}
	require.GreaterOrEqual(t, len(cases), 30)

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prefix := tc.prefix
			if prefix == "" {
				prefix = "/room/"
			}
			room := fmt.Sprintf("%scase%d/", prefix, i)
			id := fmt.Sprintf("case%d", i)
			good := s.goodHeader(room)
			var healthy [2]*wstest.Conn
			for k := range healthy {
				healthy[k] = join(t, s.base, room, good)
			}
			exchange(t, healthy, "before")

			switch {
			case tc.request != nil:
				req := tc.request(room)
				r := wstest.DialRaw(t, s.base, "")
				go func() { _, _ = io.WriteString(r.Conn, req) }()
				resp := r.Response(t)
				assert.Equal(t, tc.status, resp.StatusCode, "HTTP status")
				if tc.status == 101 {
					assert.JSONEq(t, `{"type":"msg","from":"early"}`, string(healthy[0].Recv(t).Data), "the early frame was read")
				}
			default:
				h := http.Header{"X-Bad": {id}}
				for k, v := range good {
					if _, set := tc.header[k]; !set {
						h[k] = v
					}
				}
				for k, v := range tc.header {
					h[k] = v
				}
				r := wstest.OpenRaw(t, s.base, room, h)
				r.ID = id
				if tc.act != nil {
					tc.act(t, r, s, healthy)
				}
				if tc.code != 0 {
					code, _ := r.Closed(t)
					assert.Equal(t, tc.code, code, "close code read by the bad client")
				}
				if tc.server != 0 {
					select {
					case e := <-s.closeCh(id):
						assert.EqualValues(t, tc.server, e.Code, "close code in the server's close event")
					case <-time.After(wstest.Timeout):
						t.Fatal("the server reported no close")
					}
				}
				if tc.after != nil {
					exchange(t, healthy, "while the bad client is connected")
					tc.after(t, r, s, healthy)
				}
			}

			exchange(t, healthy, "after")
			late := join(t, s.base, room, good)
			exchange(t, [2]*wstest.Conn{healthy[0], late}, "with a client that joined after")
		})
	}
}

// join dials room and waits for the welcome that OnOpen sends: from then on, the client
// is in the room and gets its broadcasts.
func join(t *testing.T, base, room string, h http.Header) *wstest.Conn {
	t.Helper()
	c := wstest.Dial(t, wstest.WSURL(base, room), wstest.Options{Header: h})
	require.JSONEq(t, `{"type":"welcome"}`, string(c.Recv(t).Data))
	return c
}

// exchange has each healthy client send five messages to the room and checks that the
// other gets all of them, in order. Messages from other clients of the room (the bad
// one's) are skipped.
func exchange(t *testing.T, h [2]*wstest.Conn, when string) {
	t.Helper()
	for k := range h {
		for i := range 5 {
			h[k].Send(t, map[string]any{"type": "msg", "healthy": k, "n": i})
		}
		other := h[1-k]
		for i := 0; i < 5; {
			var m struct {
				Healthy *int
				N       int
			}
			f := other.Recv(t)
			require.NoError(t, json.Unmarshal(f.Data, &m), "%s: %q", when, f.Data)
			if m.Healthy == nil {
				continue
			}
			require.Equal(t, k, *m.Healthy, "%s: a message from the other healthy client", when)
			require.Equal(t, i, m.N, "%s: in order", when)
			i++
		}
	}
}

// stall makes r a reader that never reads, and floods its room through the healthy
// clients (32 KiB messages, paced by the healthy receiver) until the server drops it
// as a slow consumer.
func stall(t *testing.T, r *wstest.Raw, s *matrixServer, h [2]*wstest.Conn) {
	pad := strings.Repeat("s", 32<<10-64)
	ch := s.closeCh(r.ID)
	// Bounded by a deadline, not a count: once dropped, the reader's close event comes
	// after the slow consumer's one-second close grace, when the flood may be long past
	// any fixed number of messages.
	deadline := time.Now().Add(wstest.Timeout)
	for n := 0; ; n++ {
		select {
		case e := <-ch:
			ch <- e // for the matrix's own check
			return
		default:
		}
		require.True(t, time.Now().Before(deadline), "the stalled reader was never dropped (%d messages)", n)
		h[0].Send(t, map[string]any{"type": "msg", "from": "flood", "n": n, "pad": pad})
		var m struct{ N int }
		require.NoError(t, json.Unmarshal(h[1].Recv(t).Data, &m))
		require.Equal(t, n, m.N, "the healthy receiver gets every message of the flood, in order")
	}
}
