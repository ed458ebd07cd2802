package wstest

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsroute/wsroute/internal/rawio"
)

// Raw is a hand-driven client: it writes whatever bytes a test gives it, including
// frames and handshakes that no well-behaved client would write, and reads the server's
// frames one by one.
type Raw struct {
	net.Conn
	ID string // a label the test may set, such as the X-Bad header it sent
	br *bufio.Reader
}

// HandshakeRequest returns the text of a GET handshake for path, with Host,
// Upgrade, Connection, Sec-WebSocket-Version and Sec-WebSocket-Key set as a browser sets
// them. Headers in h are added, replacing those; a header given with no value is left out.
func HandshakeRequest(path string, h http.Header) string {
	hdr := http.Header{
		"Host":                  {"example.test"},
		"Upgrade":               {"websocket"},
		"Connection":            {"Upgrade"},
		"Sec-Websocket-Version": {"13"},
		"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
	}
	for k, v := range h {
		k = http.CanonicalHeaderKey(k)
		if len(v) == 0 {
			delete(hdr, k)
			continue
		}
		hdr[k] = v
	}
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("GET " + path + " HTTP/1.1\r\n")
	for _, k := range keys {
		for _, v := range hdr[k] {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.String()
}

// DialRaw opens a TCP connection to the host of the http:// base URL and writes request,
// or fails the test. The connection is closed at cleanup.
func DialRaw(t testing.TB, base, request string) *Raw {
	t.Helper()
	return DialRawBuffer(t, base, request, 0)
}

// DialRawBuffer is DialRaw with the socket's receive buffer set to rcvbuf bytes (0: the
// kernel's default) before it connects. Shrinking the buffer of a connected socket
// instead makes loopback TCP drop segments the peer was already allowed to send, and
// the retransmissions back off for seconds: a stall that is the test's, not the server's.
func DialRawBuffer(t testing.TB, base, request string, rcvbuf int) *Raw {
	t.Helper()
	d := net.Dialer{}
	if rcvbuf > 0 {
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			return rawio.SetReceiveBuffer(rc, rcvbuf)
		}
	}
	conn, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	r := &Raw{Conn: conn, br: bufio.NewReader(conn)}
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatalf("write request: %v", err)
	}
	return r
}

// RawPipe is DialRaw over net.Pipe, served by h, for tests inside a testing/synctest
// bubble. The caller closes the connection before the bubble ends.
func RawPipe(h http.Handler, request string) *Raw {
	srv, cli := net.Pipe()
	go servePipe(h, srv)
	r := &Raw{Conn: cli, br: bufio.NewReader(cli)}
	go func() { _, _ = io.WriteString(cli, request) }()
	return r
}

// Response reads the handshake response.
func (r *Raw) Response(t testing.TB) *http.Response {
	t.Helper()
	_ = r.SetReadDeadline(time.Now().Add(Timeout))
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil {
		t.Fatalf("read handshake response: %v", err)
	}
	_ = r.SetReadDeadline(time.Time{})
	return resp
}

// OpenRaw dials base, writes the handshake for path with h added, and fails the test
// unless the server switches protocols.
func OpenRaw(t testing.TB, base, path string, h http.Header) *Raw {
	t.Helper()
	r := DialRaw(t, base, HandshakeRequest(path, h))
	if resp := r.Response(t); resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake for %s: HTTP %d", path, resp.StatusCode)
	}
	return r
}

// RawFrame is one frame to write, with every bit under the test's control.
type RawFrame struct {
	Fin              bool
	RSV1, RSV2, RSV3 bool
	Op               byte
	Payload          []byte
	Unmasked         bool   // leave the mask bit clear (clients must mask)
	Length           uint64 // the payload length declared in the header, when Declare is set
	Declare          bool   // declare Length instead of len(Payload)
}

// Bytes encodes the frame.
func (f RawFrame) Bytes() []byte {
	var b bytes.Buffer
	first := f.Op & 0x0f
	if f.Fin {
		first |= 0x80
	}
	if f.RSV1 {
		first |= 0x40
	}
	if f.RSV2 {
		first |= 0x20
	}
	if f.RSV3 {
		first |= 0x10
	}
	b.WriteByte(first)
	n := uint64(len(f.Payload))
	if f.Declare {
		n = f.Length
	}
	var mask byte = 0x80
	if f.Unmasked {
		mask = 0
	}
	switch {
	case n < 126:
		b.WriteByte(mask | byte(n))
	case n < 1<<16:
		b.WriteByte(mask | 126)
		b.Write(binary.BigEndian.AppendUint16(nil, uint16(n)))
	default:
		b.WriteByte(mask | 127)
		b.Write(binary.BigEndian.AppendUint64(nil, n))
	}
	if f.Unmasked {
		b.Write(f.Payload)
		return b.Bytes()
	}
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	b.Write(key[:])
	for i, c := range f.Payload {
		b.WriteByte(c ^ key[i%4])
	}
	return b.Bytes()
}

// Text is a final, masked text frame.
func Text(s string) RawFrame { return RawFrame{Fin: true, Op: 0x1, Payload: []byte(s)} }

// CloseFrame is a final, masked close frame with code and reason.
func CloseFrame(code uint16, reason string) RawFrame {
	return RawFrame{Fin: true, Op: 0x8, Payload: append(binary.BigEndian.AppendUint16(nil, code), reason...)}
}

// Deflate compresses p as a permessage-deflate payload (RFC 7692 §7.2.1: raw DEFLATE
// with the final empty block's 00 00 ff ff removed).
func Deflate(p []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	_, _ = w.Write(p)
	_ = w.Flush()
	return bytes.TrimSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// Send writes frames, or fails the test.
func (r *Raw) Send(t testing.TB, frames ...RawFrame) {
	t.Helper()
	for _, f := range frames {
		if _, err := r.Conn.Write(f.Bytes()); err != nil {
			t.Fatalf("write frame: %v", err)
		}
	}
}

// ReadFrame reads one frame from the server: its opcode and payload. Server frames are
// unmasked; a compressed frame's payload is returned as it is.
func (r *Raw) ReadFrame() (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r.br, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(r.br, l[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(r.br, l[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	if n > 1<<30 {
		return 0, nil, errors.New("wstest: frame too large")
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r.br, payload); err != nil {
		return 0, nil, err
	}
	return h[0] & 0x0f, payload, nil
}

// Closed reads frames until the server's close frame and returns its code and reason.
// Data and control frames before it are skipped. When the connection ends without a
// close frame, code is 0. It fails the test after Timeout.
func (r *Raw) Closed(t testing.TB) (code uint16, reason string) {
	t.Helper()
	_ = r.SetReadDeadline(time.Now().Add(Timeout))
	for {
		op, p, err := r.ReadFrame()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("no close frame within %s", Timeout)
			}
			return 0, ""
		}
		if op == 0x8 {
			if len(p) < 2 {
				return 1005, ""
			}
			return binary.BigEndian.Uint16(p), string(p[2:])
		}
	}
}

// Reset drops the TCP connection with a reset (RST) instead of a FIN.
func (r *Raw) Reset() {
	if tc, ok := r.Conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = r.Conn.Close()
}

// Next returns the next message, or false when the connection ended before one came
// (WaitClosed then tells how). It fails the test after Timeout.
func (c *Conn) Next(t testing.TB) (Frame, bool) {
	t.Helper()
	select {
	case f := <-c.frames:
		return f, true
	case <-c.done:
		select {
		case f := <-c.frames:
			return f, true
		default:
			return Frame{}, false
		}
	case <-time.After(Timeout):
		t.Fatalf("neither a message nor the end within %s", Timeout)
	}
	return Frame{}, false
}
