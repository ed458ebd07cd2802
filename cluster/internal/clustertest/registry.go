package clustertest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
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

// regNode is one registry of a test cluster, serving on loopback.
type regNode struct {
	reg  *route.Registry
	base string
	ids  chan string // its clients' ids, as they open
}

// startRegistries starts n registries on s, each with one route: a client joins the
// room of its URL, and each of its messages names a send to make.
func startRegistries(t *testing.T, s Server, n int) []*regNode {
	t.Helper()
	nodes := make([]*regNode, n)
	for i := range nodes {
		node := &regNode{ids: make(chan string, 16)}
		reg := route.New(route.Config{
			Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
			Broker: s.Connect(t),
			Cluster: cluster.Config{ID: fmt.Sprint("reg", i), Heartbeat: Heartbeat, PresenceTTL: TTL,
				PublishTimeout: 200 * time.Millisecond},
		})
		reg.ROUTE("SOCKET /chat/{room}/", func(ctl *controller.Controller) {
			ctl.OnOpen(func(c *socket.Client) {
				_ = c.Join("room:" + ctl.Param("room"))
				node.ids <- c.ID()
			})
			ctl.OnMessage(func(c *socket.Client, m socket.Message) {
				var in struct{ Op, Arg, Text string }
				if m.Decode(&in) != nil {
					return
				}
				out := map[string]string{"text": in.Text}
				switch in.Op {
				case "send":
					_ = ctl.Send(out)
				case "broadcast":
					_ = ctl.Broadcast(c, out)
				case "room":
					_ = c.To(in.Arg).Send(out)
				case "ctlto":
					_ = ctl.To(in.Arg).Send(out) // the room's members on this URL only
				case "keep":
					_ = reg.SendFunc(out, func(*socket.Client) bool { return true }) // a closure: this node only
				case "all":
					_ = reg.Send(out)
				case "direct":
					_ = reg.SendTo(in.Arg, out)
				case "kick":
					_ = reg.CloseClient(in.Arg, 4000, "kicked")
				}
			})
		})
		srv := httptest.NewServer(reg)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			assert.NoError(t, reg.Shutdown(ctx))
			srv.Close()
		})
		node.reg, node.base = reg, srv.URL
		nodes[i] = node
	}
	return nodes
}

func (n *regNode) dial(t *testing.T, path string) (*wstest.Conn, string) {
	t.Helper()
	c := wstest.Dial(t, wstest.WSURL(n.base, path), wstest.Options{})
	select {
	case id := <-n.ids:
		return c, id
	case <-time.After(wait):
		t.Fatal("no open")
		return nil, ""
	}
}

// recvText waits for a message whose text is want, skipping others (messages a broker
// buffered through an outage, say); it fails after wait.
func recvText(t *testing.T, c *wstest.Conn, want string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if f, ok := c.TryRecv(); ok {
			if strings.Contains(string(f.Data), `"`+want+`"`) {
				return
			}
			continue
		}
		time.Sleep(5 * time.Millisecond) // polling the client's queue
	}
	t.Fatalf("no message %q within %v", want, wait)
}

// Registries runs three registries on s, with clients on each, and checks that the
// registry's declarative sends and closes reach the clients of the other nodes, and that
// presence adds up.
func Registries(t *testing.T, s Server) {
	nodes := startRegistries(t, s, 3)
	a1, a1id := nodes[0].dial(t, "/chat/one/")
	b1, b1id := nodes[1].dial(t, "/chat/one/")
	b2, _ := nodes[1].dial(t, "/chat/two/")
	c1, c1id := nodes[2].dial(t, "/chat/one/")
	assert.True(t, strings.HasPrefix(a1id, "reg0-") && strings.HasPrefix(c1id, "reg2-"), "client ids carry their node: %s %s", a1id, c1id)
	for _, n := range nodes {
		Eventually(t, wait, "every node sees the others", func() bool { return len(n.reg.Node().Peers()) == 2 })
	}
	Eventually(t, wait, "the cluster counts four clients", func() bool { return nodes[0].reg.ClusterOnline() == 4 })
	assert.Equal(t, 1, nodes[0].reg.Online(), "Online is this node's")
	Eventually(t, wait, "room:one on three nodes", func() bool { return nodes[2].reg.ClusterRoomOnline("room:one") == 3 })
	ctl := nodes[0].reg.Controller("/chat/one/")
	require.NotNil(t, ctl)
	assert.Equal(t, 1, ctl.Online())
	Eventually(t, wait, "the URL's clients on every node", func() bool { return ctl.ClusterOnline() == 3 })
	snap := nodes[0].reg.Inspect()
	assert.Equal(t, "reg0", snap.Node)
	require.Len(t, snap.Nodes, 2, "Inspect lists the other nodes")
	assert.Equal(t, 4, snap.ClusterOnline)

	// Each step waits for its recipients before the next, so every client's next
	// message is known: a message to the wrong client shows as a mismatch.
	expect := func(text string, cs ...*wstest.Conn) {
		t.Helper()
		for _, c := range cs {
			assert.Contains(t, string(c.Recv(t).Data), `"`+text+`"`, "the next message of a recipient of %s", text)
		}
	}
	a1.Send(t, map[string]string{"op": "send", "text": "ctl.Send"})
	expect("ctl.Send", a1, b1, c1)
	b1.Send(t, map[string]string{"op": "broadcast", "text": "ctl.Broadcast"})
	expect("ctl.Broadcast", a1, c1)
	c1.Send(t, map[string]string{"op": "room", "arg": "room:two", "text": "To(room)"})
	expect("To(room)", b2)
	c1.Send(t, map[string]string{"op": "all", "text": "reg.Broadcast"})
	expect("reg.Broadcast", a1, b1, b2, c1)
	a1.Send(t, map[string]string{"op": "direct", "arg": b1id, "text": "SendTo"})
	expect("SendTo", b1)
	// Nobody got anything else: a last broadcast is everyone's next message.
	b1.Send(t, map[string]string{"op": "all", "text": "mark"})
	expect("mark", a1, b1, b2, c1)

	// A controller's room is narrowed to its URL on every node: b2, on /chat/two/, reaches
	// none of room:one's members, who are all on /chat/one/. A broadcast b2 publishes
	// next, through the same node, is everyone's next message.
	b2.Send(t, map[string]string{"op": "ctlto", "arg": "room:one", "text": "ctl.To"})
	b2.Send(t, map[string]string{"op": "all", "text": "mark 2"})
	expect("mark 2", a1, b1, b2, c1)

	// A send with a keep closure stays on its node: c1 is node 2's only client.
	c1.Send(t, map[string]string{"op": "keep", "text": "keep"})
	expect("keep", c1)
	c1.Send(t, map[string]string{"op": "all", "text": "mark 3"})
	expect("mark 3", a1, b1, b2, c1)

	a1.Send(t, map[string]string{"op": "kick", "arg": c1id})
	code, reason := c1.WaitClosed(t)
	assert.EqualValues(t, 4000, code)
	assert.Equal(t, "kicked", reason)
}

// RegistryOutage stops the broker under two registries: local sends go on, and once
// the broker is back, sends cross nodes again.
func RegistryOutage(t *testing.T, s Server) {
	nodes := startRegistries(t, s, 2)
	a1, _ := nodes[0].dial(t, "/chat/one/")
	a2, _ := nodes[0].dial(t, "/chat/one/")
	b1, _ := nodes[1].dial(t, "/chat/one/")
	Eventually(t, wait, "the nodes see each other", func() bool { return nodes[0].reg.ClusterOnline() == 3 })
	a1.Send(t, map[string]string{"op": "send", "text": "before"})
	recvText(t, b1, "before")

	s.Stop(t)
	Eventually(t, wait, "node 0 knows the broker is down", func() bool { _, down := nodes[0].reg.Node().Down(); return down })
	for i := range 50 {
		text := fmt.Sprint("local ", i)
		a1.Send(t, map[string]string{"op": "send", "text": text})
		recvText(t, a1, text)
		recvText(t, a2, text)
	}

	s.Start(t)
	deadline := time.Now().Add(Resume + wait)
	for i := 0; ; i++ {
		text := fmt.Sprint("after ", i)
		a1.Send(t, map[string]string{"op": "send", "text": text})
		recvText(t, a2, text)
		if f, ok := b1.TryRecv(); ok && strings.Contains(string(f.Data), `"after `) {
			break
		}
		require.True(t, time.Now().Before(deadline), "no cross-node delivery after the broker came back")
		time.Sleep(50 * time.Millisecond) // the probe interval
	}
}
