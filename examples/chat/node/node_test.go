package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
)

// childEnv marks a process that TestChatCluster starts: the test binary running main.
const childEnv = "WSROUTE_CHAT_NODE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startNode runs one chat node in a process of its own with env, and returns its base
// URL once it listens. The process is killed at cleanup.
func startNode(t *testing.T, env ...string) string {
	t.Helper()
	listening := regexp.MustCompile(`chat listening url=(http://\S+)/`)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"=1", "PORT=0", "CLUSTER_HEARTBEAT=100ms"), env...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			go func() {
				for lines.Scan() { // drain the log so that the child never blocks on it
				}
			}()
			return m[1]
		}
	}
	t.Fatal("the node did not start")
	return ""
}

// joined waits for the join of id on c, skipping others': a client may also get the
// join of one that connected just before it, which its node delivered on arrival.
func joined(t *testing.T, c *wstest.Conn, id string) {
	t.Helper()
	for recv(t, c, "join")["id"] != id {
	}
}

// recv returns c's next message of type typ, skipping the joins and leaves of others.
func recv(t *testing.T, c *wstest.Conn, typ string) map[string]any {
	t.Helper()
	for {
		m := c.RecvJSON(t)
		if m["type"] == typ {
			return m
		}
		require.Contains(t, []any{"join", "leave"}, m["type"], "waiting for %s, got %v", typ, m)
	}
}

// TestChatCluster runs three chat nodes and one broker, with a client on each node, and
// checks that joins, messages, directs and leaves cross nodes and that welcome.online
// counts the room on every node.
func TestChatCluster(t *testing.T) {
	t.Run("nats", func(t *testing.T) {
		srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
		require.NoError(t, err)
		srv.Start()
		t.Cleanup(srv.Shutdown)
		require.True(t, srv.ReadyForConnections(wstest.Timeout), "nats-server ready")
		testChatCluster(t, "NATS_URL="+srv.ClientURL())
	})
	t.Run("redis", func(t *testing.T) {
		testChatCluster(t, "REDIS_URL=redis://"+wstest.StartRedis(t)+"/0")
	})
}

func testChatCluster(t *testing.T, brokerEnv string) {
	var bases []string
	for i := range 3 {
		bases = append(bases, startNode(t, brokerEnv, fmt.Sprint("NODE_ID=n", i)))
	}
	dial := func(i int) (*wstest.Conn, string) {
		c := wstest.Dial(t, wstest.WSURL(bases[i], "/chat/lobby/"), wstest.Options{})
		w := recv(t, c, "welcome")
		return c, w["id"].(string)
	}
	a, idA := dial(0)
	b, idB := dial(1)
	joined(t, a, idB) // a join crosses nodes
	c, idC := dial(2)
	joined(t, a, idC)
	joined(t, b, idC)

	a.Send(t, map[string]any{"body": "hello"})
	assert.Equal(t, "ack", recv(t, a, "ack")["type"])
	for _, other := range []*wstest.Conn{b, c} {
		m := recv(t, other, "msg")
		assert.Equal(t, idA, m["from"])
		assert.Equal(t, "hello", m["body"])
	}

	// A direct to a client of another node, once that node is known to the sender's
	// (heartbeats): retried until it arrives, with a generous deadline.
	deadline := time.Now().Add(wstest.Timeout)
	for {
		c.Send(t, map[string]any{"to": idA, "body": "psst"})
		if f, ok := nextWithin(a, 500*time.Millisecond); ok {
			assert.Contains(t, string(f.Data), `"type":"direct"`)
			assert.Contains(t, string(f.Data), `"from":"`+idC+`"`)
			break
		}
		require.True(t, time.Now().Before(deadline), "the direct never crossed nodes")
	}

	// welcome.online is the room's count on every node, from the heartbeats.
	deadline = time.Now().Add(wstest.Timeout)
	for {
		p := wstest.Dial(t, wstest.WSURL(bases[1], "/chat/lobby/"), wstest.Options{})
		online := recv(t, p, "welcome")["online"]
		p.Close(1000, "")
		if online == float64(4) {
			break
		}
		require.True(t, time.Now().Before(deadline), "welcome.online never reached 4 (a, b, c and the probe): %v", online)
	}

	// Every node serves its metrics.
	resp, err := http.Get(bases[0] + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `wsroute_connections{route="SOCKET /chat/{room}/ @json <1MB"} 1`)
	assert.Contains(t, string(body), "wsroute_broker_received_total")

	b.Close(1000, "bye")
	for _, other := range []*wstest.Conn{a, c} {
		for {
			m := recv(t, other, "leave")
			if m["id"] == idB {
				break
			}
		}
	}
}

// nextWithin returns c's next message if one arrives within d.
func nextWithin(c *wstest.Conn, d time.Duration) (wstest.Frame, bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if f, ok := c.TryRecv(); ok {
			return f, true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return wstest.Frame{}, false
}
