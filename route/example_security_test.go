package route_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/lxzan/gws"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// watchClient is a gws client for the examples that reports the first message it gets,
// or the close code when the server closes first.
type watchClient struct {
	gws.BuiltinEventHandler
	out chan string
}

func (w *watchClient) OnMessage(_ *gws.Conn, m *gws.Message) {
	w.out <- m.Data.String()
	_ = m.Close()
}

func (w *watchClient) OnClose(_ *gws.Conn, err error) {
	var ce *gws.CloseError
	if errors.As(err, &ce) {
		w.out <- fmt.Sprintf("closed %d %q", ce.Code, ce.Reason)
	}
}

// first dials path with header h and returns what happened first, and the subprotocol
// the server chose.
func first(base, path string, h http.Header) (string, string) {
	w := &watchClient{out: make(chan string, 2)}
	conn, resp, err := gws.NewClient(w, &gws.ClientOption{
		Addr:          "ws" + strings.TrimPrefix(base, "http") + path,
		RequestHeader: h,
	})
	if err != nil {
		return fmt.Sprintf("HTTP %d", resp.StatusCode), ""
	}
	go conn.ReadLoop()
	defer conn.WriteClose(1000, nil)
	return <-w.out, resp.Header.Get("Sec-WebSocket-Protocol")
}

// Middleware runs before the controller: it reads the handshake and the route's flags,
// stores data for the handlers, and refuses with 4003 (false) or 4000 (an error).
func ExampleRegistry_Middleware() {
	reg := route.New(route.Config{})
	reg.Flag("api") // custom flags must be declared
	reg.Middleware("apikey", func(h *route.Handshake) (bool, error) {
		key := h.Request.Header.Get("X-API-Key")
		if key == "" {
			return false, nil // 4003 "forbidden"
		}
		if key != "secret" {
			return false, errors.New("unknown key") // 4000 "unknown key"
		}
		h.Client.Set("plan", "pro")
		return h.Flag("api"), nil
	})
	reg.ROUTE("SOCKET /feed/ @api #apikey", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			plan, _ := c.Get("plan")
			_ = c.Send(map[string]any{"plan": plan})
		})
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	for _, key := range []string{"secret", "guess", ""} {
		got, _ := first(srv.URL, "/feed/", http.Header{"X-API-Key": {key}})
		fmt.Println(got)
	}
	// Output:
	// {"plan":"pro"}
	// closed 4000 "unknown key"
	// closed 4003 "forbidden"
}

// A "@csrf" route takes a token issued by the registry, sent as "csrf.<token>" in
// Sec-WebSocket-Protocol beside "wsroute", which the server echoes. In a browser:
//
//	new WebSocket(url, ["wsroute", "csrf." + token])
func ExampleRegistry_CSRFToken() {
	reg := route.New(route.Config{
		CSRFKey: []byte("an example key of 32 bytes or more"),
		CSRFSession: func(r *http.Request) string {
			c, err := r.Cookie("session")
			if err != nil {
				return ""
			}
			return c.Value
		},
	})
	reg.ROUTE("SOCKET /account/ @csrf", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { _ = c.Send("welcome") })
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	token := reg.CSRFToken("s-42") // rendered into the page of session s-42
	got, proto := first(srv.URL, "/account/", http.Header{
		"Cookie":                 {"session=s-42"},
		"Sec-Websocket-Protocol": {route.Subprotocol + ", " + route.CSRFPrefix + token},
	})
	fmt.Println(got, proto)
	got, _ = first(srv.URL, "/account/", http.Header{
		"Cookie":                 {"session=s-99"},
		"Sec-Websocket-Protocol": {route.Subprotocol + ", " + route.CSRFPrefix + token},
	})
	fmt.Println(got)
	// Output:
	// "welcome" wsroute
	// closed 4002 "invalid csrf token"
}

// Config.Authenticate decides for every route, picks the close code of a refusal, and
// hands data to the connections it accepts (Client.AuthData).
func ExampleAuthResult() {
	reg := route.New(route.Config{
		Authenticate: func(r *http.Request) route.AuthResult {
			switch tok, _ := route.SubprotocolValue(r, "auth."); tok {
			case "":
				return route.AuthResult{} // 4001 "unauthorized"
			case "t-alice":
				return route.AuthResult{OK: true, Data: "alice"}
			}
			return route.AuthResult{Code: 4401, Reason: "token expired"}
		},
	})
	reg.ROUTE("SOCKET /me/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) { _ = c.Send(c.AuthData()) })
	})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	for _, tok := range []string{"t-alice", "t-old"} {
		got, _ := first(srv.URL, "/me/", http.Header{"Sec-Websocket-Protocol": {"wsroute, auth." + tok}})
		fmt.Println(got)
	}
	got, _ := first(srv.URL, "/me/", nil)
	fmt.Println(got)
	// Output:
	// "alice"
	// closed 4401 "token expired"
	// closed 4001 "unauthorized"
}
