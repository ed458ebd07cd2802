package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/wsroute/wsroute/examples/chat/app"
	"github.com/wsroute/wsroute/route"
)

// routes, handler and run are the chat's, from package app.
func routes(reg *route.Registry, log *slog.Logger) { app.Routes(reg, log) }

func handler(reg *route.Registry) http.Handler { return app.Handler(reg) }

func run(ctx context.Context, ln net.Listener, reg *route.Registry, log *slog.Logger) error {
	return app.Run(ctx, ln, reg, log)
}

func main() {
	log := slog.Default()
	if os.Getenv("NATS_URL") != "" || os.Getenv("REDIS_URL") != "" {
		log.Warn("NATS_URL and REDIS_URL are read by examples/chat/node; this command stays one process")
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	ln, err := net.Listen("tcp", "localhost:"+port)
	if err != nil {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, ln, route.New(route.Config{Logger: log}), log); err != nil {
		log.Error("chat", "err", err)
		os.Exit(1)
	}
}
