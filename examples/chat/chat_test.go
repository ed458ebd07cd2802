package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/wsroutetest"
)

func TestMain(m *testing.M) {
	runMainIfChild() // the child process of TestSignals runs main instead of the tests
	wstest.VerifyNoLeaks(m)
}

// logSink is a slog handler that keeps the messages it gets, for the autodestroy log.
type logSink struct {
	mu   sync.Mutex
	msgs []string
	seen chan string
}

func newLogSink() *logSink { return &logSink{seen: make(chan string, 100)} }

func (s *logSink) Enabled(context.Context, slog.Level) bool { return true }
func (s *logSink) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *logSink) WithGroup(string) slog.Handler            { return s }
func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	s.mu.Lock()
	s.msgs = append(s.msgs, r.Message)
	s.mu.Unlock()
	select {
	case s.seen <- r.Message:
	default:
	}
	return nil
}

func (s *logSink) waitFor(t *testing.T, msg string) {
	t.Helper()
	deadline := time.After(wstest.Timeout)
	for {
		select {
		case m := <-s.seen:
			if m == msg {
				return
			}
		case <-deadline:
			t.Fatalf("log %q not seen", msg)
		}
	}
}

func startChat(t *testing.T, sink *logSink) *wsroutetest.Server {
	t.Helper()
	log := slog.New(sink)
	reg := route.New(route.Config{Logger: log, AutoDestroyDelay: 100 * time.Millisecond})
	routes(reg, log)
	return wsroutetest.NewServer(t, reg, wsroutetest.Config{Handler: handler(reg)})
}

// settle waits until the OnOpen of c, whose id is id, has returned: handlers for one
// client run in order, so once a direct message to itself has come back, the join that
// OnOpen broadcast has gone out. Without it, a client dialed next could get that join.
func settle(c *wsroutetest.Conn, id any) {
	c.Send(map[string]any{"to": id, "body": "settle"})
	c.ExpectType("direct")
}

// TestChatProtocol drives three clients through welcome, join, msg, ack, direct and leave,
// as the Total.js reference chat does.
func TestChatProtocol(t *testing.T) {
	sink := newLogSink()
	srv := startChat(t, sink)

	a := srv.Dial(t, "/chat/Room1/")
	wa := a.Expect().Map()
	require.Equal(t, "welcome", wa["type"])
	require.Equal(t, "Room1", wa["room"])
	require.EqualValues(t, 1, wa["online"])
	idA := wa["id"].(string)
	require.Len(t, idA, 16)
	settle(a, idA)

	// Another spelling of the same URL joins the same controller: the trailing slash is
	// optional and a percent-escape is decoded (the room's case is kept: see
	// TestChatRoomCase; the page's ServeMux, not the registry, wants "/chat/" in lower
	// case).
	b := srv.Dial(t, "/chat/Room1")
	wb := b.Expect().Map()
	require.Equal(t, "welcome", wb["type"])
	require.Equal(t, "Room1", wb["room"])
	require.EqualValues(t, 2, wb["online"])
	idB := wb["id"].(string)
	require.NotEqual(t, idA, idB)
	require.Equal(t, map[string]any{"type": "join", "id": idB}, a.Expect().Map())
	settle(b, idB)

	c := srv.Dial(t, "/chat/%52oom1/")
	wc := c.Expect().Map()
	require.EqualValues(t, 3, wc["online"])
	idC := wc["id"].(string)
	require.Equal(t, map[string]any{"type": "join", "id": idC}, a.Expect().Map())
	require.Equal(t, map[string]any{"type": "join", "id": idC}, b.Expect().Map())

	// A message: the sender gets an ack with the message's size, the others the message.
	body := `{"body":"hello from B"}`
	b.SendText(body)
	require.Equal(t, map[string]any{"type": "ack", "size": float64(len(body))}, b.Expect().Map())
	want := map[string]any{"type": "msg", "from": idB, "body": "hello from B"}
	require.Equal(t, want, a.Expect().Map())
	require.Equal(t, want, c.Expect().Map())

	// A direct message reaches only its addressee. The broadcast that follows is the next
	// thing B and A see, which proves the direct message did not reach them.
	a.Send(map[string]any{"to": idC, "body": map[string]any{"secret": 1}})
	require.Equal(t, map[string]any{"type": "direct", "from": idA, "body": map[string]any{"secret": float64(1)}}, c.Expect().Map())
	c.Send(map[string]any{"body": "after"})
	require.Equal(t, "ack", c.Expect().Map()["type"])
	require.Equal(t, map[string]any{"type": "msg", "from": idC, "body": "after"}, b.Expect().Map())
	require.Equal(t, map[string]any{"type": "msg", "from": idC, "body": "after"}, a.Expect().Map())

	// B closes with 4000 "bye": the server answers with 4000, the others see leave 4000.
	b.Close(4000, "bye")
	b.ExpectClose(4000)
	require.Equal(t, map[string]any{"type": "leave", "id": idB, "code": float64(4000)}, a.Expect().Map())
	require.Equal(t, map[string]any{"type": "leave", "id": idB, "code": float64(4000)}, c.Expect().Map())

	// C drops its TCP connection: A sees leave with 1006.
	c.Drop()
	require.Equal(t, map[string]any{"type": "leave", "id": idC, "code": float64(1006)}, a.Expect().Map())

	// The last one leaves: the room autodestroys after its grace period and says so.
	a.Close(1000, "")
	a.ExpectClose(1000)
	sink.waitFor(t, "room empty: destroyed")

	// A new client after the destroy gets a fresh room, set up again.
	d := srv.Dial(t, "/chat/Room1/")
	wd := d.Expect().Map()
	assert.Equal(t, "Room1", wd["room"])
	assert.EqualValues(t, 1, wd["online"], "a fresh controller")
}

// TestChatRoomCase checks that a room name keeps its case, as design §4 says: only the
// static part of the URL is folded. /chat/AbC/ and /chat/abc/ are two rooms; /chat/%41bC/
// is /chat/AbC/ spelled with a percent-escape, so it is the same room.
func TestChatRoomCase(t *testing.T) {
	srv := startChat(t, newLogSink())
	upper := srv.Dial(t, "/chat/AbC/")
	wu := upper.Expect().Map()
	require.Equal(t, "AbC", wu["room"])
	require.EqualValues(t, 1, wu["online"])
	settle(upper, wu["id"])

	lower := srv.Dial(t, "/chat/abc/")
	wl := lower.Expect().Map()
	require.Equal(t, "abc", wl["room"])
	require.EqualValues(t, 1, wl["online"], "/chat/abc/ is another room than /chat/AbC/")

	escaped := srv.Dial(t, "/chat/%41bC/")
	we := escaped.Expect().Map()
	require.Equal(t, "AbC", we["room"])
	require.EqualValues(t, 2, we["online"], "/chat/%41bC/ is /chat/AbC/")
	require.Equal(t, map[string]any{"type": "join", "id": we["id"]}, upper.Expect().Map())

	// A message in AbC reaches the escaped spelling and not abc: abc's next message is
	// its own ack.
	upper.Send(map[string]any{"body": "in AbC"})
	require.Equal(t, "ack", upper.Expect().Map()["type"])
	require.Equal(t, map[string]any{"type": "msg", "from": wu["id"], "body": "in AbC"}, escaped.Expect().Map())
	lower.Send(map[string]any{"body": "in abc"})
	require.Equal(t, "ack", lower.Expect().Map()["type"], "abc got nothing from AbC before its own ack")
}

// TestChatRoomsAreSeparate checks that messages stay in their room.
func TestChatRoomsAreSeparate(t *testing.T) {
	srv := startChat(t, newLogSink())
	a := srv.Dial(t, "/chat/a/")
	b := srv.Dial(t, "/chat/b/")
	require.EqualValues(t, 1, a.Expect().Map()["online"])
	require.EqualValues(t, 1, b.Expect().Map()["online"])
	a.Send(map[string]any{"body": "only in a"})
	require.Equal(t, "ack", a.Expect().Map()["type"])
	b.Send(map[string]any{"body": "only in b"})
	require.Equal(t, "ack", b.Expect().Map()["type"], "b got nothing from room a before its own ack")
}

// TestRun starts the example as main does, on an ephemeral port, loads the page, chats,
// and shuts it down: the client is closed with 1001.
func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := newLogSink()
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, route.New(route.Config{Logger: slog.New(sink)}), slog.New(sink)) }()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, bytes.Contains(page, []byte("<title>wsroute chat</title>")))
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"))

	resp, err = http.Get(base + "/chat/x/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode, "a plain GET of the socket URL")

	c := wstest.Dial(t, wstest.WSURL(base, "/chat/lobby/"), wstest.Options{})
	require.Equal(t, "welcome", c.RecvJSON(t)["type"])

	cancel()
	code, reason := c.WaitClosed(t)
	assert.EqualValues(t, 1001, code)
	assert.Equal(t, "going away", reason)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(wstest.Timeout):
		t.Fatal("run did not return after cancel")
	}
}
