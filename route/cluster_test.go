package route_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// clusterNode is one registry of a test cluster, serving on loopback.
type clusterNode struct {
	reg  *route.Registry
	base string
	ids  chan string // the ids of its clients, as they open
}

// newClusterNodes starts n registries joined over one memory bus, each with the same
// chat-like route: a client joins the room of its URL, and its messages say what to send
// where.
func newClusterNodes(t *testing.T, bus *cluster.MemoryBus, n int) []*clusterNode {
	t.Helper()
	nodes := make([]*clusterNode, n)
	for i := range nodes {
		b := bus.Connect()
		t.Cleanup(func() { _ = b.Close() })
		reg := newReg(route.Config{Broker: b, Cluster: cluster.Config{
			ID: fmt.Sprint("node", i), Heartbeat: 50 * time.Millisecond, PresenceTTL: 400 * time.Millisecond,
		}})
		node := &clusterNode{reg: reg, ids: make(chan string, 16)}
		reg.ROUTE("SOCKET /chat/{room}/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				_ = c.Join("room:" + ctl.Param("room"))
				node.ids <- c.ID()
			})
			ctl.OnMessage(func(c *socket.Client, m socket.Message) {
				var in struct{ Op, Arg, Text string }
				require.NoError(t, m.Decode(&in))
				out := map[string]string{"text": in.Text, "from": c.ID()}
				switch in.Op {
				case "send":
					_ = ctl.Send(out)
				case "broadcast":
					_ = ctl.Broadcast(c, out)
				case "to":
					_ = c.To(in.Arg).Send(out)
				case "ctlto":
					_ = ctl.To(in.Arg).Send(out)
				case "all":
					_ = reg.Broadcast(out, nil)
				case "keep":
					_ = reg.Broadcast(out, func(*socket.Client) bool { return true })
				case "direct":
					_ = reg.SendTo(in.Arg, out)
				case "kick":
					_ = reg.CloseClient(in.Arg, 4000, "kicked")
				}
			})
		})
		node.base = serve(t, reg)
		nodes[i] = node
	}
	return nodes
}

func (n *clusterNode) dial(t *testing.T, path string) (*wstest.Conn, string) {
	t.Helper()
	c := wstest.Dial(t, wstest.WSURL(n.base, path), wstest.Options{})
	select {
	case id := <-n.ids:
		return c, id
	case <-time.After(wstest.Timeout):
		t.Fatal("no open")
		return nil, ""
	}
}

func eventually(t *testing.T, cond func() bool, why string) {
	t.Helper()
	deadline := time.Now().Add(wstest.Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(why)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClusterSends runs three registries over one bus, with clients on each, and checks
// that every send naming its target declaratively reaches the matching clients on every
// node, once, and no others.
func TestClusterSends(t *testing.T) {
	nodes := newClusterNodes(t, cluster.NewMemoryBus(), 3)
	a1, a1id := nodes[0].dial(t, "/chat/one/")
	a2, _ := nodes[0].dial(t, "/chat/two/")
	b1, b1id := nodes[1].dial(t, "/chat/one/")
	c1, c1id := nodes[2].dial(t, "/chat/one/")
	c2, _ := nodes[2].dial(t, "/chat/two/")
	all := []*wstest.Conn{a1, a2, b1, c1, c2}
	var closed *wstest.Conn
	assert.True(t, strings.HasPrefix(a1id, "node0-") && strings.HasPrefix(c1id, "node2-"), "ids carry their node")

	// expect checks that the send published by node pub reached want, then that nobody
	// else got it: a marker broadcast by the same node afterwards is everyone's next
	// message, since one node's publishes arrive in publish order.
	marks := 0
	expect := func(t *testing.T, pub int, text string, want ...*wstest.Conn) {
		t.Helper()
		for _, c := range want {
			assert.Equal(t, text, c.RecvJSON(t)["text"], text)
		}
		marks++
		mark := fmt.Sprint("mark ", marks)
		require.NoError(t, nodes[pub].reg.Broadcast(map[string]string{"text": mark}, nil))
		for i, c := range all {
			if c == closed {
				continue
			}
			assert.Equal(t, mark, c.RecvJSON(t)["text"], "%s: client %d got nothing else", text, i)
		}
	}
	a1.Send(t, map[string]string{"op": "send", "text": "ctl.Send"})
	expect(t, 0, "ctl.Send", a1, b1, c1)

	b1.Send(t, map[string]string{"op": "broadcast", "text": "ctl.Broadcast"})
	expect(t, 1, "ctl.Broadcast", a1, c1)

	c2.Send(t, map[string]string{"op": "to", "arg": "room:one", "text": "c.To"})
	expect(t, 2, "c.To", a1, b1, c1)

	a2.Send(t, map[string]string{"op": "ctlto", "arg": "room:two", "text": "ctl.To"})
	expect(t, 0, "ctl.To", a2, c2)

	c1.Send(t, map[string]string{"op": "all", "text": "reg.Broadcast"})
	expect(t, 2, "reg.Broadcast", all...)

	c1.Send(t, map[string]string{"op": "keep", "text": "keep stays local"})
	expect(t, 2, "keep stays local", c1, c2)

	a2.Send(t, map[string]string{"op": "direct", "arg": b1id, "text": "reg.SendTo"})
	expect(t, 0, "reg.SendTo", b1)

	a2.Send(t, map[string]string{"op": "kick", "arg": c1id})
	closed = c1
	code, reason := c1.WaitClosed(t)
	assert.EqualValues(t, 4000, code)
	assert.Equal(t, "kicked", reason)
}

// TestClusterPresence checks the cluster-wide counts kept by heartbeats: a node that
// stops beating drops out of the others' figures.
func TestClusterPresence(t *testing.T) {
	bus := cluster.NewMemoryBus()
	nodes := newClusterNodes(t, bus, 2)
	nodes[0].dial(t, "/chat/one/")
	nodes[1].dial(t, "/chat/one/")
	nodes[1].dial(t, "/chat/two/")
	a := nodes[0].reg
	eventually(t, func() bool { return a.ClusterOnline() == 3 }, "three clients in the cluster")
	assert.Equal(t, 1, a.Online(), "Online is this node's")
	assert.Equal(t, 2, a.ClusterRoomOnline("room:one"))
	ctl := a.Controller("/chat/one/")
	require.NotNil(t, ctl)
	assert.Equal(t, 1, ctl.Online())
	eventually(t, func() bool { return ctl.ClusterOnline() == 2 }, "the URL's clients on both nodes")

	snap := a.Inspect()
	assert.Equal(t, "node0", snap.Node)
	require.Len(t, snap.Nodes, 1)
	assert.Equal(t, "node1", snap.Nodes[0].ID)
	assert.Equal(t, 2, snap.Nodes[0].Online)
	assert.Equal(t, 3, snap.ClusterOnline)

	// The second node stops beating (its broker connection dies with it).
	require.NoError(t, nodes[1].reg.Node().Close(t.Context()))
	eventually(t, func() bool { return a.ClusterOnline() == 1 }, "a node that stops beating drops out")
}
