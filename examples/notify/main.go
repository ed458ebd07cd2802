package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// user is who a token stands for. A real program asks its session store.
type user struct {
	ID   string
	Name string
}

var tokens = map[string]user{
	"token-42": {ID: "42", Name: "Ada"},
	"token-7":  {ID: "7", Name: "Grace"},
}

// authorize is the registry's Config.Authorize: the "+" route admits only the requests
// it accepts.
func authorize(r *http.Request) (any, bool, error) {
	u, ok := tokens[r.URL.Query().Get("token")]
	return u, ok, nil
}

type (
	welcome struct {
		Type string `json:"type"` // "welcome"
		User string `json:"user"`
	}
	notification struct {
		Type    string `json:"type"` // "notification"
		Message string `json:"message"`
	}
	update struct {
		Type      string `json:"type"` // "update"
		Timestamp int64  `json:"timestamp"`
	}
	delayed struct {
		Type string `json:"type"` // "delayed-message"
	}
)

// app holds the timings of /live-updates, shorter in tests.
type app struct {
	reg      *route.Registry
	interval time.Duration // between updates: 1 s
	delay    time.Duration // before the delayed message: 5 s
}

func userRoom(id string) string { return "user-" + id }

// routes registers the socket routes.
func (a *app) routes() {
	a.reg.ROUTE("+SOCKET /notifications/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			u := c.User().(user)
			c.Set("userId", u.ID)
			_ = c.Join(userRoom(u.ID))
			_ = c.Send(welcome{Type: "welcome", User: u.Name})
		})
	})

	a.reg.ROUTE("SOCKET /live-updates/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			c.Every(a.interval, func() {
				_ = c.Send(update{Type: "update", Timestamp: time.Now().UnixMilli()})
			})
			c.After(a.delay, func() { _ = c.Send(delayed{Type: "delayed-message"}) })
		})
	})
}

// notifyUser sends message to every socket of user id, from anywhere in the program.
// It returns how many sockets (browser tabs) were reached.
func (a *app) notifyUser(id, message string) (int, error) {
	room := a.reg.To(userRoom(id))
	return room.Online(), room.Send(notification{Type: "notification", Message: message})
}

// handler serves the sockets and the HTTP API that notifies them.
func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/notifications/", a.reg)
	mux.Handle("/live-updates/", a.reg)
	mux.HandleFunc("POST /notify", func(w http.ResponseWriter, r *http.Request) {
		id, msg := r.URL.Query().Get("user"), r.FormValue("message")
		if id == "" || msg == "" {
			http.Error(w, "user and message are required", http.StatusBadRequest)
			return
		}
		n, err := a.notifyUser(id, msg)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]int{"delivered": n})
	})
	mux.HandleFunc("POST /broadcast", func(w http.ResponseWriter, r *http.Request) {
		msg := r.FormValue("message")
		if msg == "" {
			http.Error(w, "message is required", http.StatusBadRequest)
			return
		}
		n := 0
		if ctl := a.reg.Controller("/notifications/"); ctl != nil {
			n = ctl.Online()
			if err := ctl.Send(notification{Type: "notification", Message: msg}); err != nil && !errors.Is(err, controller.ErrDestroyed) {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		writeJSON(w, map[string]int{"delivered": n})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func newApp(log *slog.Logger) *app {
	a := &app{
		reg:      route.New(route.Config{Logger: log, Authorize: authorize}),
		interval: time.Second,
		delay:    5 * time.Second,
	}
	a.routes()
	return a
}

// run serves a on ln until ctx is done, then shuts down HTTP and every socket.
func run(ctx context.Context, ln net.Listener, a *app, log *slog.Logger) error {
	srv := &http.Server{Handler: a.handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("notify listening", "url", "http://"+ln.Addr().String()+"/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := a.reg.Shutdown(sctx); err == nil {
		err = e
	}
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

func main() {
	log := slog.Default()
	port := os.Getenv("PORT")
	if port == "" {
		port = "8002"
	}
	ln, err := net.Listen("tcp", "localhost:"+port)
	if err != nil {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, ln, newApp(log), log); err != nil {
		log.Error("notify", "err", err)
		os.Exit(1)
	}
}
