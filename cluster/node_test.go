package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/cluster/internal/clustertest"
)

// memoryServer runs the shared broker suite on a MemoryBus.
type memoryServer struct{ bus *cluster.MemoryBus }

func (s memoryServer) Connect(t testing.TB) cluster.Broker {
	b := s.bus.Connect()
	t.Cleanup(func() { _ = b.Close() })
	return b
}
func (s memoryServer) Stop(testing.TB)  { s.bus.SetDown(true) }
func (s memoryServer) Start(testing.TB) { s.bus.SetDown(false) }

func newMemory() memoryServer { return memoryServer{cluster.NewMemoryBus()} }

func TestMemoryCrossNode(t *testing.T) { clustertest.CrossNode(t, newMemory()) }
func TestMemoryInvalid(t *testing.T)   { clustertest.Invalid(t, newMemory()) }
func TestMemoryRestart(t *testing.T)   { clustertest.Restart(t, newMemory()) }
func TestMemoryKilled(t *testing.T)    { clustertest.Killed(t, newMemory()) }

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// With the default timing, a node that stops beating leaves the others' counts after
// PresenceTTL (8 s) and before about 10 s, and a node that leaves cleanly drops out at
// once. Fake time: synctest.
func TestPresenceDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := cluster.NewMemoryBus()
		join := func(id string, total int) (*cluster.Node, cluster.Broker) {
			b := bus.Connect()
			l := clustertest.NewRecorder()
			l.SetPresence(cluster.Counts{Total: total, URLs: map[string]int{"/u/": total}})
			n, err := cluster.Join(b, l, cluster.Config{ID: id, Logger: quiet()})
			require.NoError(t, err)
			return n, b
		}
		a, ab := join("A", 1)
		b, bb := join("B", 2)
		c, cb := join("C", 4)
		synctest.Wait()
		require.Equal(t, 6, a.RemoteTotal(), "A counts B and C")
		require.Equal(t, 6, a.RemoteURL("/u/"))

		// C crashes: its connection goes, no leaving heartbeat.
		require.NoError(t, cb.Close())
		killed := time.Now()
		require.NoError(t, c.Close(context.Background()))
		for a.RemoteTotal() != 2 {
			time.Sleep(100 * time.Millisecond)
			require.Less(t, time.Since(killed), 10*time.Second, "C still counted")
		}
		took := time.Since(killed)
		assert.GreaterOrEqual(t, took, 6*time.Second, "C dropped before the TTL")
		assert.LessOrEqual(t, took, 10*time.Second)

		// B leaves cleanly: gone at once.
		require.NoError(t, b.Close(context.Background()))
		synctest.Wait()
		assert.Equal(t, 0, a.RemoteTotal(), "B's leaving heartbeat")
		assert.Empty(t, a.Peers())
		require.NoError(t, bb.Close())
		require.NoError(t, a.Close(context.Background()))
		require.NoError(t, ab.Close())
	})
}

// blockingBroker never answers Publish until its context ends: a broker that hangs.
type blockingBroker struct {
	cluster.Broker
	calls chan struct{}
}

func (b *blockingBroker) Publish(ctx context.Context, _ string, _ []byte) error {
	b.calls <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// A hanging broker never blocks Publish; the outbox keeps the newest envelopes, drops
// the oldest and counts them.
func TestOutboxOverflow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := cluster.NewMemoryBus()
		inner := bus.Connect()
		bb := &blockingBroker{Broker: inner, calls: make(chan struct{}, 1024)}
		n, err := cluster.Join(bb, clustertest.NewRecorder(), cluster.Config{ID: "A", Outbox: 8, Logger: quiet(), Heartbeat: time.Hour})
		require.NoError(t, err)
		<-bb.calls // the first heartbeat is in flight and hangs
		for i := range 100 {
			require.NoError(t, n.Publish(cluster.All(), cluster.ModeText, fmt.Appendf(nil, "%d", i)))
		}
		st := n.Stats()
		assert.Equal(t, uint64(100-8), st.Dropped, "dropped = published - outbox")
		assert.Zero(t, st.Published)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		require.ErrorIs(t, n.Close(ctx), context.DeadlineExceeded, "Close gives up on a hanging broker when ctx ends")
		st = n.Stats()
		assert.Equal(t, uint64(100+2), st.Dropped+st.Failed+st.Published, "every envelope is accounted for (+ the two heartbeats)")
		require.ErrorIs(t, n.Publish(cluster.All(), cluster.ModeText, nil), cluster.ErrClosed)
		require.NoError(t, inner.Close())
	})
}

func TestJoinRefuses(t *testing.T) {
	bus := cluster.NewMemoryBus()
	b := bus.Connect()
	defer b.Close()
	l := clustertest.NewRecorder()
	for _, cfg := range []cluster.Config{{ID: "a-b"}, {ID: "a.b"}, {ID: "x", Prefix: "a.*"}, {ID: "x", Prefix: "a..b"}} {
		_, err := cluster.Join(b, l, cfg)
		assert.Error(t, err, "Join(%+v)", cfg)
	}
	_, err := cluster.Join(nil, l, cluster.Config{})
	assert.Error(t, err)
}

func BenchmarkMemoryThroughput(b *testing.B) { clustertest.Throughput(b, newMemory()) }

func BenchmarkEncodeDecode(b *testing.B) {
	e := cluster.Envelope{Kind: cluster.KindRoom, Origin: "node1", Seq: 12345, Target: cluster.Room("lobby", "node1-abcdefghijklmnop"), Mode: cluster.ModeText, Payload: make([]byte, 128)}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		data, err := cluster.Encode(buf[:0], &e, cluster.DefaultMaxEnvelope)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cluster.Decode(data, cluster.DefaultMaxEnvelope); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMemoryRegistries(t *testing.T)     { clustertest.Registries(t, newMemory()) }
func TestMemoryRegistryOutage(t *testing.T) { clustertest.RegistryOutage(t, newMemory()) }

// A node's envelopes keep it alive in the others' view even when its heartbeats do not
// arrive (lost in its own full outbox, say); once it goes quiet it drops out after the
// TTL. Fake time: synctest.
func TestAnyEnvelopeKeepsAPeerAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := cluster.NewMemoryBus()
		ba, bb := bus.Connect(), bus.Connect()
		// A beats once, at Join, and never again within the test.
		a, err := cluster.Join(ba, clustertest.NewRecorder(), cluster.Config{ID: "A", Logger: quiet(), Heartbeat: time.Hour})
		require.NoError(t, err)
		b, err := cluster.Join(bb, clustertest.NewRecorder(), cluster.Config{ID: "B", Logger: quiet()})
		require.NoError(t, err)
		synctest.Wait()
		require.Len(t, b.Peers(), 1, "B heard A's first heartbeat")
		for range 30 {
			time.Sleep(time.Second)
			require.NoError(t, a.Publish(cluster.All(), cluster.ModeText, []byte("x")))
			synctest.Wait()
		}
		assert.Len(t, b.Peers(), 1, "30 s without a heartbeat, but A's messages keep it alive")
		time.Sleep(10 * time.Second)
		assert.Empty(t, b.Peers(), "A went quiet: dropped after the TTL")
		require.NoError(t, a.Close(context.Background()))
		require.NoError(t, b.Close(context.Background()))
		require.NoError(t, ba.Close())
		require.NoError(t, bb.Close())
	})
}

// logCounter counts the log records at Error.
type logCounter struct {
	slog.Handler
	mu     sync.Mutex
	errors []string
}

func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.mu.Lock()
		h.errors = append(h.errors, r.Message)
		h.mu.Unlock()
	}
	return nil
}
func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler       { return h }

// Two live nodes with one id are a configuration error that would silently lose
// messages; the node that sees a sequence number it never gave out logs it.
func TestDuplicateNodeID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := cluster.NewMemoryBus()
		b1, b2 := bus.Connect(), bus.Connect()
		h := &logCounter{Handler: slog.DiscardHandler}
		n1, err := cluster.Join(b1, clustertest.NewRecorder(), cluster.Config{ID: "web", Logger: slog.New(h)})
		require.NoError(t, err)
		n2, err := cluster.Join(b2, clustertest.NewRecorder(), cluster.Config{ID: "web", Logger: quiet()})
		require.NoError(t, err)
		for range 5 { // n2 gets ahead of n1
			require.NoError(t, n2.Publish(cluster.All(), cluster.ModeText, []byte("x")))
		}
		synctest.Wait()
		h.mu.Lock()
		assert.Contains(t, h.errors, "cluster: another node uses this node's id; both lose each other's messages")
		h.mu.Unlock()
		require.NoError(t, n1.Close(context.Background()))
		require.NoError(t, n2.Close(context.Background()))
		require.NoError(t, b1.Close())
		require.NoError(t, b2.Close())
	})
}
