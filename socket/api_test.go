package socket_test

import (
	"testing"

	"github.com/wsroute/wsroute/internal/wstest"
)

// TestNoWiring keeps the registry's wiring out of socket's API: a handler that could
// start a second read loop or close the registry's hub is a bug.
func TestNoWiring(t *testing.T) {
	api := wstest.ExportedAPI(t, ".")
	for _, name := range []string{
		"Upgrader", "NewUpgrader", "Options", "Info", "Handler", "ControlHandler",
		"Hub", "NewHub", "HubConfig", "Prepare", "Prepared", "SendAll",
		"Client.Start", "Client.Serve", "Client.Reject", "Client.SendPrepared",
	} {
		if api[name] {
			t.Errorf("socket exports %s, which only the registry calls", name)
		}
	}
	for _, name := range []string{"Client", "Client.Send", "Client.To", "Message.Reply", "Room.SendFunc", "Timer.Stop", "StatusCode"} {
		if !api[name] {
			t.Errorf("socket does not export %s", name)
		}
	}
}
