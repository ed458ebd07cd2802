package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/rueidis"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/cluster/nats"
	"github.com/wsroute/wsroute/cluster/redis"
	"github.com/wsroute/wsroute/examples/chat/app"
	wsprom "github.com/wsroute/wsroute/metrics/prometheus"
	"github.com/wsroute/wsroute/route"
)

// broker connects to the broker the environment names, or returns nil for none.
func broker() (cluster.Broker, error) {
	switch {
	case os.Getenv("NATS_URL") != "" && os.Getenv("REDIS_URL") != "":
		return nil, errors.New("set NATS_URL or REDIS_URL, not both")
	case os.Getenv("NATS_URL") != "":
		return nats.Connect(os.Getenv("NATS_URL"))
	case os.Getenv("REDIS_URL") != "":
		opt, err := rueidis.ParseURL(os.Getenv("REDIS_URL"))
		if err != nil {
			return nil, err
		}
		return redis.Connect(opt)
	}
	return nil, nil
}

func main() {
	log := slog.Default()
	if err := serve(log); err != nil {
		log.Error("chat node", "err", err)
		os.Exit(1)
	}
}

func serve(log *slog.Logger) error {
	b, err := broker()
	if err != nil {
		return err
	}
	metrics := prom.NewRegistry()
	obs := wsprom.New(metrics)
	cfg := route.Config{Logger: log, Observer: obs}
	if b != nil {
		defer b.Close()
		cfg.Broker = b
		cfg.Cluster = cluster.Config{ID: os.Getenv("NODE_ID"), OnGap: obs.Gap}
		if hb := os.Getenv("CLUSTER_HEARTBEAT"); hb != "" {
			if cfg.Cluster.Heartbeat, err = time.ParseDuration(hb); err != nil {
				return err
			}
			cfg.Cluster.PresenceTTL = 4 * cfg.Cluster.Heartbeat
		}
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	ln, err := net.Listen("tcp", "localhost:"+port)
	if err != nil {
		return err
	}
	reg := route.New(cfg)
	if n := reg.Node(); n != nil {
		obs.WatchNode(n)
		log.Info("chat node joined the cluster", "node", n.ID())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return app.Serve(ctx, ln, reg, map[string]http.Handler{
		"GET /metrics": promhttp.HandlerFor(metrics, promhttp.HandlerOpts{}),
	}, log)
}
