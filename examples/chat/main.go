// Command chat is the flagship wsroute example: a chat with rooms, speaking the protocol
// of the Total.js reference chat on the route "SOCKET /chat/{room}/ @json <1MB".
//
//	go run ./examples/chat        # then open http://localhost:8000/
//
// PORT overrides the port. The page is embedded in the binary; it imports the browser
// client from /wsroute.js (package client), which reconnects after a restart and keeps
// the room. SIGINT or SIGTERM shuts the server down cleanly: every client is closed with
// 1001 "going away", which the client retries.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wsroute/wsroute/client"
	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

//go:embed index.html
var page []byte

// The messages of the chat protocol.
type (
	welcome struct {
		Type   string `json:"type"` // "welcome"
		ID     string `json:"id"`
		Room   string `json:"room"`
		Online int    `json:"online"`
	}
	join struct {
		Type string `json:"type"` // "join"
		ID   string `json:"id"`
	}
	ack struct {
		Type string `json:"type"` // "ack"
		Size int    `json:"size"`
	}
	msg struct {
		Type string          `json:"type"` // "msg"
		From string          `json:"from"`
		Body json.RawMessage `json:"body"`
	}
	direct struct {
		Type string          `json:"type"` // "direct"
		From string          `json:"from"`
		Body json.RawMessage `json:"body"`
	}
	leave struct {
		Type string `json:"type"` // "leave"
		ID   string `json:"id"`
		Code int    `json:"code"`
	}
	incoming struct {
		To   string          `json:"to"`
		Body json.RawMessage `json:"body"`
	}
)

// routes registers the chat route on reg.
func routes(reg *route.Registry, log *slog.Logger) {
	reg.ROUTE("SOCKET /chat/{room}/ @json <1MB", func(ctl *controller.Controller) {
		log.Info("room opened", "url", ctl.URL(), "room", ctl.Param("room"))
		ctl.AutoDestroy(func() { log.Info("room empty: destroyed", "url", ctl.URL()) })

		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Send(welcome{Type: "welcome", ID: c.ID(), Room: ctl.Param("room"), Online: ctl.Online()})
			_ = ctl.SendFunc(join{Type: "join", ID: c.ID()}, func(o *socket.Client) bool { return o != c })
		})

		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			var in incoming
			if err := m.Decode(&in); err != nil || in.Body == nil {
				return // not a chat message: ignored, as Total.js does
			}
			if in.To != "" {
				if to := ctl.Client(in.To); to != nil {
					_ = to.Send(direct{Type: "direct", From: c.ID(), Body: in.Body})
				}
				return
			}
			_ = c.Send(ack{Type: "ack", Size: m.Size()})
			_ = ctl.SendFunc(msg{Type: "msg", From: c.ID(), Body: in.Body}, func(o *socket.Client) bool { return o != c })
		})

		ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) {
			_ = ctl.Send(leave{Type: "leave", ID: c.ID(), Code: int(e.Code)})
		})
	})
}

// handler serves the page at /, the browser client at /wsroute.js and the sockets under
// /chat/.
func handler(reg *route.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/chat/", reg)
	mux.Handle("GET /wsroute.js", client.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	return mux
}

// run serves on ln until ctx is done, then shuts down: HTTP first, then every socket
// with 1001, waiting at most 10 s.
func run(ctx context.Context, ln net.Listener, reg *route.Registry, log *slog.Logger) error {
	routes(reg, log)
	srv := &http.Server{Handler: handler(reg), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("chat listening", "url", "http://"+ln.Addr().String()+"/")
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
	log.Info("chat stopped")
	return err
}

func main() {
	log := slog.Default()
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	ln, err := net.Listen("tcp", "localhost:"+port)
	if err != nil {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, ln, route.New(route.Config{Logger: log}), log); err != nil {
		log.Error("chat", "err", err)
		os.Exit(1)
	}
}
