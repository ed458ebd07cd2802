package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wsroute/wsroute/cluster"
)

// printLocal stands in for a registry: it prints what other nodes send to its clients.
type printLocal struct {
	node string
	got  chan struct{}
}

func (l printLocal) Deliver(t cluster.Target, mode cluster.Mode, payload []byte) {
	fmt.Printf("%s delivers %q to %v clients (except %v)\n", l.node, payload, t.Kind, t.Except)
	l.got <- struct{}{}
}

func (l printLocal) CloseClient(id string, code uint16, reason string) {
	fmt.Printf("%s closes %s with %d %q\n", l.node, id, code, reason)
	l.got <- struct{}{}
}

func (l printLocal) Presence() cluster.Counts {
	return cluster.Counts{Total: 1, URLs: map[string]int{"/chat/": 1}}
}

// Two nodes on one in-process bus: what node A publishes reaches node B's clients, and
// a close by client id goes to the node that holds the client.
func ExampleJoin() {
	bus := cluster.NewMemoryBus()
	quiet := slog.New(slog.DiscardHandler)

	ba, bb := bus.Connect(), bus.Connect()
	defer ba.Close()
	defer bb.Close()
	la := printLocal{"A", make(chan struct{}, 1)}
	lb := printLocal{"B", make(chan struct{}, 1)}
	a, _ := cluster.Join(ba, la, cluster.Config{ID: "A", Logger: quiet})
	b, _ := cluster.Join(bb, lb, cluster.Config{ID: "B", Logger: quiet})
	defer a.Close(context.Background())
	defer b.Close(context.Background())

	// The sender is A's client "A-1": A writes to its own clients itself, then
	// publishes for the others.
	_ = a.Publish(cluster.All(a.ClientID("1")), cluster.ModeText, []byte(`{"msg":"hello"}`))
	<-lb.got

	// A client id names its node, so the close goes to B only, once A has heard B's
	// first heartbeat.
	for len(a.Peers()) == 0 {
		time.Sleep(time.Millisecond)
	}
	_ = a.CloseClient(b.ClientID("7"), 4000, "kicked")
	<-lb.got
	fmt.Println("clients on the other nodes, seen from A:", a.RemoteURL("/chat/"))
	// Output:
	// B delivers "{\"msg\":\"hello\"}" to broadcast clients (except [A-1])
	// B closes B-7 with 4000 "kicked"
	// clients on the other nodes, seen from A: 1
}
