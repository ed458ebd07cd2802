package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// maxRooms bounds the rooms one player may be in, so that a client cannot grow the room
// index without limit.
const maxRooms = 16

const gamePrefix = "game:"

type (
	// in is every incoming message; each type uses some of the fields.
	in struct {
		Type     string          `json:"type"`
		GameID   string          `json:"gameId"`
		Action   json.RawMessage `json:"action"`
		Room     string          `json:"room"`
		Username string          `json:"username"`
		Text     string          `json:"text"`
	}
	joinedLobby struct {
		Type string `json:"type"` // "joined-lobby"
		ID   string `json:"id"`
	}
	gameMsg struct {
		Type   string `json:"type"` // "game-created", "game-joined"
		GameID string `json:"gameId"`
	}
	playerJoined struct {
		Type     string `json:"type"` // "player-joined"
		PlayerID string `json:"playerId"`
	}
	gameUpdate struct {
		Type     string          `json:"type"` // "game-update"
		Action   json.RawMessage `json:"action"`
		PlayerID string          `json:"playerId"`
	}
	gameInfo struct {
		GameID  string `json:"gameId"`
		Players int    `json:"players"`
	}
	gameList struct {
		Games []gameInfo `json:"games"`
	}
	userJoined struct {
		Type     string `json:"type"` // "user-joined"
		Username string `json:"username"`
		Room     string `json:"room"`
	}
	chatMessage struct {
		Type string `json:"type"` // "chat-message"
		From string `json:"from"`
		Room string `json:"room"`
		Text string `json:"text"`
	}
	errorMsg struct {
		Type    string `json:"type"` // "error"
		Message string `json:"message"`
	}
)

// decode reads m into v, or tells the client what is wrong and returns false.
func decode(c *socket.Client, m socket.Message) (in, bool) {
	var v in
	if err := m.Decode(&v); err != nil {
		_ = c.Send(errorMsg{Type: "error", Message: "malformed " + v.Type + " message"})
		return v, false
	}
	return v, true
}

// join puts c in room, within the maxRooms bound.
func join(c *socket.Client, room string) bool {
	if room == "" || (!c.InRoom(room) && len(c.Rooms()) >= maxRooms) {
		_ = c.Send(errorMsg{Type: "error", Message: "cannot join " + room})
		return false
	}
	return c.Join(room) == nil
}

func newGameID() string {
	return strings.ToLower(rand.Text()[:8])
}

// routes registers the lobby route on reg.
func routes(reg *route.Registry) {
	// "?" is the API prefix, /api/, as the plugin's endpointPrefix.
	reg.ROUTE("SOCKET ?/ws/game/ @json <64KB ~50/s", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Join("lobby")
			_ = c.Send(joinedLobby{Type: "joined-lobby", ID: c.ID()})
		})

		ctl.On("create-game", func(c *socket.Client, m socket.Message) {
			id := newGameID()
			if join(c, gamePrefix+id) {
				_ = c.Send(gameMsg{Type: "game-created", GameID: id})
			}
		})

		ctl.On("join-game", func(c *socket.Client, m socket.Message) {
			v, ok := decode(c, m)
			if !ok {
				return
			}
			room := gamePrefix + v.GameID
			if v.GameID == "" || ctl.To(room).Online() == 0 {
				_ = c.Send(errorMsg{Type: "error", Message: "no such game: " + v.GameID})
				return
			}
			if join(c, room) {
				_ = c.Send(gameMsg{Type: "game-joined", GameID: v.GameID})
				// conn.broadcast(…, {rooms: [gameId]}): the others, not the sender.
				_ = ctl.BroadcastWith(c, playerJoined{Type: "player-joined", PlayerID: c.ID()},
					controller.BroadcastOptions{Rooms: []string{room}})
			}
		})

		ctl.On("game-action", func(c *socket.Client, m socket.Message) {
			v, ok := decode(c, m)
			if !ok {
				return
			}
			room := gamePrefix + v.GameID
			if !c.InRoom(room) {
				_ = c.Send(errorMsg{Type: "error", Message: "not in game " + v.GameID})
				return
			}
			// conn.broadcast(…, {rooms: [gameId], includeSelf: true}).
			_ = ctl.BroadcastWith(c, gameUpdate{Type: "game-update", Action: v.Action, PlayerID: c.ID()},
				controller.BroadcastOptions{Rooms: []string{room}, IncludeSelf: true})
		})

		ctl.On("list-games", func(c *socket.Client, m socket.Message) {
			list := gameList{Games: []gameInfo{}}
			for _, room := range ctl.Rooms() {
				if id, ok := strings.CutPrefix(room, gamePrefix); ok {
					list.Games = append(list.Games, gameInfo{GameID: id, Players: ctl.To(room).Online()})
				}
			}
			if err := m.Reply(list); errors.Is(err, socket.ErrNoCallbackID) {
				_ = c.Send(errorMsg{Type: "error", Message: "list-games needs a callbackid"})
			}
		})

		ctl.On("join-room", func(c *socket.Client, m socket.Message) {
			v, ok := decode(c, m)
			if !ok || strings.HasPrefix(v.Room, gamePrefix) || !join(c, v.Room) {
				return
			}
			_ = ctl.BroadcastWith(c, userJoined{Type: "user-joined", Username: v.Username, Room: v.Room},
				controller.BroadcastOptions{Rooms: []string{v.Room}})
		})

		ctl.On("leave-room", func(c *socket.Client, m socket.Message) {
			if v, ok := decode(c, m); ok {
				c.Leave(v.Room)
			}
		})

		ctl.On("message", func(c *socket.Client, m socket.Message) {
			v, ok := decode(c, m)
			if !ok {
				return
			}
			if !c.InRoom(v.Room) {
				_ = c.Send(errorMsg{Type: "error", Message: "not in room " + v.Room})
				return
			}
			_ = ctl.BroadcastWith(c, chatMessage{Type: "chat-message", From: v.Username, Room: v.Room, Text: v.Text},
				controller.BroadcastOptions{Rooms: []string{v.Room}, IncludeSelf: true})
		})

		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = c.Send(errorMsg{Type: "error", Message: "unknown message type"})
		})
	})
}

// run serves reg on ln until ctx is done, then shuts down: HTTP first, then every
// socket with 1001, waiting at most 10 s.
func run(ctx context.Context, ln net.Listener, reg *route.Registry, log *slog.Logger) error {
	routes(reg)
	srv := &http.Server{Handler: reg, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("lobby listening", "url", "ws://"+ln.Addr().String()+"/api/ws/game/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := reg.Shutdown(sctx); err == nil {
		err = e
	}
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// newRegistry is the lobby's registry: pings every 10 s, as the plugin's heartbeat: 10000.
func newRegistry(log *slog.Logger) *route.Registry {
	return route.New(route.Config{Logger: log, PingInterval: 10 * time.Second})
}

func main() {
	log := slog.Default()
	port := os.Getenv("PORT")
	if port == "" {
		port = "8001"
	}
	ln, err := net.Listen("tcp", "localhost:"+port)
	if err != nil {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, ln, newRegistry(log), log); err != nil {
		log.Error("lobby", "err", err)
		os.Exit(1)
	}
}
