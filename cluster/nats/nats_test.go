package nats_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/cluster/internal/clustertest"
	wsnats "github.com/wsroute/wsroute/cluster/nats"
	"github.com/wsroute/wsroute/internal/wstest"
)

func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }

// natsServer is an embedded nats-server on a loopback port that stays the same across
// Stop and Start.
type natsServer struct {
	defaults bool // connect with nats.go's default reconnect timing
	mu       sync.Mutex
	port     int
	srv      *server.Server
}

func startNATS(t testing.TB) *natsServer {
	s := &natsServer{port: -1}
	s.Start(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

func (s *natsServer) Start(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: s.port, NoLog: true, NoSigs: true})
	require.NoError(t, err, "nats-server")
	go srv.Start()
	require.True(t, srv.ReadyForConnections(10*time.Second), "nats-server ready")
	s.srv = srv
	s.port = srv.Addr().(*net.TCPAddr).Port
}

func (s *natsServer) Stop(testing.TB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
		s.srv = nil
	}
}

func (s *natsServer) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("nats://127.0.0.1:%d", s.port)
}

// Connect dials with a short reconnect wait, so that the tests measure the adapter and
// not nats.go's default 2 s back-off.
func (s *natsServer) Connect(t testing.TB) cluster.Broker {
	t.Helper()
	opts := []natsgo.Option{natsgo.ReconnectWait(50 * time.Millisecond), natsgo.ReconnectJitter(10*time.Millisecond, 10*time.Millisecond)}
	if s.defaults {
		opts = nil
	}
	b, err := wsnats.Connect(s.URL(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestCrossNode(t *testing.T) { clustertest.CrossNode(t, startNATS(t)) }
func TestInvalid(t *testing.T)   { clustertest.Invalid(t, startNATS(t)) }
func TestRestart(t *testing.T)   { clustertest.Restart(t, startNATS(t)) }
func TestKilled(t *testing.T)    { clustertest.Killed(t, startNATS(t)) }

// With nats.go's own reconnect timing (2 s between attempts), delivery still resumes
// within 5 s.
func TestRestartDefaults(t *testing.T) {
	s := startNATS(t)
	s.defaults = true
	clustertest.Restart(t, s)
}

// stuckLocal blocks its first delivery until released, so that NATS's pending buffer
// of the subscription fills up.
type stuckLocal struct {
	*clustertest.Recorder
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (l *stuckLocal) Deliver(t cluster.Target, m cluster.Mode, p []byte) {
	l.once.Do(func() { close(l.entered); <-l.release })
	l.Recorder.Deliver(t, m, p)
}

// A node whose handler falls behind makes NATS drop messages; the error reaches the
// node's OnError hook instead of being swallowed.
func TestSlowConsumer(t *testing.T) {
	s := startNATS(t)
	a := clustertest.Join(t, s, "A", cluster.Config{})

	nb, err := wsnats.Connect(s.URL())
	require.NoError(t, err)
	defer nb.Close()
	nb.SetPendingLimits(16, 1<<20)
	local := &stuckLocal{Recorder: clustertest.NewRecorder(), entered: make(chan struct{}), release: make(chan struct{})}
	var mu sync.Mutex
	var errs []error
	b, err := cluster.Join(nb, local, cluster.Config{ID: "B", Heartbeat: time.Hour, OnError: func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}})
	require.NoError(t, err)
	defer b.Close(context.Background())

	clustertest.Eventually(t, 10*time.Second, "A sees B", func() bool { return len(a.Node.Peers()) == 1 })
	require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, []byte("first")))
	<-local.entered
	for i := range 200 {
		require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, fmt.Appendf(nil, "m%d", i)))
	}
	clustertest.Eventually(t, 10*time.Second, "B reports a slow consumer", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, err := range errs {
			if errors.Is(err, natsgo.ErrSlowConsumer) {
				return true
			}
		}
		return false
	})
	close(local.release)
	mu.Lock()
	t.Logf("reported: %v", errs[0])
	mu.Unlock()
	// The node goes on: once it has caught up, messages arrive again (probes, since
	// the first ones may still meet a full buffer), and the loss shows in the sequence
	// numbers.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, fmt.Appendf(nil, "after %d", i)))
		if ds := local.Delivered(); len(ds) > 0 && len(ds[len(ds)-1].Payload) > 6 && ds[len(ds)-1].Payload[:6] == "after " {
			break
		}
		require.True(t, time.Now().Before(deadline), "no delivery after the slow consumer caught up")
		time.Sleep(20 * time.Millisecond) // the probe interval
	}
	assert.NotZero(t, b.Stats().Lost, "B counted the dropped envelopes as lost")
}

// New wraps a connection the caller keeps, and the caller's callbacks still run.
func TestNewKeepsCallbacks(t *testing.T) {
	s := startNATS(t)
	disc := make(chan struct{}, 1)
	nc, err := natsgo.Connect(s.URL(), natsgo.ReconnectWait(50*time.Millisecond), natsgo.MaxReconnects(-1),
		natsgo.DisconnectErrHandler(func(*natsgo.Conn, error) {
			select {
			case disc <- struct{}{}:
			default:
			}
		}))
	require.NoError(t, err)
	defer nc.Close()
	b := wsnats.New(nc)
	events := make(chan cluster.Event, 8)
	b.Notify(func(ev cluster.Event) { events <- ev })
	s.Stop(t)
	select {
	case <-disc:
	case <-time.After(10 * time.Second):
		t.Fatal("the caller's disconnect callback did not run")
	}
	ev := <-events
	assert.Equal(t, cluster.Disconnected, ev.Kind)
	s.Start(t)
	select {
	case ev = <-events:
		assert.Equal(t, cluster.Reconnected, ev.Kind)
	case <-time.After(10 * time.Second):
		t.Fatal("no reconnected event")
	}
	require.NoError(t, b.Close())
	assert.True(t, nc.IsConnected(), "Close of a Broker from New leaves the connection open")
}

func BenchmarkThroughput(b *testing.B) { clustertest.Throughput(b, startNATS(b)) }

// A node that starts while the server is away joins anyway, knows it is cut off, and
// joins the cluster when the server comes up, reporting the gap.
func TestStartWhileDown(t *testing.T) {
	s := startNATS(t)
	a := clustertest.Join(t, s, "A", cluster.Config{})
	s.Stop(t)
	clustertest.Eventually(t, 10*time.Second, "A is cut off", func() bool { _, down := a.Node.Down(); return down })
	b := clustertest.Join(t, s, "B", cluster.Config{})
	_, down := b.Node.Down()
	require.True(t, down, "B started without a server")
	s.Start(t)
	clustertest.WaitPeers(t, a, b)
	require.NoError(t, b.Node.Publish(cluster.All(), cluster.ModeText, []byte("hello")))
	a.Local.WaitPayload(t, 10*time.Second, "hello")
	clustertest.Eventually(t, 10*time.Second, "B reports its gap", func() bool { return len(b.Gaps()) == 1 })
	_, down = b.Node.Down()
	assert.False(t, down)
}

func TestRegistries(t *testing.T)     { clustertest.Registries(t, startNATS(t)) }
func TestRegistryOutage(t *testing.T) { clustertest.RegistryOutage(t, startNATS(t)) }

// Credentials are nats.go's own options, passed through: with them a node connects to
// a server that requires a password, without them it is refused.
func TestCredentialsPassThrough(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true, Username: "node", Password: "s3cret"})
	require.NoError(t, err)
	go srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	require.True(t, srv.ReadyForConnections(10*time.Second))
	url := fmt.Sprintf("nats://%s", srv.Addr())

	_, err = wsnats.Connect(url, natsgo.RetryOnFailedConnect(false))
	require.Error(t, err, "no credentials")
	assert.ErrorIs(t, err, natsgo.ErrAuthorization)

	b, err := wsnats.Connect(url, natsgo.UserInfo("node", "s3cret"), natsgo.RetryOnFailedConnect(false))
	require.NoError(t, err, "with credentials")
	assert.True(t, b.Conn().IsConnected())
	require.NoError(t, b.Close())
}
