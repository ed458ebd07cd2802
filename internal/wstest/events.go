package wstest

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/lxzan/gws"
)

// Events receives what an EventConn reads, on its read loop's goroutine.
type Events struct {
	// Message gets each message; data is the callee's to keep.
	Message func(binary bool, data []byte)
	// Close is called once, when the connection has ended: with the code and reason of
	// the peer's close frame (code 1005 when the frame had none), or with 1006 when the
	// connection dropped without one.
	Close func(code uint16, reason string)
}

// EventOptions configure DialEvents.
type EventOptions struct {
	URL         string      // ws:// URL; with Conn, only its path and host are used
	Conn        net.Conn    // when set, the handshake runs over it instead of a new TCP connection
	Header      http.Header // extra handshake headers
	Compression bool        // offer permessage-deflate
	Timeout     time.Duration
}

// EventConn is a client connection that reports what it reads through Events. It keeps
// gws out of the public test harness (wsroutetest), which is built on it.
type EventConn struct {
	ws *gws.Conn
}

// DialEvents opens a connection and starts its read loop, which runs until the
// connection ends; ev.Close says when.
func DialEvents(o EventOptions, ev Events) (*EventConn, *http.Response, error) {
	opt := &gws.ClientOption{
		Addr:               o.URL,
		RequestHeader:      o.Header,
		HandshakeTimeout:   o.Timeout,
		ReadMaxPayloadSize: 64 << 20,
		PermessageDeflate:  gws.PermessageDeflate{Enabled: o.Compression, ServerContextTakeover: true, ClientContextTakeover: true},
		Logger:             quietLogger{},
	}
	var ws *gws.Conn
	var resp *http.Response
	var err error
	if o.Conn != nil {
		ws, resp, err = gws.NewClientFromConn(eventHandler{ev}, opt, o.Conn)
	} else {
		ws, resp, err = gws.NewClient(eventHandler{ev}, opt)
	}
	if err != nil {
		return nil, resp, err
	}
	go ws.ReadLoop()
	return &EventConn{ws: ws}, resp, nil
}

// Write sends a text or binary message.
func (c *EventConn) Write(binary bool, data []byte) error {
	op := gws.OpcodeText
	if binary {
		op = gws.OpcodeBinary
	}
	return c.ws.WriteMessage(op, data)
}

// WriteClose sends a close frame with code and reason and goes on reading, as a browser
// does, so that the peer's answer reaches Events.Close.
func (c *EventConn) WriteClose(code uint16, reason string) error {
	return c.ws.WriteMessage(gws.OpcodeCloseConnection, append([]byte{byte(code >> 8), byte(code)}, reason...))
}

// Drop closes the transport without a close frame.
func (c *EventConn) Drop() error { return c.ws.NetConn().Close() }

// Subprotocol is the subprotocol the server accepted, or "".
func (c *EventConn) Subprotocol() string { return c.ws.SubProtocol() }

type eventHandler struct{ ev Events }

func (h eventHandler) OnOpen(*gws.Conn) {}

func (h eventHandler) OnClose(_ *gws.Conn, err error) {
	var code uint16 = 1006
	reason := ""
	var ce *gws.CloseError
	if errors.As(err, &ce) {
		code, reason = ce.Code, string(ce.Reason)
		if code == 0 {
			code = 1005
		}
	}
	h.ev.Close(code, reason)
}

func (h eventHandler) OnPing(ws *gws.Conn, p []byte) { _ = ws.WritePong(p) }

func (h eventHandler) OnPong(*gws.Conn, []byte) {}

func (h eventHandler) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	data := append([]byte{}, m.Bytes()...)
	h.ev.Message(m.Opcode == gws.OpcodeBinary, data)
}

// quietLogger drops gws's own log lines: the tests report what matters.
type quietLogger struct{}

func (quietLogger) Error(...any) {}
