package wstest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lxzan/gws"
)

// Timeout is how long Recv and WaitClosed wait. It is generous on purpose: these are
// deadlines that only a broken test reaches, not measurements.
const Timeout = 10 * time.Second

// Frame is one message a Conn received.
type Frame struct {
	Binary bool
	Data   []byte
}

// Conn is a test client. Its read loop runs on a goroutine of its own until the
// connection ends.
type Conn struct {
	ws     *gws.Conn
	Resp   *http.Response
	frames chan Frame
	pings  chan []byte
	done   chan struct{}

	mu       sync.Mutex // guards closeErr
	closeErr error
}

// Options configure Dial.
type Options struct {
	Header      http.Header
	Compression bool
	NoAutoPong  bool // do not answer pings (to test heartbeat timeouts)
	ReadMax     int  // the client's own read limit; defaults to 64 MiB
}

// WSURL turns an http:// base URL and a path into a ws:// URL.
func WSURL(base, path string) string {
	return "ws" + strings.TrimPrefix(base, "http") + path
}

// Dial connects to url or fails the test. The connection is closed at cleanup.
func Dial(t testing.TB, url string, o Options) *Conn {
	t.Helper()
	c, resp, err := DialErr(url, o)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", url, err, status)
	}
	t.Cleanup(func() { c.Kill() })
	return c
}

// DialErr connects to url and returns the error and the response instead of failing.
// The caller closes the connection.
func DialErr(url string, o Options) (*Conn, *http.Response, error) {
	c := &Conn{frames: make(chan Frame, 4096), pings: make(chan []byte, 64), done: make(chan struct{})}
	if o.ReadMax == 0 {
		o.ReadMax = 64 << 20
	}
	ws, resp, err := gws.NewClient(&handler{c: c, noPong: o.NoAutoPong}, &gws.ClientOption{
		Addr:               url,
		RequestHeader:      o.Header,
		ReadMaxPayloadSize: o.ReadMax,
		PermessageDeflate:  gws.PermessageDeflate{Enabled: o.Compression, ServerContextTakeover: true, ClientContextTakeover: true},
	})
	if err != nil {
		return nil, resp, err
	}
	c.ws, c.Resp = ws, resp
	go ws.ReadLoop()
	return c, resp, nil
}

type handler struct {
	c      *Conn
	noPong bool
}

func (h *handler) OnOpen(*gws.Conn) {}

func (h *handler) OnClose(_ *gws.Conn, err error) {
	h.c.mu.Lock()
	h.c.closeErr = err
	h.c.mu.Unlock()
	close(h.c.done)
}

func (h *handler) OnPing(ws *gws.Conn, p []byte) {
	select {
	case h.c.pings <- append([]byte(nil), p...):
	default:
	}
	if !h.noPong {
		_ = ws.WritePong(p)
	}
}

func (h *handler) OnPong(*gws.Conn, []byte) {}

func (h *handler) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	h.c.frames <- Frame{Binary: m.Opcode == gws.OpcodeBinary, Data: append([]byte(nil), m.Bytes()...)}
}

// Raw is the underlying gws connection, for tests that write odd frames.
func (c *Conn) Raw() *gws.Conn { return c.ws }

// Send writes v as a JSON text message.
func (c *Conn) Send(t testing.TB, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	c.SendText(t, string(b))
}

// SendText writes s as a text message.
func (c *Conn) SendText(t testing.TB, s string) {
	t.Helper()
	if err := c.ws.WriteString(s); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// SendBinary writes b as a binary message.
func (c *Conn) SendBinary(t testing.TB, b []byte) {
	t.Helper()
	if err := c.ws.WriteMessage(gws.OpcodeBinary, b); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// Recv returns the next message, or fails the test after Timeout.
func (c *Conn) Recv(t testing.TB) Frame {
	t.Helper()
	select {
	case f := <-c.frames:
		return f
	case <-time.After(Timeout):
		t.Fatalf("no message within %s", Timeout)
	}
	return Frame{}
}

// RecvJSON decodes the next message into a map.
func (c *Conn) RecvJSON(t testing.TB) map[string]any {
	t.Helper()
	f := c.Recv(t)
	var m map[string]any
	if err := json.Unmarshal(f.Data, &m); err != nil {
		t.Fatalf("message %q is not a JSON object: %v", f.Data, err)
	}
	return m
}

// TryRecv returns a message if one has arrived already.
func (c *Conn) TryRecv() (Frame, bool) {
	select {
	case f := <-c.frames:
		return f, true
	default:
		return Frame{}, false
	}
}

// Pings returns the channel of ping payloads received.
func (c *Conn) Pings() <-chan []byte { return c.pings }

// Close starts the close handshake as a browser does: it sends a close frame with code
// and reason and keeps reading until the server answers (see WaitClosed).
func (c *Conn) Close(code uint16, reason string) {
	payload := append([]byte{byte(code >> 8), byte(code)}, reason...)
	_ = c.ws.WriteMessage(gws.OpcodeCloseConnection, payload)
}

// Kill drops the TCP connection without a close frame and waits for the read loop.
func (c *Conn) Kill() {
	_ = c.ws.NetConn().Close()
	<-c.done
}

// Done is closed when the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// WaitClosed waits for the connection to end and returns the close code and reason the
// server sent (code 0 when the connection dropped without a close frame).
func (c *Conn) WaitClosed(t testing.TB) (uint16, string) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(Timeout):
		t.Fatalf("connection not closed within %s", Timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var ce *gws.CloseError
	if errors.As(c.closeErr, &ce) {
		return ce.Code, string(ce.Reason)
	}
	return 0, ""
}
