package route_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// Sending from anywhere in the program (Odac's Route.wsServer.toRoom): each user's
// sockets join the room "user-<id>", and an ordinary HTTP handler notifies that room.
func ExampleRegistry_To() {
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /notifications/{user}/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(c *socket.Client) {
			_ = c.Join("user-" + c.Param("user"))
			_ = c.Send(map[string]string{"type": "ready"})
		})
	})
	mux := http.NewServeMux()
	mux.Handle("/notifications/", reg)
	mux.HandleFunc("POST /notify/{user}", func(w http.ResponseWriter, r *http.Request) {
		n := map[string]string{"type": "notification", "message": r.FormValue("message")}
		if err := reg.To("user-" + r.PathValue("user")).Send(n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer reg.Shutdown(context.Background())

	conn, got := dialExample(srv.URL, "/notifications/42/")
	defer conn.WriteClose(1000, nil)
	fmt.Println(<-got)
	resp, err := http.PostForm(srv.URL+"/notify/42", map[string][]string{"message": {"you have mail"}})
	if err == nil {
		resp.Body.Close()
	}
	fmt.Println(<-got)
	// Output:
	// {"type":"ready"}
	// {"message":"you have mail","type":"notification"}
}
