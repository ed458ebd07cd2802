package route_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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

var quiet = slog.New(slog.DiscardHandler)

// serve starts reg on a loopback httptest server and returns its base URL.
func serve(t *testing.T, reg *route.Registry) string {
	t.Helper()
	srv := httptest.NewServer(reg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wstest.Timeout)
		defer cancel()
		assert.NoError(t, reg.Shutdown(ctx))
		srv.Close()
	})
	return srv.URL
}

func newReg(cfg route.Config) *route.Registry {
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	return route.New(cfg)
}

// echo registers a route that sends every message back through Client.Send.
func echo(reg *route.Registry, r string) {
	reg.ROUTE(r, func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			if m.Binary() {
				_ = c.Send(m.Clone())
				return
			}
			_ = c.Send(json.RawMessage(m.Clone()))
		})
	})
}

func TestHandshakeStatuses(t *testing.T) {
	reg := newReg(route.Config{})
	echo(reg, "SOCKET /echo/")
	base := serve(t, reg)
	good := func() http.Header {
		return http.Header{
			"Upgrade":               {"websocket"},
			"Connection":            {"Upgrade"},
			"Sec-Websocket-Version": {"13"},
			"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
		}
	}
	tests := []struct {
		name   string
		method string
		path   string
		edit   func(http.Header)
		status int
		header string // a response header that must be set
	}{
		{"no route", "GET", "/nope/", nil, http.StatusNotFound, ""},
		{"plain GET", "GET", "/echo/", func(h http.Header) { h.Del("Upgrade") }, http.StatusUpgradeRequired, "Upgrade"},
		{"POST", "POST", "/echo/", nil, http.StatusMethodNotAllowed, "Allow"},
		{"no Connection upgrade", "GET", "/echo/", func(h http.Header) { h.Set("Connection", "keep-alive") }, http.StatusBadRequest, ""},
		{"version 8", "GET", "/echo/", func(h http.Header) { h.Set("Sec-Websocket-Version", "8") }, http.StatusUpgradeRequired, "Sec-Websocket-Version"},
		{"no key", "GET", "/echo/", func(h http.Header) { h.Del("Sec-Websocket-Key") }, http.StatusBadRequest, ""},
		{"short key", "GET", "/echo/", func(h http.Header) { h.Set("Sec-Websocket-Key", "c2hvcnQ=") }, http.StatusBadRequest, ""},
		{"foreign origin", "GET", "/echo/", func(h http.Header) { h.Set("Origin", "http://evil.example") }, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, base+tt.path, nil)
			require.NoError(t, err)
			req.Header = good()
			if tt.edit != nil {
				tt.edit(req.Header)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
			if tt.header != "" {
				assert.NotEmpty(t, resp.Header.Get(tt.header), "response header %s", tt.header)
			}
		})
	}
	// After all of that, the route still works.
	c := wstest.Dial(t, wstest.WSURL(base, "/echo/"), wstest.Options{})
	c.SendText(t, `{"ok":true}`)
	assert.Equal(t, `{"ok":true}`, string(c.Recv(t).Data))
}

func TestWorksBehindServeMux(t *testing.T) {
	reg := newReg(route.Config{})
	echo(reg, "SOCKET /ws/echo/")
	mux := http.NewServeMux()
	mux.Handle("/ws/", reg)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "page") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer reg.Shutdown(context.Background())
	c := wstest.Dial(t, wstest.WSURL(srv.URL, "/ws/echo/"), wstest.Options{})
	c.SendText(t, `"hi"`)
	assert.Equal(t, `"hi"`, string(c.Recv(t).Data))
	c.Kill()
}

// TestEncoding checks the outgoing encoding table of the three modes.
func TestEncoding(t *testing.T) {
	type point struct {
		X int `json:"x"`
	}
	values := map[string]any{
		"string": "hello",
		"bytes":  []byte("héllo"),
		"struct": point{X: 1},
		"raw":    json.RawMessage(`{"a":1}`),
		"binary": socket.Binary{0, 1, 2},
		"text":   socket.Text("plain"),
		"number": 42,
	}
	type want struct {
		data   string
		binary bool
		err    bool
	}
	table := map[string]map[string]want{
		"json": {
			"string": {data: `"hello"`}, "bytes": {data: `"aMOpbGxv"`}, "struct": {data: `{"x":1}`},
			"raw": {data: `{"a":1}`}, "binary": {data: "\x00\x01\x02", binary: true}, "text": {data: "plain"},
			"number": {data: "42"},
		},
		"text": {
			"string": {data: "hello"}, "bytes": {data: "héllo"}, "struct": {data: `{"x":1}`},
			"raw": {data: `{"a":1}`}, "binary": {data: "\x00\x01\x02", binary: true}, "text": {data: "plain"},
			"number": {data: "42"},
		},
		"binary": {
			"string": {data: "hello", binary: true}, "bytes": {data: "héllo", binary: true}, "struct": {err: true},
			"raw": {data: `{"a":1}`, binary: true}, "binary": {data: "\x00\x01\x02", binary: true}, "text": {data: "plain"},
			"number": {err: true},
		},
	}
	for mode, cases := range table {
		t.Run(mode, func(t *testing.T) {
			reg := newReg(route.Config{})
			errs := make(chan error, 1)
			reg.ROUTE("SOCKET /enc/ @"+mode, func(ctl *controller.Controller) {
				ctl.OnMessage(func(c *socket.Client, m socket.Message) {
					errs <- c.Send(values[strings.Trim(m.String(), `"`)])
				})
			})
			c := wstest.Dial(t, wstest.WSURL(serve(t, reg), "/enc/"), wstest.Options{})
			for name, w := range cases {
				if mode == "json" {
					c.SendText(t, `"`+name+`"`)
				} else {
					c.SendText(t, name)
				}
				err := <-errs
				if w.err {
					assert.ErrorIs(t, err, socket.ErrUnsupportedValue, "%s on @%s", name, mode)
					continue
				}
				require.NoError(t, err, "%s on @%s", name, mode)
				f := c.Recv(t)
				assert.Equal(t, w.data, string(f.Data), "%s on @%s", name, mode)
				assert.Equal(t, w.binary, f.Binary, "%s on @%s: binary frame", name, mode)
			}
		})
	}
}

// TestIncoming checks that text and binary frames are accepted in every mode, and that
// invalid JSON on @json goes to OnError while the connection stays open.
func TestIncoming(t *testing.T) {
	reg := newReg(route.Config{})
	type got struct {
		data   string
		binary bool
		err    error
	}
	events := make(chan got, 10)
	for _, mode := range []string{"json", "text", "binary"} {
		reg.ROUTE("SOCKET /in/"+mode+"/ @"+mode, func(ctl *controller.Controller) {
			ctl.OnMessage(func(c *socket.Client, m socket.Message) { events <- got{data: m.String(), binary: m.Binary()} })
			ctl.OnError(func(c *socket.Client, err error) { events <- got{err: err} })
		})
	}
	base := serve(t, reg)

	j := wstest.Dial(t, wstest.WSURL(base, "/in/json/"), wstest.Options{})
	j.SendText(t, `{"a":1}`)
	assert.Equal(t, got{data: `{"a":1}`}, <-events)
	j.SendBinary(t, []byte(`[1,2]`))
	assert.Equal(t, got{data: `[1,2]`, binary: true}, <-events)
	j.SendText(t, `{broken`)
	e := <-events
	var ije *socket.InvalidJSONError
	require.True(t, errors.As(e.err, &ije), "invalid JSON is a typed error: %v", e.err)
	assert.Equal(t, 7, ije.Size)
	j.SendText(t, `"still open"`)
	assert.Equal(t, got{data: `"still open"`}, <-events, "the connection stays open after invalid JSON")

	tx := wstest.Dial(t, wstest.WSURL(base, "/in/text/"), wstest.Options{})
	tx.SendText(t, `not json`)
	assert.Equal(t, got{data: "not json"}, <-events)
	tx.SendBinary(t, []byte{0xff, 0})
	assert.Equal(t, got{data: "\xff\x00", binary: true}, <-events)

	b := wstest.Dial(t, wstest.WSURL(base, "/in/binary/"), wstest.Options{})
	b.SendBinary(t, []byte{1, 2, 3})
	assert.Equal(t, got{data: "\x01\x02\x03", binary: true}, <-events)
	b.SendText(t, "text too")
	assert.Equal(t, got{data: "text too"}, <-events)
}

// rawConn is a hand-driven WebSocket client for frames a normal client will not write.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, base, path string, extra string) (*rawConn, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"+extra+"\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	return &rawConn{Conn: conn, br: br}, resp.Header.Get("Sec-WebSocket-Extensions")
}

// frame writes one masked frame.
func (r *rawConn) frame(t *testing.T, fin bool, opcode byte, payload []byte) {
	t.Helper()
	var b bytes.Buffer
	first := opcode
	if fin {
		first |= 0x80
	}
	b.WriteByte(first)
	switch n := len(payload); {
	case n < 126:
		b.WriteByte(0x80 | byte(n))
	case n < 1<<16:
		b.WriteByte(0x80 | 126)
		b.Write([]byte{byte(n >> 8), byte(n)})
	default:
		b.WriteByte(0x80 | 127)
		for i := 7; i >= 0; i-- {
			b.WriteByte(byte(uint64(n) >> (8 * i)))
		}
	}
	mask := []byte{1, 2, 3, 4}
	b.Write(mask)
	for i, c := range payload {
		b.WriteByte(c ^ mask[i%4])
	}
	_, err := r.Write(b.Bytes())
	require.NoError(t, err)
}

// next reads one frame: its first byte (FIN, RSV, opcode) and payload.
func (r *rawConn) next(t *testing.T) (byte, []byte) {
	t.Helper()
	require.NoError(t, r.SetReadDeadline(time.Now().Add(wstest.Timeout)))
	var h [2]byte
	_, err := io.ReadFull(r.br, h[:])
	require.NoError(t, err)
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		_, _ = io.ReadFull(r.br, l[:])
		n = int(l[0])<<8 | int(l[1])
	case 127:
		var l [8]byte
		_, _ = io.ReadFull(r.br, l[:])
		n = 0
		for _, c := range l {
			n = n<<8 | int(c)
		}
	}
	p := make([]byte, n)
	_, err = io.ReadFull(r.br, p)
	require.NoError(t, err)
	return h[0], p
}

// closeCode reads frames until a close frame and returns its code.
func (r *rawConn) closeCode(t *testing.T) int {
	t.Helper()
	for {
		h, p := r.next(t)
		if h&0x0f == 0x8 {
			require.GreaterOrEqual(t, len(p), 2)
			return int(p[0])<<8 | int(p[1])
		}
	}
}

func TestLimitsAndCloseCodes(t *testing.T) {
	reg := newReg(route.Config{})
	closes := make(chan socket.CloseEvent, 10)
	reg.ROUTE("SOCKET /lim/ @text <1KB", func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			if m.String() == "panic" {
				panic("boom")
			}
			_ = c.Send(m.Clone())
		})
		ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) { closes <- e })
	})
	base := serve(t, reg)

	t.Run("exactly the limit passes", func(t *testing.T) {
		c := wstest.Dial(t, wstest.WSURL(base, "/lim/"), wstest.Options{})
		c.SendText(t, strings.Repeat("a", 1024))
		assert.Len(t, c.Recv(t).Data, 1024)
		c.Kill()
		<-closes
	})
	t.Run("one frame over the limit: 1009", func(t *testing.T) {
		c := wstest.Dial(t, wstest.WSURL(base, "/lim/"), wstest.Options{})
		c.SendText(t, strings.Repeat("a", 1025))
		code, _ := c.WaitClosed(t)
		assert.EqualValues(t, 1009, code)
		assert.EqualValues(t, 1009, (<-closes).Code)
	})
	t.Run("fragments summed over the limit: 1009", func(t *testing.T) {
		r, _ := dialRaw(t, base, "/lim/", "")
		r.frame(t, false, 0x1, bytes.Repeat([]byte("a"), 600))
		r.frame(t, true, 0x0, bytes.Repeat([]byte("a"), 600))
		assert.Equal(t, 1009, r.closeCode(t))
		assert.EqualValues(t, 1009, (<-closes).Code)
	})
	t.Run("invalid UTF-8: 1007", func(t *testing.T) {
		r, _ := dialRaw(t, base, "/lim/", "")
		r.frame(t, true, 0x1, []byte{'a', 0xff, 0xfe})
		assert.Equal(t, 1007, r.closeCode(t))
		assert.EqualValues(t, 1007, (<-closes).Code)
	})
	t.Run("client close 4000 is echoed", func(t *testing.T) {
		c := wstest.Dial(t, wstest.WSURL(base, "/lim/"), wstest.Options{})
		c.Close(4000, "bye")
		code, _ := c.WaitClosed(t)
		assert.EqualValues(t, 4000, code)
		e := <-closes
		assert.Equal(t, socket.CloseEvent{Code: 4000, Reason: "bye", ByPeer: true}, e)
	})
	t.Run("a panicking handler closes only its client with 1011", func(t *testing.T) {
		other := wstest.Dial(t, wstest.WSURL(base, "/lim/"), wstest.Options{})
		c := wstest.Dial(t, wstest.WSURL(base, "/lim/"), wstest.Options{})
		c.SendText(t, "panic")
		code, reason := c.WaitClosed(t)
		assert.EqualValues(t, 1011, code)
		assert.Equal(t, "internal error", reason)
		assert.EqualValues(t, 1011, (<-closes).Code)
		other.SendText(t, "still here")
		assert.Equal(t, "still here", string(other.Recv(t).Data))
		other.Kill()
		<-closes
	})
}

// TestEventsInOrder checks that one client's messages reach the handler one at a time,
// in the order sent.
func TestEventsInOrder(t *testing.T) {
	reg := newReg(route.Config{})
	var mu sync.Mutex
	var seen []string
	inHandler := 0
	overlap := false
	done := make(chan struct{})
	reg.ROUTE("SOCKET /order/ @text", func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			mu.Lock()
			inHandler++
			overlap = overlap || inHandler > 1
			seen = append(seen, m.String())
			n := len(seen)
			mu.Unlock()
			mu.Lock()
			inHandler--
			mu.Unlock()
			if n == 200 {
				close(done)
			}
		})
	})
	c := wstest.Dial(t, wstest.WSURL(serve(t, reg), "/order/"), wstest.Options{})
	want := make([]string, 200)
	for i := range want {
		want[i] = strings.Repeat("x", i%7) + string(rune('a'+i%26))
		c.SendText(t, want[i])
	}
	select {
	case <-done:
	case <-time.After(wstest.Timeout):
		t.Fatal("messages did not arrive")
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, want, seen)
	assert.False(t, overlap, "two handlers of one client ran at once")
}

// TestCompression checks that permessage-deflate is negotiated when offered and not
// otherwise, that small messages stay uncompressed, and that large ones are compressed.
func TestCompression(t *testing.T) {
	reg := newReg(route.Config{CompressThreshold: 100})
	echo(reg, "SOCKET /z/ @text")
	base := serve(t, reg)

	r, ext := dialRaw(t, base, "/z/", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")
	require.Contains(t, ext, "permessage-deflate")
	r.frame(t, true, 0x1, []byte("small"))
	h, p := r.next(t)
	assert.Zero(t, h&0x40, "a message under the threshold is not compressed")
	assert.Equal(t, "small", string(p))

	big := strings.Repeat("compress me ", 100)
	r.frame(t, true, 0x1, []byte(big))
	h, p = r.next(t)
	require.NotZero(t, h&0x40, "a message over the threshold is compressed (RSV1)")
	assert.Less(t, len(p), len(big)/4)
	inflated, err := io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff}))))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		require.NoError(t, err)
	}
	assert.Equal(t, big, string(inflated))

	_, ext = dialRaw(t, base, "/z/", "")
	assert.Empty(t, ext, "no extension when the client offers none")

	off := newReg(route.Config{DisableCompression: true})
	echo(off, "SOCKET /z/")
	_, ext = dialRaw(t, serve(t, off), "/z/", "Sec-WebSocket-Extensions: permessage-deflate\r\n")
	assert.Empty(t, ext, "DisableCompression")
}

func TestClientInfo(t *testing.T) {
	reg := newReg(route.Config{TrustedProxies: []string{"127.0.0.1"}})
	infos := make(chan map[string]any, 4)
	reg.ROUTE("SOCKET /info/{room}/ @text", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			infos <- map[string]any{
				"id": c.ID(), "ip": c.IP(), "room": c.Param("room"), "q": c.Query("q"), "h": c.Header().Get("X-Test"),
				"url": c.URL(), "mode": c.Mode().String(), "state": c.State().String(),
			}
		})
	})
	base := serve(t, reg)
	h := http.Header{"X-Forwarded-For": {"203.0.113.9, 127.0.0.1"}, "X-Test": {"yes"}}
	wstest.Dial(t, wstest.WSURL(base, "/info/Café%21/?q=a+b"), wstest.Options{Header: h})
	got := <-infos
	assert.Equal(t, "203.0.113.9", got["ip"], "X-Forwarded-For from a trusted proxy")
	assert.Equal(t, "Café!", got["room"])
	assert.Equal(t, "a b", got["q"])
	assert.Equal(t, "yes", got["h"])
	assert.Equal(t, "/info/Caf%C3%A9!/", got["url"], "the parameter keeps its case, re-escaped canonically")
	assert.Equal(t, "text", got["mode"])
	assert.Equal(t, "open", got["state"])

	untrusted := newReg(route.Config{})
	untrusted.ROUTE("SOCKET /info/ @text", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { infos <- map[string]any{"ip": c.IP(), "id": c.ID()} })
	})
	base2 := serve(t, untrusted)
	wstest.Dial(t, wstest.WSURL(base2, "/info/"), wstest.Options{Header: h})
	a := <-infos
	assert.Equal(t, "127.0.0.1", a["ip"], "X-Forwarded-For ignored without trusted proxies")
	wstest.Dial(t, wstest.WSURL(base2, "/info/"), wstest.Options{})
	b := <-infos
	assert.NotEqual(t, a["id"], b["id"])
}
