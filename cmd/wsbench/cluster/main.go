package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/redis/rueidis"

	"github.com/wsroute/wsroute/cluster"
	wsnats "github.com/wsroute/wsroute/cluster/nats"
	wsredis "github.com/wsroute/wsroute/cluster/redis"
	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

func main() {
	brokers := flag.String("brokers", "nats,redis", "brokers to measure: nats, redis")
	receivers := flag.Int("receivers", 1000, "receivers, split evenly across the nodes")
	msgs := flag.Int("msgs", 2000, "messages published")
	size := flag.Int("size", 64, "message size in bytes (at least 48)")
	window := flag.Int("window", 8, "messages in flight at most (published, not yet received by every receiver)")
	runs := flag.Int("runs", 3, "runs of each setup; the report gives the median")
	flag.Parse()
	p := params{receivers: *receivers, msgs: *msgs, size: max(*size, 48), window: *window}
	fmt.Printf("cluster broadcast: %d receivers, %d messages of %d B, window %d, median of %d runs\n\n",
		p.receivers, p.msgs, p.size, p.window, *runs)
	fmt.Println("| broker | setup | deliveries/s | p50 (µs) | p99 (µs) | ratio to one node |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, b := range strings.Split(*brokers, ",") {
		if err := measure(b, p, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "cluster:", b+":", err)
			os.Exit(1)
		}
	}
}

type params struct{ receivers, msgs, size, window int }

type result struct {
	rate     float64
	p50, p99 time.Duration
}

// measure runs one node and two nodes over broker b, alternately, runs times each.
func measure(b string, p params, runs int) error {
	connect, stop, err := startBroker(b)
	if err != nil {
		return err
	}
	defer stop()
	var one, two []result
	for range runs {
		r1, err := run(p, nil)
		if err != nil {
			return fmt.Errorf("one node: %w", err)
		}
		one = append(one, r1)
		r2, err := run(p, connect)
		if err != nil {
			return fmt.Errorf("two nodes: %w", err)
		}
		two = append(two, r2)
	}
	m1, m2 := median(one), median(two)
	fmt.Printf("| %s | one node | %.0f | %d | %d | |\n", b, m1.rate, m1.p50.Microseconds(), m1.p99.Microseconds())
	fmt.Printf("| %s | two nodes | %.0f | %d | %d | %.2f× |\n", b, m2.rate, m2.p50.Microseconds(), m2.p99.Microseconds(), m2.rate/m1.rate)
	return nil
}

func median(rs []result) result {
	slices.SortFunc(rs, func(a, b result) int { return int(a.rate - b.rate) })
	return rs[len(rs)/2]
}

// startBroker starts broker b on loopback and returns how to connect to it.
func startBroker(b string) (func() (cluster.Broker, error), func(), error) {
	switch b {
	case "nats":
		srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
		if err != nil {
			return nil, nil, err
		}
		srv.Start()
		if !srv.ReadyForConnections(10 * time.Second) {
			return nil, nil, fmt.Errorf("nats-server not ready")
		}
		return func() (cluster.Broker, error) { return wsnats.Connect(srv.ClientURL()) }, srv.Shutdown, nil
	case "redis":
		path, err := exec.LookPath("redis-server")
		if err != nil {
			return nil, nil, fmt.Errorf("redis-server not installed (apt-get install redis-server)")
		}
		addr, stop, err := wstest.LaunchRedis(path)
		if err != nil {
			return nil, nil, err
		}
		return func() (cluster.Broker, error) {
			return wsredis.Connect(rueidis.ClientOption{InitAddress: []string{addr}})
		}, stop, nil
	}
	return nil, nil, fmt.Errorf("unknown broker %q", b)
}

// node is one registry serving the broadcast route on loopback.
type node struct {
	reg    *route.Registry
	srv    *httptest.Server
	broker cluster.Broker
}

func newNode(connect func() (cluster.Broker, error), id string) (*node, error) {
	cfg := route.Config{Logger: slog.New(slog.DiscardHandler), PingInterval: -1}
	n := &node{}
	if connect != nil {
		b, err := connect()
		if err != nil {
			return nil, err
		}
		n.broker = b
		cfg.Broker = b
		cfg.Cluster = cluster.Config{ID: id, Logger: cfg.Logger, Outbox: 1 << 16}
	}
	n.reg = route.New(cfg)
	n.reg.ROUTE("SOCKET /bc/ @text <1MB", func(ctl *controller.Controller) {
		ctl.OnMessage(func(c *socket.Client, m socket.Message) {
			_ = ctl.Broadcast(c, socket.Text(m.Bytes())) // every receiver, on every node
		})
	})
	n.srv = httptest.NewServer(n.reg)
	return n, nil
}

func (n *node) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = n.reg.Shutdown(ctx)
	n.srv.Close()
	if n.broker != nil {
		_ = n.broker.Close()
	}
}

// run publishes p.msgs messages from a client of the first node to p.receivers clients
// spread over one node (connect nil) or two.
func run(p params, connect func() (cluster.Broker, error)) (result, error) {
	var nodes []*node
	defer func() {
		for _, n := range nodes {
			n.close()
		}
	}()
	count := 1
	if connect != nil {
		count = 2
	}
	for i := range count {
		n, err := newNode(connect, fmt.Sprintf("n%d_%d", i, time.Now().UnixNano()%1e6))
		if err != nil {
			return result{}, err
		}
		nodes = append(nodes, n)
	}
	if count == 2 { // both nodes know each other before the run: presence, not delivery, needs it
		for deadline := time.Now().Add(10 * time.Second); len(nodes[0].reg.Node().Peers()) == 0; {
			if time.Now().After(deadline) {
				return result{}, fmt.Errorf("the nodes never met")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	st := &stats{counts: make([]atomic.Int32, p.msgs), receivers: int32(p.receivers), done: make(chan struct{}), window: make(chan struct{}, p.window)}
	var conns []*gws.Conn
	defer func() {
		for _, c := range conns {
			_ = c.WriteClose(1000, nil)
		}
	}()
	for i := range p.receivers {
		c, err := dial(nodes[i%count], &receiver{st: st})
		if err != nil {
			return result{}, err
		}
		conns = append(conns, c)
	}
	pub, err := dial(nodes[0], &gws.BuiltinEventHandler{})
	if err != nil {
		return result{}, err
	}
	conns = append(conns, pub)
	for deadline := time.Now().Add(10 * time.Second); nodes[0].reg.ClusterOnline() < p.receivers+1; {
		if time.Now().After(deadline) {
			break // presence is only as fresh as the last heartbeat; delivery does not need it
		}
		time.Sleep(10 * time.Millisecond)
	}
	pad := strings.Repeat("x", p.size-48)
	start := time.Now()
	for i := range p.msgs {
		st.window <- struct{}{}
		msg := fmt.Sprintf(`{"t":"%019d","s":"%07d","p":"%s"}`, time.Now().UnixNano(), i, pad)
		if err := pub.WriteString(msg); err != nil {
			return result{}, err
		}
	}
	select {
	case <-st.done:
	case <-time.After(2 * time.Minute):
		return result{}, fmt.Errorf("only %d of %d messages reached every receiver", st.completed.Load(), p.msgs)
	}
	elapsed := time.Since(start)
	st.mu.Lock()
	lat := slices.Clone(st.lat)
	st.mu.Unlock()
	slices.Sort(lat)
	return result{
		rate: float64(p.msgs*p.receivers) / elapsed.Seconds(),
		p50:  lat[len(lat)/2],
		p99:  lat[len(lat)*99/100],
	}, nil
}

func dial(n *node, h gws.Event) (*gws.Conn, error) {
	c, _, err := gws.NewClient(h, &gws.ClientOption{Addr: "ws" + strings.TrimPrefix(n.srv.URL, "http") + "/bc/"})
	if err != nil {
		return nil, err
	}
	go c.ReadLoop()
	return c, nil
}

type stats struct {
	counts    []atomic.Int32
	receivers int32
	completed atomic.Int64
	done      chan struct{}
	window    chan struct{}
	mu        sync.Mutex
	lat       []time.Duration
}

type receiver struct {
	gws.BuiltinEventHandler
	st *stats
}

func (r *receiver) OnMessage(_ *gws.Conn, m *gws.Message) {
	defer m.Close()
	var in struct{ T, S string }
	if json.Unmarshal(m.Bytes(), &in) != nil {
		return
	}
	t, _ := strconv.ParseInt(in.T, 10, 64)
	s, _ := strconv.Atoi(in.S)
	d := time.Duration(time.Now().UnixNano() - t)
	st := r.st
	st.mu.Lock()
	st.lat = append(st.lat, d)
	st.mu.Unlock()
	if s >= 0 && s < len(st.counts) && st.counts[s].Add(1) == st.receivers {
		<-st.window
		if int(st.completed.Add(1)) == len(st.counts) {
			close(st.done)
		}
	}
}
