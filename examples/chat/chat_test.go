package main

import (
	"bytes"
	"context"
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

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
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

func startChat(t *testing.T, sink *logSink) string {
	t.Helper()
	log := slog.New(sink)
	reg := route.New(route.Config{Logger: log, AutoDestroyDelay: 100 * time.Millisecond})
	routes(reg, log)
	srv := httptest.NewServer(handler(reg))
	t.Cleanup(func() {
		require.NoError(t, reg.Shutdown(context.Background()))
		srv.Close()
	})
	return srv.URL
}

// TestChatProtocol drives three clients through welcome, join, msg, ack, direct and leave,
// as the Total.js reference chat does.
func TestChatProtocol(t *testing.T) {
	sink := newLogSink()
	base := startChat(t, sink)

	a := wstest.Dial(t, wstest.WSURL(base, "/chat/Room1/"), wstest.Options{})
	wa := a.RecvJSON(t)
	require.Equal(t, "welcome", wa["type"])
	require.Equal(t, "Room1", wa["room"])
	require.EqualValues(t, 1, wa["online"])
	idA := wa["id"].(string)
	require.Len(t, idA, 16)

	// Another spelling of the same URL joins the same controller: the trailing slash is
	// optional and a percent-escape is decoded (the room's case is kept: see
	// TestChatRoomCase; the page's ServeMux, not the registry, wants "/chat/" in lower
	// case).
	b := wstest.Dial(t, wstest.WSURL(base, "/chat/Room1"), wstest.Options{})
	wb := b.RecvJSON(t)
	require.Equal(t, "welcome", wb["type"])
	require.Equal(t, "Room1", wb["room"])
	require.EqualValues(t, 2, wb["online"])
	idB := wb["id"].(string)
	require.NotEqual(t, idA, idB)
	require.Equal(t, map[string]any{"type": "join", "id": idB}, a.RecvJSON(t))

	c := wstest.Dial(t, wstest.WSURL(base, "/chat/%52oom1/"), wstest.Options{})
	wc := c.RecvJSON(t)
	require.EqualValues(t, 3, wc["online"])
	idC := wc["id"].(string)
	require.Equal(t, map[string]any{"type": "join", "id": idC}, a.RecvJSON(t))
	require.Equal(t, map[string]any{"type": "join", "id": idC}, b.RecvJSON(t))

	// A message: the sender gets an ack with the message's size, the others the message.
	body := `{"body":"hello from B"}`
	b.SendText(t, body)
	require.Equal(t, map[string]any{"type": "ack", "size": float64(len(body))}, b.RecvJSON(t))
	want := map[string]any{"type": "msg", "from": idB, "body": "hello from B"}
	require.Equal(t, want, a.RecvJSON(t))
	require.Equal(t, want, c.RecvJSON(t))

	// A direct message reaches only its addressee. The broadcast that follows is the next
	// thing B and A see, which proves the direct message did not reach them.
	a.Send(t, map[string]any{"to": idC, "body": map[string]any{"secret": 1}})
	require.Equal(t, map[string]any{"type": "direct", "from": idA, "body": map[string]any{"secret": float64(1)}}, c.RecvJSON(t))
	c.Send(t, map[string]any{"body": "after"})
	require.Equal(t, "ack", c.RecvJSON(t)["type"])
	require.Equal(t, map[string]any{"type": "msg", "from": idC, "body": "after"}, b.RecvJSON(t))
	require.Equal(t, map[string]any{"type": "msg", "from": idC, "body": "after"}, a.RecvJSON(t))

	// B closes with 4000 "bye": the server answers with 4000, the others see leave 4000.
	b.Close(4000, "bye")
	code, _ := b.WaitClosed(t)
	assert.EqualValues(t, 4000, code)
	require.Equal(t, map[string]any{"type": "leave", "id": idB, "code": float64(4000)}, a.RecvJSON(t))
	require.Equal(t, map[string]any{"type": "leave", "id": idB, "code": float64(4000)}, c.RecvJSON(t))

	// C drops its TCP connection: A sees leave with 1006.
	c.Kill()
	require.Equal(t, map[string]any{"type": "leave", "id": idC, "code": float64(1006)}, a.RecvJSON(t))

	// The last one leaves: the room autodestroys after its grace period and says so.
	a.Close(1000, "")
	a.WaitClosed(t)
	sink.waitFor(t, "room empty: destroyed")

	// A new client after the destroy gets a fresh room, set up again.
	d := wstest.Dial(t, wstest.WSURL(base, "/chat/Room1/"), wstest.Options{})
	wd := d.RecvJSON(t)
	assert.Equal(t, "Room1", wd["room"])
	assert.EqualValues(t, 1, wd["online"], "a fresh controller")
}

// TestChatRoomCase checks that a room name keeps its case, as design §4 says: only the
// static part of the URL is folded. /chat/AbC/ and /chat/abc/ are two rooms; /chat/%41bC/
// is /chat/AbC/ spelled with a percent-escape, so it is the same room.
func TestChatRoomCase(t *testing.T) {
	base := startChat(t, newLogSink())
	upper := wstest.Dial(t, wstest.WSURL(base, "/chat/AbC/"), wstest.Options{})
	wu := upper.RecvJSON(t)
	require.Equal(t, "AbC", wu["room"])
	require.EqualValues(t, 1, wu["online"])

	lower := wstest.Dial(t, wstest.WSURL(base, "/chat/abc/"), wstest.Options{})
	wl := lower.RecvJSON(t)
	require.Equal(t, "abc", wl["room"])
	require.EqualValues(t, 1, wl["online"], "/chat/abc/ is another room than /chat/AbC/")

	escaped := wstest.Dial(t, wstest.WSURL(base, "/chat/%41bC/"), wstest.Options{})
	we := escaped.RecvJSON(t)
	require.Equal(t, "AbC", we["room"])
	require.EqualValues(t, 2, we["online"], "/chat/%41bC/ is /chat/AbC/")
	require.Equal(t, map[string]any{"type": "join", "id": we["id"]}, upper.RecvJSON(t))

	// A message in AbC reaches the escaped spelling and not abc: abc's next message is
	// its own ack.
	upper.Send(t, map[string]any{"body": "in AbC"})
	require.Equal(t, "ack", upper.RecvJSON(t)["type"])
	require.Equal(t, map[string]any{"type": "msg", "from": wu["id"], "body": "in AbC"}, escaped.RecvJSON(t))
	lower.Send(t, map[string]any{"body": "in abc"})
	require.Equal(t, "ack", lower.RecvJSON(t)["type"], "abc got nothing from AbC before its own ack")
}

// TestChatRoomsAreSeparate checks that messages stay in their room.
func TestChatRoomsAreSeparate(t *testing.T) {
	base := startChat(t, newLogSink())
	a := wstest.Dial(t, wstest.WSURL(base, "/chat/a/"), wstest.Options{})
	b := wstest.Dial(t, wstest.WSURL(base, "/chat/b/"), wstest.Options{})
	require.EqualValues(t, 1, a.RecvJSON(t)["online"])
	require.EqualValues(t, 1, b.RecvJSON(t)["online"])
	a.Send(t, map[string]any{"body": "only in a"})
	require.Equal(t, "ack", a.RecvJSON(t)["type"])
	b.Send(t, map[string]any{"body": "only in b"})
	require.Equal(t, "ack", b.RecvJSON(t)["type"], "b got nothing from room a before its own ack")
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
