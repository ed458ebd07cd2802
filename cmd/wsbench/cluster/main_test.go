package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/internal/wstest"
)

// TestRun keeps the scenario working: a short run on each broker, one node and two,
// where every message reaches every receiver and is timed.
func TestRun(t *testing.T) {
	for _, b := range []string{"nats", "redis"} {
		t.Run(b, func(t *testing.T) {
			if b == "redis" {
				wstest.NeedCommand(t, "redis-server", "apt-get install redis-server")
			}
			connect, stop, err := startBroker(b)
			require.NoError(t, err)
			defer stop()
			p := params{receivers: 20, msgs: 50, size: 64, window: 4}
			for _, c := range [](func() (cluster.Broker, error)){nil, connect} {
				r, err := run(p, c)
				require.NoError(t, err)
				require.Positive(t, r.rate)
				require.Positive(t, r.p99)
				require.LessOrEqual(t, r.p50, r.p99)
			}
		})
	}
}
