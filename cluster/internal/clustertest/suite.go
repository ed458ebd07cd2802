package clustertest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
)

// Server is a broker under test: the suite connects nodes to it, stops it and starts it
// again on the same address.
type Server interface {
	// Connect returns a new connection to the broker, closed by the test's cleanup
	// unless the test closes it first.
	Connect(t testing.TB) cluster.Broker
	// Stop makes the broker unreachable; Start brings it back.
	Stop(t testing.TB)
	Start(t testing.TB)
}

// Timing used by the suite: short heartbeats so that presence tests take about a second.
const (
	Heartbeat = 100 * time.Millisecond
	TTL       = time.Second
	// Resume is how soon cross-node delivery must work again after the broker is back.
	Resume = 5 * time.Second
	wait   = 10 * time.Second // generous: the machine is shared and loaded
)

// Member is one node of a test cluster.
type Member struct {
	Node   *cluster.Node
	Local  *Recorder
	Broker cluster.Broker

	mu   sync.Mutex
	gaps []cluster.Gap
	errs []error
}

// Gaps returns the gaps the node reported.
func (m *Member) Gaps() []cluster.Gap {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]cluster.Gap(nil), m.gaps...)
}

// Errors returns the broker errors the node reported.
func (m *Member) Errors() []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]error(nil), m.errs...)
}

// Join connects a node with id to s. The test's cleanup closes the node, then the
// broker. cfg's ID, Heartbeat, PresenceTTL, OnGap and OnError are set here.
func Join(t testing.TB, s Server, id string, cfg cluster.Config) *Member {
	t.Helper()
	m := &Member{Local: NewRecorder(), Broker: s.Connect(t)}
	cfg.ID = id
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = Heartbeat
	}
	if cfg.PresenceTTL == 0 {
		cfg.PresenceTTL = TTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	cfg.OnGap = func(g cluster.Gap) { m.mu.Lock(); m.gaps = append(m.gaps, g); m.mu.Unlock() }
	cfg.OnError = func(err error) { m.mu.Lock(); m.errs = append(m.errs, err); m.mu.Unlock() }
	n, err := cluster.Join(m.Broker, m.Local, cfg)
	require.NoError(t, err, "Join(%s)", id)
	m.Node = n
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = n.Close(ctx)
		_ = m.Broker.Close()
	})
	return m
}

// WaitPeers waits until every member has heard from all the others.
func WaitPeers(t testing.TB, ms ...*Member) {
	t.Helper()
	for _, m := range ms {
		Eventually(t, wait, fmt.Sprintf("%s sees %d peers", m.Node.ID(), len(ms)-1), func() bool {
			return len(m.Node.Peers()) == len(ms)-1
		})
	}
}

// CrossNode checks that every kind of send made on one node reaches the others, in
// order, and that a node never gets its own echo or sends meant for other nodes.
func CrossNode(t *testing.T, s Server) {
	a := Join(t, s, "A", cluster.Config{})
	b := Join(t, s, "B", cluster.Config{})
	c := Join(t, s, "C", cluster.Config{})
	WaitPeers(t, a, b, c)

	require.NoError(t, a.Node.Publish(cluster.All("A-sender"), cluster.ModeText, []byte("all")))
	for _, m := range []*Member{b, c} {
		d := m.Local.WaitPayload(t, wait, "all")
		assert.Equal(t, cluster.All("A-sender"), d.Target, "broadcast target on %s", m.Node.ID())
		assert.Equal(t, cluster.ModeText, d.Mode)
	}

	require.NoError(t, a.Node.Publish(cluster.URL("/chat/lobby/"), cluster.ModeBinary, []byte{0, 1, 2}))
	require.NoError(t, a.Node.Publish(cluster.Room("games", "A-1"), cluster.ModeText, []byte("room")))
	for _, m := range []*Member{b, c} {
		d := m.Local.WaitPayload(t, wait, "\x00\x01\x02")
		assert.Equal(t, cluster.URL("/chat/lobby/"), d.Target)
		assert.Equal(t, cluster.ModeBinary, d.Mode)
		d = m.Local.WaitPayload(t, wait, "room")
		assert.Equal(t, cluster.Room("games", "A-1"), d.Target)
	}

	assert.True(t, a.Node.Reachable("B-b1"), "B is live")
	assert.False(t, a.Node.Reachable("A-a1"), "A's own client is not another node's")
	assert.False(t, a.Node.Reachable("ghost-1"), "no node ghost")
	assert.False(t, a.Node.Reachable("bad"), "no node part")

	// One send to ids on three nodes: each remote node gets its own ids only, once.
	require.NoError(t, a.Node.Publish(cluster.IDs("B-b1", "A-a1", "C-c1", "B-b2"), cluster.ModeText, []byte("direct")))
	assert.Equal(t, cluster.IDs("B-b1", "B-b2"), b.Local.WaitPayload(t, wait, "direct").Target)
	assert.Equal(t, cluster.IDs("C-c1"), c.Local.WaitPayload(t, wait, "direct").Target)

	require.NoError(t, b.Node.CloseClient("C-c1", 4000, "kicked"))
	c.Local.WaitFor(t, wait, "C closes C-c1", func(_ []Delivery, cs []Closed) bool { return len(cs) == 1 })
	assert.Equal(t, []Closed{{"C-c1", 4000, "kicked"}}, c.Local.Closes())

	// Publish order per publishing node is kept.
	const n = 500
	for i := range n {
		require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, fmt.Appendf(nil, "seq %d", i)))
	}
	for _, m := range []*Member{b, c} {
		m.Local.WaitPayload(t, wait, fmt.Sprintf("seq %d", n-1))
		var got []string
		for _, d := range m.Local.Delivered() {
			if len(d.Payload) > 4 && d.Payload[:4] == "seq " {
				got = append(got, d.Payload)
			}
		}
		require.Len(t, got, n, "%s got every message", m.Node.ID())
		for i, p := range got {
			require.Equal(t, fmt.Sprintf("seq %d", i), p, "%s: message %d in order", m.Node.ID(), i)
		}
	}

	// The publisher never delivers its own echo, and closes/directs meant for others
	// never reach it.
	assert.Empty(t, a.Local.Delivered(), "A got its own echo")
	assert.Empty(t, a.Local.Closes())
	assert.Empty(t, b.Local.Closes())

	// Bad ids: the valid ones still go, the error names the bad one; an id of a node
	// never heard from is skipped; nothing a client sends as an id can name a subject
	// outside the node scheme.
	err := a.Node.Publish(cluster.IDs("ghost-1", "x.y-1", "C-c2"), cluster.ModeText, []byte("bad ids"))
	require.ErrorIs(t, err, cluster.ErrBadID)
	assert.Equal(t, cluster.IDs("C-c2"), c.Local.WaitPayload(t, wait, "bad ids").Target)

	// Presence sums the others' heartbeats.
	a.Local.SetPresence(cluster.Counts{Total: 3, URLs: map[string]int{"/chat/lobby/": 2, "/x/": 1}, Rooms: map[string]int{"games": 1}})
	b.Local.SetPresence(cluster.Counts{Total: 2, URLs: map[string]int{"/chat/lobby/": 2}, Rooms: map[string]int{"games": 2}})
	Eventually(t, wait, "C sums A and B", func() bool {
		return c.Node.RemoteTotal() == 5 && c.Node.RemoteURL("/chat/lobby/") == 4 && c.Node.RemoteRoom("games") == 3 && c.Node.RemoteURL("/x/") == 1
	})
	Eventually(t, wait, "A counts B only", func() bool { return a.Node.RemoteTotal() == 2 && a.Node.RemoteRoom("games") == 2 })
}

// Invalid checks that garbage published on the cluster's subjects is dropped and
// counted, and that the node goes on working.
func Invalid(t *testing.T, s Server) {
	a := Join(t, s, "A", cluster.Config{})
	b := Join(t, s, "B", cluster.Config{MaxEnvelope: 1024})
	WaitPeers(t, a, b)
	raw := s.Connect(t)
	t.Cleanup(func() { _ = raw.Close() })
	ctx := t.Context()
	good, err := cluster.Encode(nil, &cluster.Envelope{Kind: cluster.KindBroadcast, Origin: "Z", Seq: 1, Target: cluster.All(), Mode: cluster.ModeText, Payload: []byte("x")}, 1<<20)
	require.NoError(t, err)
	bad := [][]byte{
		nil,
		[]byte("hello"),
		append([]byte{9}, good[1:]...), // version 9
		good[:len(good)-3],             // truncated
		append(good[:0:0], make([]byte, 2000)...), // over B's cap
	}
	for _, p := range bad {
		require.NoError(t, raw.Publish(ctx, cluster.SubjectAll(cluster.DefaultPrefix), p))
	}
	// A heartbeat on a node subject is refused too.
	hb, err := cluster.Encode(nil, &cluster.Envelope{Kind: cluster.KindHeartbeat, Origin: "Z", Seq: 1, Counts: cluster.Counts{Total: 100}}, 1<<20)
	require.NoError(t, err)
	require.NoError(t, raw.Publish(ctx, cluster.SubjectNode(cluster.DefaultPrefix, "B"), hb))
	require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, []byte("after")))
	b.Local.WaitPayload(t, wait, "after")
	// The refused heartbeat came on another subject: no order with "after".
	Eventually(t, wait, "B counts every invalid envelope", func() bool { return b.Node.Stats().Invalid == uint64(len(bad)+1) })
	assert.Equal(t, 0, b.Node.RemoteTotal(), "the refused heartbeat counted nothing")
}

// Restart checks the broker going away and coming back: publishing never blocks and
// stays bounded, both nodes report the gap, and delivery resumes within Resume.
func Restart(t *testing.T, s Server) {
	const outbox = 64
	a := Join(t, s, "A", cluster.Config{Outbox: outbox, PublishTimeout: 200 * time.Millisecond})
	b := Join(t, s, "B", cluster.Config{Outbox: outbox, PublishTimeout: 200 * time.Millisecond})
	WaitPeers(t, a, b)
	require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, []byte("before")))
	b.Local.WaitPayload(t, wait, "before")

	stopped := time.Now()
	s.Stop(t)
	// While the broker is away, publishing returns at once and memory stays bounded:
	// every envelope is sent, dropped (outbox full) or failed, none piles up.
	const burst = 20 * outbox
	start := time.Now()
	for i := range burst {
		require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, fmt.Appendf(nil, "during %d", i)))
	}
	assert.Less(t, time.Since(start), time.Second, "publishing %d envelopes with the broker down", burst)
	Eventually(t, wait, "A's outbox drains or drops", func() bool {
		st := a.Node.Stats()
		return st.Dropped > 0 || st.Failed > 0
	})

	Eventually(t, wait, "A knows the broker is down", func() bool { _, down := a.Node.Down(); return down })
	s.Start(t)
	started := time.Now()
	// Probe until B gets one: the time from the restart to the first delivery is the
	// resume time.
	var got Delivery
	deadline := time.Now().Add(Resume + 5*time.Second)
	for i := 0; ; i++ {
		p := fmt.Sprintf("probe %d", i)
		require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, []byte(p)))
		if ds := b.Local.Delivered(); len(ds) > 0 && len(ds[len(ds)-1].Payload) > 6 && ds[len(ds)-1].Payload[:6] == "probe " {
			got = ds[len(ds)-1]
			break
		}
		require.True(t, time.Now().Before(deadline), "no cross-node delivery %v after the broker came back", time.Since(started))
		time.Sleep(50 * time.Millisecond) // the probe interval
	}
	resumed := time.Since(started)
	t.Logf("cross-node delivery resumed %v after the broker restarted (%s)", resumed, got.Payload)
	assert.LessOrEqual(t, resumed, Resume, "resume time")

	for _, m := range []*Member{a, b} {
		Eventually(t, wait, m.Node.ID()+" reports the gap", func() bool { return len(m.Gaps()) > 0 })
		g := m.Gaps()[0]
		assert.False(t, g.From.Before(stopped.Add(-time.Second)), "%s: gap from %v, broker stopped at %v", m.Node.ID(), g.From, stopped)
		assert.True(t, g.To.After(g.From), "%s: gap %v..%v", m.Node.ID(), g.From, g.To)
	}
	// And presence recovers: both nodes see each other again.
	WaitPeers(t, a, b)
	_, down := a.Node.Down()
	assert.False(t, down, "A knows the broker is back")
}

// Killed checks that a node that dies without a word drops out of the others' counts
// within TTL plus a heartbeat.
func Killed(t *testing.T, s Server) {
	a := Join(t, s, "A", cluster.Config{})
	b := Join(t, s, "B", cluster.Config{})
	c := Join(t, s, "C", cluster.Config{})
	c.Local.SetPresence(cluster.Counts{Total: 7, URLs: map[string]int{"/u/": 7}, Rooms: map[string]int{"r": 7}})
	b.Local.SetPresence(cluster.Counts{Total: 1})
	WaitPeers(t, a, b, c)
	Eventually(t, wait, "A counts C", func() bool { return a.Node.RemoteTotal() == 8 })

	// A crash: the connection goes first, so the leaving heartbeat of Close never
	// reaches anyone.
	killed := time.Now()
	require.NoError(t, c.Broker.Close())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Node.Close(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("closing the killed node: %v", err)
	}
	for _, m := range []*Member{a, b} {
		Eventually(t, TTL+wait, m.Node.ID()+" drops C", func() bool {
			return m.Node.RemoteURL("/u/") == 0 && m.Node.RemoteRoom("r") == 0 && len(m.Node.Peers()) == 1
		})
	}
	took := time.Since(killed)
	t.Logf("the killed node left the counts after %v (TTL %v)", took, TTL)
	assert.GreaterOrEqual(t, took, TTL-Heartbeat, "dropped before its TTL")
	assert.Equal(t, 1, a.Node.RemoteTotal(), "A still counts B")
}

// counter is a Local that counts deliveries and signals when it reaches want.
type counter struct {
	mu   sync.Mutex
	n    int
	want int
	done chan struct{}
}

func (c *counter) Deliver(cluster.Target, cluster.Mode, []byte) {
	c.mu.Lock()
	c.n++
	if c.n == c.want {
		close(c.done)
	}
	c.mu.Unlock()
}
func (c *counter) CloseClient(string, uint16, string) {}
func (c *counter) Presence() cluster.Counts           { return cluster.Counts{} }

// Throughput measures cross-node deliveries: node A publishes b.N broadcasts of 64
// bytes, and the benchmark ends when node B has delivered them all. It reports
// deliveries per second and the share lost (a full outbox or a slow consumer).
func Throughput(b *testing.B, s Server) {
	ba, bb := s.Connect(b), s.Connect(b)
	quiet := slog.New(slog.DiscardHandler)
	recv := &counter{want: b.N, done: make(chan struct{})}
	na, err := cluster.Join(ba, NewRecorder(), cluster.Config{ID: "A", Logger: quiet, Outbox: 1 << 16})
	require.NoError(b, err)
	nb, err := cluster.Join(bb, recv, cluster.Config{ID: "B", Logger: quiet})
	require.NoError(b, err)
	defer nb.Close(context.Background())
	defer na.Close(context.Background())
	// Wait until B's subscription is live: A hears B's heartbeat after B subscribed.
	Eventually(b, wait, "A sees B", func() bool { return len(na.Peers()) == 1 })
	payload := make([]byte, 64)
	b.ResetTimer()
	start := time.Now()
	const window = 1 << 14 // keep the outbox (1<<16) from overflowing: a sustained rate, not a burst
	for i := range b.N {
		if err := na.Publish(cluster.All(), cluster.ModeBinary, payload); err != nil {
			b.Fatal(err)
		}
		for i%256 == 0 {
			st := na.Stats()
			if int64(i)-int64(st.Published+st.Dropped+st.Failed) < window { // heartbeats count as done too
				break
			}
			time.Sleep(50 * time.Microsecond) // pacing
		}
	}
	select {
	case <-recv.done:
	case <-time.After(30 * time.Second):
	}
	elapsed := time.Since(start)
	b.StopTimer()
	recv.mu.Lock()
	got := recv.n
	recv.mu.Unlock()
	b.ReportMetric(float64(got)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(b.N-got)/float64(b.N), "lost/op")
}
