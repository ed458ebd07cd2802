package main

import (
	"encoding/json"
	"net/http"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// wsrouteServer does the benchmark's jobs the way a wsroute user writes them: one route
// per job, handlers on the controller, broadcasts through Controller.Send.
type wsrouteServer struct {
	reg *route.Registry
}

func newWsrouteServer(o serverOptions) *wsrouteServer {
	reg := route.New(route.Config{
		Logger:         o.Logger,
		ReadBufferSize: o.ReadBufferSize,
		Observer:       o.Observer,
	})
	hello := func(c *socket.Client) { _ = c.Send(json.RawMessage(helloMsg)) }

	reg.ROUTE("SOCKET "+pathEcho+" @json <1MB", func(ctl *controller.Controller) {
		ctl.OnOpen(hello)
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = c.Send(json.RawMessage(m.Bytes())) // Send copies what it keeps
		})
	})
	reg.ROUTE("SOCKET "+pathBcast+" @json", func(ctl *controller.Controller) {
		ctl.OnOpen(hello)
	})
	reg.ROUTE("SOCKET "+pathPub+" @json <1MB", func(ctl *controller.Controller) {
		ctl.OnOpen(hello)
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			if receivers := reg.Controller(pathBcast); receivers != nil {
				_ = receivers.Send(json.RawMessage(m.Bytes()))
			}
		})
	})
	reg.ROUTE("SOCKET "+pathIdle+" @json", func(ctl *controller.Controller) {
		ctl.OnOpen(hello)
	})
	reg.ROUTE("SOCKET "+pathChurn+" @json", func(ctl *controller.Controller) {
		ctl.OnOpen(hello)
	})
	return &wsrouteServer{reg: reg}
}

func (s *wsrouteServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.reg.ServeHTTP(w, r) }

func (s *wsrouteServer) Online() int { return s.reg.Online() }
