package route

import (
	"github.com/wsroute/wsroute/controller"
)

// Default is the registry used by ROUTE, as http.DefaultServeMux is by http.Handle. It is
// made with the zero Config; Configure replaces it with a configured one.
var Default = New(Config{})

// ROUTE registers setup for the route string on Default and panics if that fails, with an
// error naming the caller's file and line. Serve Default with
// http.ListenAndServe(":8000", route.Default). The all-caps name is Registry.ROUTE's.
func ROUTE(route string, setup func(ctl *controller.Controller), opts ...Option) {
	if err := Default.register(route, setup, callerSite(1), opts); err != nil {
		panic(err)
	}
}

// Configure replaces Default with New(cfg), so that ROUTE can register "+" and "-" routes
// (Config.Authorize), "@csrf" routes (Config.CSRFKey) and the rest on it. Call it first in
// main, before anything uses Default: it panics when a route, a middleware or a flag is
// registered on Default already, since they would be lost, and like New it panics on a
// malformed Config. It is not safe to call concurrently with any use of Default.
func Configure(cfg Config) {
	r := Default
	r.mu.RLock()
	used := len(r.entries) > 0 || len(r.mws) > 0 || len(r.flags) > 0
	r.mu.RUnlock()
	if used {
		panic("route: Configure after a route, middleware or flag was registered on Default")
	}
	Default = New(cfg)
}
