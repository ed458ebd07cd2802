package wsroutetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/socket"
)

var (
	// ErrTimeout is wrapped by the error of a wait that ran out of time.
	ErrTimeout = errors.New("wsroutetest: timeout")
	// ErrClosed is wrapped by the error of a wait for a message on a connection that
	// ended before one came.
	ErrClosed = errors.New("wsroutetest: connection closed")
)

// Message is one message a Conn received.
type Message struct {
	Binary bool   // a binary frame; false for a text frame
	Data   []byte // the payload, the Message's own copy
}

// String returns the payload as text.
func (m Message) String() string { return string(m.Data) }

// Decode unmarshals the payload, as JSON, into v.
func (m Message) Decode(v any) error { return json.Unmarshal(m.Data, v) }

// Map returns the payload decoded as a JSON object, or nil when it is not one. Numbers
// are float64, as encoding/json decodes them into an any.
func (m Message) Map() map[string]any {
	var v map[string]any
	if json.Unmarshal(m.Data, &v) != nil {
		return nil
	}
	return v
}

// Conn is a client connection opened by Server.Dial. What the server sends is queued
// as it arrives; Expect takes the oldest message, ExpectType and Request the oldest that
// matches, leaving the others queued in order (Phoenix's assert_push works the same way).
//
// The methods that fail the test call the TB given to Dial, and so must be called from
// the test's goroutine. The others (Next, NextType, Drain, WaitClose, Close, Drop) are safe for
// concurrent use.
type Conn struct {
	tb         TB
	srv        *Server
	path       string
	ws         *wstest.EventConn
	resp       *http.Response
	timeout    time.Duration
	typeField  string
	replyField string
	lastID     atomic.Int64 // the callback id of the last Request

	mu     sync.Mutex // guards queue, wake, closed, code, reason
	queue  []Message
	wake   chan struct{} // closed, and replaced, when a message arrives or the connection ends
	closed bool
	code   socket.StatusCode
	reason string

	done chan struct{} // closed when the connection has ended and its read loop returns
}

// ended records how the connection ended and wakes the waits.
func (c *Conn) ended(code uint16, reason string) {
	c.mu.Lock()
	c.closed, c.code, c.reason = true, socket.StatusCode(code), reason
	close(c.wake)
	c.mu.Unlock()
	close(c.done)
	c.srv.forget(c)
}

// received queues a message and wakes the waits.
func (c *Conn) received(binary bool, data []byte) {
	c.mu.Lock()
	c.queue = append(c.queue, Message{Binary: binary, Data: data})
	close(c.wake)
	c.wake = make(chan struct{})
	c.mu.Unlock()
}

// Response is the handshake response: the negotiated subprotocol and extensions are in
// its headers.
func (c *Conn) Response() *http.Response { return c.resp }

// Subprotocol is the subprotocol the server accepted, or "".
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// Compressed reports whether the connection negotiated permessage-deflate.
func (c *Conn) Compressed() bool {
	return strings.Contains(c.resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
}

// Send writes v, encoded as JSON, as a text message, or fails the test.
func (c *Conn) Send(v any) {
	c.tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.tb.Fatalf("wsroutetest: %s: send: %v", c.path, err)
		return
	}
	c.write(false, b)
}

// SendText writes s as a text message, or fails the test.
func (c *Conn) SendText(s string) {
	c.tb.Helper()
	c.write(false, []byte(s))
}

// SendBinary writes b as a binary message, or fails the test.
func (c *Conn) SendBinary(b []byte) {
	c.tb.Helper()
	c.write(true, b)
}

func (c *Conn) write(binary bool, b []byte) {
	c.tb.Helper()
	if err := c.ws.Write(binary, b); err != nil {
		c.tb.Fatalf("wsroutetest: %s: send %s: %v", c.path, abbrev(b), err)
	}
}

// Expect returns the next message, or fails the test when none comes within the
// timeout or the connection ends first.
func (c *Conn) Expect() Message {
	c.tb.Helper()
	m, err := c.Next()
	if err != nil {
		c.tb.Fatalf("%v", err)
	}
	return m
}

// Next is Expect without failing the test: the error wraps ErrTimeout or ErrClosed.
func (c *Conn) Next() (Message, error) {
	return c.wait("", func(Message) bool { return true })
}

// ExpectType returns the oldest message that is a JSON object whose type field
// (Config.TypeField) is typ, or fails the test when none comes within the timeout or
// the connection ends first. The messages it passes over stay queued.
func (c *Conn) ExpectType(typ string) Message {
	c.tb.Helper()
	m, err := c.NextType(typ)
	if err != nil {
		c.tb.Fatalf("%v", err)
	}
	return m
}

// NextType is ExpectType without failing the test: the error wraps ErrTimeout or
// ErrClosed.
func (c *Conn) NextType(typ string) (Message, error) {
	want, _ := json.Marshal(typ)
	return c.wait(" of type "+string(want), func(m Message) bool {
		v := field(m.Data, c.typeField)
		var s string
		return v != nil && json.Unmarshal(v, &s) == nil && s == typ
	})
}

// Request sends v, which must encode to a JSON object, with a new callback id in its
// reply field (Config.ReplyField, "callbackid" by default), and returns the reply: the
// oldest message carrying the same id (socket.Message.Reply sends it). It fails the
// test when v is not an object or already has the field, or when no reply comes within
// the timeout. The messages it passes over stay queued.
func (c *Conn) Request(v any) Message {
	c.tb.Helper()
	body, err := json.Marshal(v)
	if err != nil || len(body) < 2 || body[0] != '{' {
		c.tb.Fatalf("wsroutetest: %s: Request(%T): not a JSON object (%v)", c.path, v, err)
		return Message{}
	}
	if field(body, c.replyField) != nil {
		c.tb.Fatalf("wsroutetest: %s: Request: %s already has %q", c.path, abbrev(body), c.replyField)
		return Message{}
	}
	id := []byte(strconv.FormatInt(c.lastID.Add(1), 10))
	key, _ := json.Marshal(c.replyField)
	out := append([]byte{'{'}, key...) // the id first, as the server puts it in the reply
	out = append(append(out, ':'), id...)
	if len(body) > 2 {
		out = append(out, ',')
	}
	out = append(out, body[1:]...)
	c.write(false, out)
	m, err := c.wait(fmt.Sprintf(" with %s %s (the reply to %s)", c.replyField, id, abbrev(out)), func(m Message) bool {
		return bytes.Equal(field(m.Data, c.replyField), id)
	})
	if err != nil {
		c.tb.Fatalf("%v", err)
	}
	return m
}

// Drain removes and returns the queued messages without waiting. Inside a
// testing/synctest bubble, after synctest.Wait, they are everything the server has
// sent so far: assert.Empty(t, c.Drain()) shows that nothing else came.
func (c *Conn) Drain() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.queue
	c.queue = nil
	return q
}

// ExpectClose waits for the connection to end and returns the close frame's reason,
// or fails the test when the code is not code or the connection is still open after
// the timeout. A connection that dropped without a close frame ends with
// socket.StatusAbnormal (1006), as a browser reports it.
func (c *Conn) ExpectClose(code socket.StatusCode) (reason string) {
	c.tb.Helper()
	got, reason, err := c.WaitClose()
	if err != nil {
		c.tb.Fatalf("%v (want close %d)", err, code)
		return ""
	}
	if got != code {
		c.tb.Fatalf("wsroutetest: %s: closed with %s, want %d", c.path, closeText(got, reason), code)
	}
	return reason
}

// WaitClose waits for the connection to end and returns its close code and reason. The
// error wraps ErrTimeout when it is still open after the timeout.
func (c *Conn) WaitClose() (socket.StatusCode, string, error) {
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	select {
	case <-c.done:
	case <-timer.C:
		c.mu.Lock()
		n := len(c.queue)
		c.mu.Unlock()
		return 0, "", &waitError{ErrTimeout, fmt.Sprintf("wsroutetest: %s: still open after %s (%d messages queued)", c.path, c.timeout, n)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.code, c.reason, nil
}

// Close starts the closing handshake as a browser's WebSocket.close does: it sends a
// close frame with code and reason and goes on reading, so that ExpectClose then sees
// the server's answer.
func (c *Conn) Close(code socket.StatusCode, reason string) {
	_ = c.ws.WriteClose(uint16(code), reason)
}

// Drop ends the connection without a close frame, as a client that loses its network:
// the server sees socket.StatusAbnormal (1006). It returns once the read loop has.
func (c *Conn) Drop() {
	_ = c.ws.Drop()
	<-c.done
}

// end closes the connection at cleanup: a close frame first, so that the server sees
// a normal closure, then the transport, and waits for the read loop.
func (c *Conn) end() {
	select {
	case <-c.done:
		return
	default:
	}
	c.Close(socket.StatusNormalClosure, "")
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	select {
	case <-c.done:
	case <-timer.C:
	}
	c.Drop()
}

// wait removes and returns the oldest queued message for which match is true, waiting
// for one up to the timeout. what describes the message for the error.
func (c *Conn) wait(what string, match func(Message) bool) (Message, error) {
	var timer *time.Timer
	for {
		c.mu.Lock()
		for i, m := range c.queue {
			if match(m) {
				c.queue = append(c.queue[:i], c.queue[i+1:]...)
				c.mu.Unlock()
				return m, nil
			}
		}
		if c.closed {
			err := &waitError{ErrClosed, fmt.Sprintf("wsroutetest: %s: closed with %s before a message%s arrived%s",
				c.path, closeText(c.code, c.reason), what, c.queued())}
			c.mu.Unlock()
			return Message{}, err
		}
		wake := c.wake
		c.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(c.timeout)
			defer timer.Stop()
		}
		select {
		case <-wake:
		case <-timer.C:
			c.mu.Lock()
			err := &waitError{ErrTimeout, fmt.Sprintf("wsroutetest: %s: no message%s within %s%s", c.path, what, c.timeout, c.queued())}
			c.mu.Unlock()
			return Message{}, err
		}
	}
}

// queued describes the queued messages for an error, c.mu held.
func (c *Conn) queued() string {
	if len(c.queue) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "; queued (%d):", len(c.queue))
	for i, m := range c.queue {
		if i == 5 {
			b.WriteString(" …")
			break
		}
		b.WriteString(" " + abbrev(m.Data))
	}
	return b.String()
}

// closeText describes a close code and reason for an error: 4000 "bye", or 1000.
func closeText(code socket.StatusCode, reason string) string {
	if reason == "" {
		return strconv.Itoa(int(code))
	}
	return strconv.Itoa(int(code)) + " " + strconv.Quote(reason)
}

// abbrev quotes a payload for an error, cut to 200 bytes.
func abbrev(b []byte) string {
	if len(b) > 200 {
		return strconv.Quote(string(b[:200])) + "…"
	}
	return strconv.Quote(string(b))
}

// waitError is an error of a wait, wrapping ErrTimeout or ErrClosed.
type waitError struct {
	kind error
	msg  string
}

func (e *waitError) Error() string { return e.msg }
func (e *waitError) Unwrap() error { return e.kind }

// field returns the raw value of the top-level field name of the JSON object data, or
// nil when data is not an object or has no such field.
func field(data []byte, name string) json.RawMessage {
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return nil
	}
	return obj[name]
}
