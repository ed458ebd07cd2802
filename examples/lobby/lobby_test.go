package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/wsroutetest"
)

func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }

var quiet = slog.New(slog.DiscardHandler)

func startLobby(t *testing.T) (*wsroutetest.Server, *route.Registry) {
	t.Helper()
	reg := newRegistry(quiet)
	routes(reg)
	return wsroutetest.NewServer(t, reg, wsroutetest.Config{}), reg
}

// player connects and checks the lobby greeting; it returns the connection and its id.
func player(t *testing.T, srv *wsroutetest.Server) (*wsroutetest.Conn, string) {
	t.Helper()
	c := srv.Dial(t, "/api/ws/game/")
	hello := c.Expect().Map()
	require.Equal(t, "joined-lobby", hello["type"])
	return c, hello["id"].(string)
}

// quietNow checks that c has received nothing: it sends a request that only c answers
// and expects that answer to be the next message.
func quietNow(t *testing.T, c *wsroutetest.Conn) {
	t.Helper()
	c.Send(map[string]any{"type": "list-games", "callbackid": "probe"})
	got := c.Expect().Map()
	require.Equal(t, "probe", got["callbackid"], "the next message is the probe's answer, got %v", got)
}

// TestGameLobby plays the plugin's game server: create, list, join, act; the actions
// reach the game's players only, and a game disappears with its last player.
func TestGameLobby(t *testing.T) {
	srv, reg := startLobby(t)
	a, _ := player(t, srv)
	b, idB := player(t, srv)
	c, _ := player(t, srv)
	assert.Equal(t, 3, reg.To("lobby").Online(), "everyone starts in the lobby")

	a.Send(map[string]any{"type": "create-game"})
	created := a.Expect().Map()
	require.Equal(t, "game-created", created["type"])
	gameID := created["gameId"].(string)
	require.Len(t, gameID, 8)

	// list-games is a request: the reply carries the callback id, and is b's next message.
	b.Send(map[string]any{"type": "list-games", "callbackid": 17})
	assert.Equal(t, map[string]any{
		"callbackid": float64(17),
		"games":      []any{map[string]any{"gameId": gameID, "players": float64(1)}},
	}, b.Expect().Map())

	b.Send(map[string]any{"type": "join-game", "gameId": gameID})
	assert.Equal(t, map[string]any{"type": "game-joined", "gameId": gameID}, b.Expect().Map())
	assert.Equal(t, map[string]any{"type": "player-joined", "playerId": idB}, a.Expect().Map())

	// game-action: both players, the sender included; c is in the lobby only.
	b.Send(map[string]any{"type": "game-action", "gameId": gameID, "action": map[string]any{"move": "e4"}})
	want := map[string]any{"type": "game-update", "action": map[string]any{"move": "e4"}, "playerId": idB}
	assert.Equal(t, want, b.Expect().Map())
	assert.Equal(t, want, a.Expect().Map())
	quietNow(t, c)

	// c may not act in a game it has not joined, nor join one that does not exist.
	c.Send(map[string]any{"type": "game-action", "gameId": gameID, "action": 1})
	assert.Equal(t, map[string]any{"type": "error", "message": "not in game " + gameID}, c.Expect().Map())
	c.Send(map[string]any{"type": "join-game", "gameId": "nope"})
	assert.Equal(t, map[string]any{"type": "error", "message": "no such game: nope"}, c.Expect().Map())
	quietNow(t, a)
	quietNow(t, b)

	// The game lives while it has players: a leaves, then b disconnects.
	a.Close(1000, "")
	a.ExpectClose(1000)
	// The server's close handler runs after the close reply a has already seen: wait for
	// it to have taken a out of the game before asking for the list.
	require.Eventually(t, func() bool { return reg.To("game:"+gameID).Online() == 1 }, wstest.Timeout, 10*time.Millisecond)
	assert.Equal(t, []any{map[string]any{"gameId": gameID, "players": float64(1)}}, c.Request(map[string]any{"type": "list-games"}).Map()["games"])
	b.Drop()
	require.Eventually(t, func() bool { return reg.To("game:"+gameID).Online() == 0 }, wstest.Timeout, 10*time.Millisecond)
	assert.Equal(t, []any{}, c.Request(map[string]any{"type": "list-games"}).Map()["games"])
	assert.Equal(t, []string{"lobby"}, reg.Rooms(), "the game's room was freed")
}

// TestRoomChat plays the plugin's rooms section: join-room tells the others, message
// reaches the room with the sender, leave-room stops it.
func TestRoomChat(t *testing.T) {
	srv, _ := startLobby(t)
	alice, _ := player(t, srv)
	bob, _ := player(t, srv)
	carol, _ := player(t, srv)

	alice.Send(map[string]any{"type": "join-room", "room": "general", "username": "Alice"})
	quietNow(t, alice) // a join is not echoed to the joiner
	bob.Send(map[string]any{"type": "join-room", "room": "general", "username": "Bob"})
	assert.Equal(t, map[string]any{"type": "user-joined", "username": "Bob", "room": "general"}, alice.Expect().Map())

	bob.Send(map[string]any{"type": "message", "room": "general", "username": "Bob", "text": "Hello everyone!"})
	want := map[string]any{"type": "chat-message", "from": "Bob", "room": "general", "text": "Hello everyone!"}
	assert.Equal(t, want, bob.Expect().Map(), "includeSelf")
	assert.Equal(t, want, alice.Expect().Map())
	quietNow(t, carol)

	carol.Send(map[string]any{"type": "message", "room": "general", "text": "let me in"})
	assert.Equal(t, map[string]any{"type": "error", "message": "not in room general"}, carol.Expect().Map())

	alice.Send(map[string]any{"type": "leave-room", "room": "general"})
	quietNow(t, alice) // the leave is done once alice's next message is served
	bob.Send(map[string]any{"type": "message", "room": "general", "username": "Bob", "text": "alone"})
	assert.Equal(t, "alone", bob.Expect().Map()["text"])
	quietNow(t, alice)

	// Game rooms cannot be entered through join-room.
	alice.Send(map[string]any{"type": "join-room", "room": "game:x"})
	quietNow(t, alice)
}

// TestBadInput sends what a broken or hostile client might: nothing crashes, each gets
// an error, and the connection stays usable.
func TestBadInput(t *testing.T) {
	srv, reg := startLobby(t)
	c, _ := player(t, srv)
	for _, msg := range []string{
		`{"type":"join-game","gameId":42}`,
		`{"type":"game-action","gameId":{"x":1}}`,
		`{"type":"teleport"}`,
		`[1,2,3]`,
		`"just a string"`,
		`{"type":"list-games"}`,
	} {
		c.SendText(msg)
		got := c.Expect().Map()
		assert.Equal(t, "error", got["type"], "message %s", msg)
	}
	c.SendText(`{"type": "create-game"`) // not JSON: the error handler logs it, no answer
	quietNow(t, c)

	// A player cannot grow the room index without bound.
	for range maxRooms + 5 {
		c.Send(map[string]any{"type": "create-game"})
		_ = c.Expect().Map()
	}
	require.Eventually(t, func() bool { return len(reg.Rooms()) > 1 }, wstest.Timeout, 10*time.Millisecond)
	assert.LessOrEqual(t, len(reg.Rooms()), maxRooms)
}

// TestRun starts the example as main does and shuts it down: the player gets 1001.
func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, newRegistry(quiet), quiet) }()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/api/ws/game/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)

	c := wstest.Dial(t, wstest.WSURL(base, "/api/ws/game/"), wstest.Options{})
	hello := c.RecvJSON(t)
	require.Equal(t, "joined-lobby", hello["type"])
	assert.True(t, strings.TrimSpace(hello["id"].(string)) != "")
	cancel()
	code, _ := c.WaitClosed(t)
	assert.EqualValues(t, 1001, code)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(wstest.Timeout):
		t.Fatal("run did not return")
	}
}
