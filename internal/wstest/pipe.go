package wstest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/lxzan/gws"
)

// Pipe connects a client to h over net.Pipe, with no network and no real time: inside a
// testing/synctest bubble, every timer the server and the client use is the fake clock.
// The request is a GET of path with a valid handshake; extra headers come from o.Header.
// The caller ends the connection (Kill or Close) before the bubble ends.
func Pipe(h http.Handler, path string, o Options) (*Conn, *http.Response, error) {
	srv, cli := net.Pipe()
	go servePipe(h, srv)
	c := &Conn{frames: make(chan Frame, 4096), pings: make(chan []byte, 64), done: make(chan struct{})}
	if o.ReadMax == 0 {
		o.ReadMax = 64 << 20
	}
	ws, resp, err := gws.NewClientFromConn(&handler{c: c, noPong: o.NoAutoPong}, &gws.ClientOption{
		Addr:               "ws://example.test" + path,
		RequestHeader:      o.Header,
		ReadMaxPayloadSize: o.ReadMax,
		PermessageDeflate:  gws.PermessageDeflate{Enabled: o.Compression, ServerContextTakeover: true, ClientContextTakeover: true},
	}, cli)
	if err != nil {
		_ = cli.Close()
		return nil, resp, err
	}
	c.ws, c.Resp = ws, resp
	go ws.ReadLoop()
	return c, resp, nil
}

// ServeConn reads one request from conn and hands it to h with a hijackable writer, as
// net/http would for a connection it accepted. If h answers without hijacking, the
// response is written and conn closed. It serves the in-memory servers of wsroutetest.
func ServeConn(h http.Handler, conn net.Conn) { servePipe(h, conn) }

// servePipe is ServeConn.
func servePipe(h http.Handler, conn net.Conn) {
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		_ = conn.Close()
		return
	}
	req.RemoteAddr = "192.0.2.1:1234"
	w := &pipeWriter{conn: conn, br: br, header: http.Header{}}
	h.ServeHTTP(w, req)
	if w.hijacked {
		return
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", w.status, http.StatusText(w.status))
	w.header.Set("Content-Length", fmt.Sprint(w.body.Len()))
	_ = w.header.Write(&b)
	b.WriteString("\r\n")
	b.Write(w.body.Bytes())
	_, _ = conn.Write([]byte(b.String()))
	_ = conn.Close()
}

type pipeWriter struct {
	conn     net.Conn
	br       *bufio.Reader
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

func (w *pipeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	return w.conn, bufio.NewReadWriter(w.br, bufio.NewWriter(w.conn)), nil
}
