package controller_test

import (
	"testing"

	"github.com/wsroute/wsroute/internal/wstest"
)

// TestNoWiring keeps the registry's wiring out of controller's API: a handler that
// could run a client's read loop a second time or rerun setup is a bug.
func TestNoWiring(t *testing.T) {
	api := wstest.ExportedAPI(t, ".")
	for _, name := range []string{
		"New", "Config", "Controller.Setup", "Controller.Join", "Controller.Serve",
		"Controller.Start", "Controller.StopTimers", "Controller.SendPrepared",
	} {
		if api[name] {
			t.Errorf("controller exports %s, which only the registry calls", name)
		}
	}
	for _, name := range []string{"Controller", "Controller.Send", "Controller.To", "Controller.OnMessage", "Room", "ErrDestroyed"} {
		if !api[name] {
			t.Errorf("controller does not export %s", name)
		}
	}
}
