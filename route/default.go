package route

import "github.com/wsroute/wsroute/controller"

// Default is the registry used by ROUTE, as http.DefaultServeMux is by http.Handle.
var Default = New(Config{})

// ROUTE registers setup for the route string on Default and panics if that fails, with an
// error naming the caller's file and line. Serve Default with
// http.ListenAndServe(":8000", route.Default). The all-caps name breaks Go's naming habit
// on purpose: it is the one exception, so that the line reads as it does in Total.js.
func ROUTE(route string, setup func(ctl *controller.Controller)) {
	if err := Default.register(route, setup, callerSite(1)); err != nil {
		panic(err)
	}
}
