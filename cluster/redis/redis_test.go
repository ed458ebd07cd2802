package redis_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/cluster/internal/clustertest"
	wsredis "github.com/wsroute/wsroute/cluster/redis"
	"github.com/wsroute/wsroute/internal/wstest"
)

func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }

// redisServer is a redis-server process on a loopback port that stays the same across
// Stop and Start; nothing is saved to disk.
type redisServer struct {
	path string
	port int
	dir  string

	mu  sync.Mutex
	cmd *exec.Cmd
}

func startRedis(t testing.TB) *redisServer {
	t.Helper()
	path := wstest.NeedCommand(t, "redis-server", "apt-get install redis-server")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	s := &redisServer{path: path, port: port, dir: t.TempDir()}
	s.Start(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

func (s *redisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *redisServer) Start(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.path, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir, "--logfile", "")
	require.NoError(t, cmd.Start(), "redis-server")
	s.cmd = cmd
	// Ready when it answers PING.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := c.Read(buf)
			_ = c.Close()
			if string(buf[:n]) == "+PONG\r\n" {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "redis-server on %s not ready: %v", s.Addr(), err)
		time.Sleep(20 * time.Millisecond) // polling a process that has no ready signal
	}
}

// Stop kills the server outright, as a crash would.
func (s *redisServer) Stop(testing.TB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

func (s *redisServer) Connect(t testing.TB) cluster.Broker {
	t.Helper()
	b, err := wsredis.Connect(rueidis.ClientOption{InitAddress: []string{s.Addr()}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestCrossNode(t *testing.T) { clustertest.CrossNode(t, startRedis(t)) }
func TestInvalid(t *testing.T)   { clustertest.Invalid(t, startRedis(t)) }
func TestRestart(t *testing.T)   { clustertest.Restart(t, startRedis(t)) }
func TestKilled(t *testing.T)    { clustertest.Killed(t, startRedis(t)) }

// Many envelopes published back to back, from a node whose outbox drains them in
// batches, arrive in order: the point of a single ordered publisher.
func TestOrderUnderLoad(t *testing.T) {
	s := startRedis(t)
	a := clustertest.Join(t, s, "A", cluster.Config{Outbox: 1 << 15})
	b := clustertest.Join(t, s, "B", cluster.Config{})
	clustertest.WaitPeers(t, a, b)
	const n = 5000
	for i := range n {
		require.NoError(t, a.Node.Publish(cluster.All(), cluster.ModeText, []byte(strconv.Itoa(i))))
	}
	b.Local.WaitPayload(t, 30*time.Second, strconv.Itoa(n-1))
	got := b.Local.Delivered()
	require.Len(t, got, n, "every envelope arrived")
	for i, d := range got {
		require.Equal(t, strconv.Itoa(i), d.Payload, "envelope %d in order", i)
	}
	assert.Zero(t, b.Node.Stats().Lost)
}

// A Broker made with New leaves the caller's client open.
func TestNewLeavesClientOpen(t *testing.T) {
	s := startRedis(t)
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{s.Addr()}, DisableCache: true})
	require.NoError(t, err)
	defer c.Close()
	b := wsredis.New(c)
	got := make(chan []byte, 1)
	require.NoError(t, b.Subscribe("t.x", func(p []byte) { got <- p }))
	require.Eventually(t, func() bool {
		require.NoError(t, b.Publish(context.Background(), "t.x", []byte("hi")))
		select {
		case p := <-got:
			return string(p) == "hi"
		case <-time.After(100 * time.Millisecond):
			return false
		}
	}, 10*time.Second, 10*time.Millisecond, "a message on t.x")
	require.NoError(t, b.Close())
	assert.NoError(t, c.Do(context.Background(), c.B().Ping().Build()).Error(), "the client still works")
	assert.Error(t, b.Subscribe("t.y", func([]byte) {}), "Subscribe after Close")
}

func BenchmarkThroughput(b *testing.B) { clustertest.Throughput(b, startRedis(b)) }

func TestRegistries(t *testing.T)     { clustertest.Registries(t, startRedis(t)) }
func TestRegistryOutage(t *testing.T) { clustertest.RegistryOutage(t, startRedis(t)) }

// Credentials are rueidis's own options, passed through: with the password a node
// connects to a server that requires one, without it Connect fails.
func TestCredentialsPassThrough(t *testing.T) {
	path := wstest.NeedCommand(t, "redis-server", "apt-get install redis-server")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	cmd := exec.Command(path, "--port", strconv.Itoa(l.Addr().(*net.TCPAddr).Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--requirepass", "s3cret")
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	var b *wsredis.Broker
	require.Eventually(t, func() bool {
		b, err = wsredis.Connect(rueidis.ClientOption{InitAddress: []string{addr}, Password: "s3cret"})
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "connect with the password: %v", err)
	require.NoError(t, b.Publish(context.Background(), "t", []byte("x")))
	require.NoError(t, b.Close())

	_, err = wsredis.Connect(rueidis.ClientOption{InitAddress: []string{addr}})
	require.Error(t, err, "no password")
	assert.Contains(t, err.Error(), "NOAUTH")
}
