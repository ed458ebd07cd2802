package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/client"
	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestBrowser loads real pages in headless Chromium (Debian's chromium package, driven by
// playwright-core from client/node_modules) against a real wsroute server, and runs the
// scenarios of test/browser.e2e.mjs: send and receive, request/reply and a timeout, a
// server restart with the offline buffer, the online event cutting the backoff short, the
// close-code table (4001 and the other stop codes, 1012 retried), the 4002 token refresh,
// and shared: true across two tabs.
func TestBrowser(t *testing.T) {
	chromium, node := wstest.NeedBrowser(t, ".")

	app := newE2EServer(t)
	defer app.stop()
	ctl := httptest.NewServer(app.control())
	defer ctl.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "test/browser.e2e.mjs", "http://"+app.addr, ctl.URL)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stdout, cmd.Stderr = t.Output(), t.Output()
	start := time.Now()
	err := cmd.Run()
	t.Logf("browser scenarios took %s", time.Since(start).Round(time.Millisecond))
	require.NoError(t, err, "test/browser.e2e.mjs failed: see its output above")
}

// e2eServer is a wsroute server that can be stopped and started again on the same
// address, with routes that echo, reply, close with a chosen code, check a CSRF token and
// broadcast; it counts what happened so that the script can ask.
type e2eServer struct {
	t    *testing.T
	addr string

	mu     sync.Mutex // guards the fields below
	srv    *http.Server
	reg    *route.Registry
	done   chan struct{}
	opens  map[string]int // connections opened, per URL
	online map[string]int // connections open now, per URL
	tokens map[string]int // calls of /token, per key
}

func newE2EServer(t *testing.T) *e2eServer {
	s := &e2eServer{t: t, opens: map[string]int{}, online: map[string]int{}, tokens: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.addr = ln.Addr().String()
	s.serve(ln)
	return s
}

var csrfKey = []byte("0123456789abcdef0123456789abcdef")

func (s *e2eServer) serve(ln net.Listener) {
	reg := route.New(route.Config{
		Logger:      slog.New(slog.DiscardHandler),
		CSRFKey:     csrfKey,
		CSRFSession: func(*http.Request) string { return "e2e" },
	})
	count := func(ctl *controller.Controller) {
		ctl.OnOpen(func(*socket.Client) {
			s.mu.Lock()
			s.opens[ctl.URL()]++
			s.online[ctl.URL()]++
			s.mu.Unlock()
		})
		ctl.OnClose(func(*socket.Client, socket.CloseEvent) {
			s.mu.Lock()
			s.online[ctl.URL()]--
			s.mu.Unlock()
		})
	}
	// answer replies to a request, except {"type":"silent"}; anything else is echoed to
	// the sender as {"type":"echo","got":…}, or to every client of the URL with all.
	answer := func(all bool) func(ctl *controller.Controller) {
		return func(ctl *controller.Controller) {
			count(ctl)
			ctl.OnMessage(func(c *socket.Client, m socket.Message) {
				var in map[string]any
				if err := m.Decode(&in); err != nil {
					return
				}
				if m.CallbackID() != nil {
					if in["type"] != "silent" {
						_ = m.Reply(map[string]any{"ok": true, "got": in})
					}
					return
				}
				out := map[string]any{"type": "echo", "got": in}
				if all {
					_ = ctl.Send(out)
				} else {
					_ = c.Send(out)
				}
			})
		}
	}
	reg.ROUTE("SOCKET /echo/ @json", answer(false))
	reg.ROUTE("SOCKET /shared/ @json", answer(true))
	reg.ROUTE("SOCKET /close/{code}/", func(ctl *controller.Controller) {
		code, _ := strconv.Atoi(ctl.Param("code"))
		count(ctl)
		ctl.OnOpen(func(c *socket.Client) { _ = c.Close(socket.StatusCode(code), "chosen code") })
	})
	reg.ROUTE("SOCKET /csrf/ @csrf @json", func(ctl *controller.Controller) {
		count(ctl)
		ctl.OnOpen(func(c *socket.Client) { _ = c.Send(map[string]string{"type": "welcome"}) })
	})

	mux := http.NewServeMux()
	mux.Handle("GET /wsroute.js", client.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>wsroute e2e</title><p>wsroute e2e</p>"))
	})
	// /token?key=k answers "bad" to the first call of a key and a valid token to the
	// next ones; /token?key=k&bad=1 always answers "bad".
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		s.mu.Lock()
		s.tokens[key]++
		n := s.tokens[key]
		s.mu.Unlock()
		if n == 1 || r.URL.Query().Get("bad") != "" {
			_, _ = w.Write([]byte("bad"))
			return
		}
		_, _ = w.Write([]byte(reg.CSRFToken("e2e")))
	})
	for _, p := range []string{"/echo/", "/shared/", "/close/", "/csrf/"} {
		mux.Handle(p, reg)
	}

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.t.Errorf("serve: %v", err)
		}
	}()
	s.mu.Lock()
	s.srv, s.reg, s.done = srv, reg, done
	s.mu.Unlock()
}

// stop shuts the server down as a restart would: the listener closes and every socket
// gets 1001 going away. It does nothing when the server is already down.
func (s *e2eServer) stop() {
	s.mu.Lock()
	srv, reg, done := s.srv, s.reg, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Close()
	if err := reg.Shutdown(ctx); err != nil {
		s.t.Errorf("shutdown: %v", err)
	}
	<-done
}

// control is the script's handle on the server: POST /down, POST /up, GET /stats.
func (s *e2eServer) control() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /down", func(w http.ResponseWriter, _ *http.Request) { s.stop() })
	mux.HandleFunc("POST /up", func(w http.ResponseWriter, _ *http.Request) {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s.serve(ln)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"opens": s.opens, "online": s.online, "tokens": s.tokens})
	})
	return mux
}
