package app

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/wsroute/wsroute/client"
	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

//go:embed index.html
var page []byte

// Page is the chat page, which imports the browser client from /wsroute.js.
func Page() []byte { return page }

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

// Routes registers the chat route on reg. With a cluster (Config.Broker), rooms span the
// nodes: messages, joins, leaves and directs cross them, and a welcome's online is the
// room's count on every node.
func Routes(reg *route.Registry, log *slog.Logger) {
	reg.ROUTE("SOCKET /chat/{room}/ @json <1MB", func(ctl *controller.Controller) {
		log.Info("room opened", "url", ctl.URL(), "room", ctl.Param("room"))
		ctl.AutoDestroy(func() { log.Info("room empty: destroyed", "url", ctl.URL()) })

		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Send(welcome{Type: "welcome", ID: c.ID(), Room: ctl.Param("room"), Online: ctl.ClusterOnline()})
			_ = ctl.Broadcast(c, join{Type: "join", ID: c.ID()})
		})

		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			var in incoming
			if err := m.Decode(&in); err != nil || in.Body == nil {
				return // not a chat message: ignored
			}
			if in.To != "" {
				d := direct{Type: "direct", From: c.ID(), Body: in.Body}
				switch {
				case ctl.Client(in.To) != nil:
					_ = ctl.Client(in.To).Send(d)
				case reg.Client(in.To) == nil:
					_ = reg.SendTo(in.To, d) // a client of another node: its node delivers it
				}
				return // an addressee in another room of this node gets nothing
			}
			_ = c.Send(ack{Type: "ack", Size: m.Size()})
			_ = ctl.Broadcast(c, msg{Type: "msg", From: c.ID(), Body: in.Body})
		})

		ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) {
			_ = ctl.Send(leave{Type: "leave", ID: c.ID(), Code: int(e.Code)})
		})
	})
}

// Handler serves the page at /, the browser client at /wsroute.js and the sockets under
// /chat/.
func Handler(reg *route.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/chat/", reg)
	mux.Handle("GET /wsroute.js", client.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	return mux
}

// Run registers the chat on reg and serves it on ln until ctx is done, then shuts down:
// HTTP first, then every socket with 1001, waiting at most 10 s.
func Run(ctx context.Context, ln net.Listener, reg *route.Registry, log *slog.Logger) error {
	return Serve(ctx, ln, reg, nil, log)
}

// Serve is Run with more handlers beside the chat's, by path pattern (a node's
// /metrics, for one).
func Serve(ctx context.Context, ln net.Listener, reg *route.Registry, more map[string]http.Handler, log *slog.Logger) error {
	Routes(reg, log)
	h := Handler(reg)
	if len(more) > 0 {
		mux := http.NewServeMux()
		mux.Handle("/", h)
		for pattern, m := range more {
			mux.Handle(pattern, m)
		}
		h = mux
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
