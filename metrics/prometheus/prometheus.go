package prometheus

import (
	"strconv"
	"sync"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// Observer keeps the metrics of one or more registries. It implements route.Observer.
type Observer struct {
	connections      *prom.GaugeVec
	connectionsTotal *prom.CounterVec
	refusals         *prom.CounterVec
	closes           *prom.CounterVec
	received         *prom.CounterVec
	sent             *prom.CounterVec
	bytesReceived    *prom.CounterVec
	bytesSent        *prom.CounterVec
	dropped          *prom.CounterVec
	queueDepth       *prom.GaugeVec
	handler          *prom.HistogramVec
	gaps             prom.Counter

	reg    prom.Registerer
	routes sync.Map // route -> *series
}

var _ route.Observer = (*Observer)(nil)

// series are one route's metrics, looked up once: the hot paths then only add.
type series struct {
	connections              prom.Gauge
	connectionsTotal         prom.Counter
	received, sent           prom.Counter
	bytesReceived, bytesSent prom.Counter
	queueDepth               prom.Gauge
	handler                  prom.Observer
}

// New makes an Observer whose metrics are registered with reg. It panics, as
// prom.MustRegister does, if they are registered already.
func New(reg prom.Registerer) *Observer {
	byRoute := []string{"route"}
	o := &Observer{
		reg: reg,
		connections: prom.NewGaugeVec(prom.GaugeOpts{Name: "wsroute_connections",
			Help: "Clients connected now."}, byRoute),
		connectionsTotal: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_connections_total",
			Help: "Clients admitted."}, byRoute),
		refusals: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_handshake_refusals_total",
			Help: "Handshakes refused, by HTTP status (before the upgrade) or close code (right after it)."}, []string{"route", "code"}),
		closes: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_closes_total",
			Help: "Clients closed, by the code of their close event."}, []string{"route", "code"}),
		received: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_messages_received_total",
			Help: "Messages read."}, byRoute),
		sent: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_messages_sent_total",
			Help: "Messages written, one per receiver."}, byRoute),
		bytesReceived: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_bytes_received_total",
			Help: "Bytes of the messages read, after inflating."}, byRoute),
		bytesSent: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_bytes_sent_total",
			Help: "Bytes written on the wire, frame headers included, compressed when compressed."}, byRoute),
		dropped: prom.NewCounterVec(prom.CounterOpts{Name: "wsroute_dropped_total",
			Help: "Messages dropped by an overflow policy."}, []string{"route", "policy"}),
		queueDepth: prom.NewGaugeVec(prom.GaugeOpts{Name: "wsroute_send_queue_depth",
			Help: "Messages queued for the route's clients, at the last sweep."}, byRoute),
		handler: prom.NewHistogramVec(prom.HistogramOpts{Name: "wsroute_handler_duration_seconds",
			Help:    "Time a message handler ran.",
			Buckets: []float64{.00001, .00005, .0001, .0005, .001, .005, .01, .05, .1, .5, 1}}, byRoute),
		gaps: prom.NewCounter(prom.CounterOpts{Name: "wsroute_broker_gaps_total",
			Help: "Broker outages that ended (Config.Cluster.OnGap = Observer.Gap)."}),
	}
	reg.MustRegister(o.connections, o.connectionsTotal, o.refusals, o.closes, o.received, o.sent,
		o.bytesReceived, o.bytesSent, o.dropped, o.queueDepth, o.handler, o.gaps)
	return o
}

func (o *Observer) series(route string) *series {
	if s, ok := o.routes.Load(route); ok {
		return s.(*series)
	}
	s := &series{
		connections:      o.connections.WithLabelValues(route),
		connectionsTotal: o.connectionsTotal.WithLabelValues(route),
		received:         o.received.WithLabelValues(route),
		sent:             o.sent.WithLabelValues(route),
		bytesReceived:    o.bytesReceived.WithLabelValues(route),
		bytesSent:        o.bytesSent.WithLabelValues(route),
		queueDepth:       o.queueDepth.WithLabelValues(route),
		handler:          o.handler.WithLabelValues(route),
	}
	actual, _ := o.routes.LoadOrStore(route, s)
	return actual.(*series)
}

// Connected counts an admitted client.
func (o *Observer) Connected(route string) {
	s := o.series(route)
	s.connections.Inc()
	s.connectionsTotal.Inc()
}

// Refused counts a refused handshake.
func (o *Observer) Refused(route string, code int) {
	o.refusals.WithLabelValues(route, strconv.Itoa(code)).Inc()
}

// Closed counts a closed client.
func (o *Observer) Closed(route string, code socket.StatusCode) {
	o.series(route).connections.Dec()
	o.closes.WithLabelValues(route, strconv.Itoa(int(code))).Inc()
}

// Received counts a message read.
func (o *Observer) Received(route string, bytes int) {
	s := o.series(route)
	s.received.Inc()
	s.bytesReceived.Add(float64(bytes))
}

// Sent counts messages written.
func (o *Observer) Sent(route string, messages, bytes int) {
	s := o.series(route)
	s.sent.Add(float64(messages))
	s.bytesSent.Add(float64(bytes))
}

// Dropped counts messages an overflow policy dropped.
func (o *Observer) Dropped(route string, policy socket.Overflow, messages int) {
	o.dropped.WithLabelValues(route, policyName(policy)).Add(float64(messages))
}

// Handled records a handler's run time.
func (o *Observer) Handled(route string, d time.Duration) {
	o.series(route).handler.Observe(d.Seconds())
}

// QueueDepth sets the route's queue-depth gauge.
func (o *Observer) QueueDepth(route string, messages int) {
	o.series(route).queueDepth.Set(float64(messages))
}

// Gap counts a broker outage; set it as the cluster's OnGap.
func (o *Observer) Gap(cluster.Gap) { o.gaps.Inc() }

// WatchNode adds the counters of a registry's cluster node (route.Registry.Node):
// envelopes published, received, dropped by the outbox, refused by the broker, invalid,
// and lost in transit, as wsroute_broker_*_total.
func (o *Observer) WatchNode(n *cluster.Node) {
	counter := func(name, help string, get func(cluster.Stats) uint64) prom.Collector {
		return prom.NewCounterFunc(prom.CounterOpts{Name: "wsroute_broker_" + name + "_total", Help: help},
			func() float64 { return float64(get(n.Stats())) })
	}
	o.reg.MustRegister(
		counter("published", "Envelopes the broker accepted.", func(s cluster.Stats) uint64 { return s.Published }),
		counter("received", "Valid envelopes from other nodes.", func(s cluster.Stats) uint64 { return s.Received }),
		counter("dropped", "Envelopes dropped because the outbox was full.", func(s cluster.Stats) uint64 { return s.Dropped }),
		counter("errors", "Envelopes the broker refused (down, timeout).", func(s cluster.Stats) uint64 { return s.Failed }),
		counter("invalid", "Envelopes dropped because they failed validation.", func(s cluster.Stats) uint64 { return s.Invalid }),
		counter("lost", "Envelopes of other nodes missing from their sequence.", func(s cluster.Stats) uint64 { return s.Lost }),
	)
}

func policyName(p socket.Overflow) string {
	switch p {
	case socket.OverflowDropNewest:
		return "drop_newest"
	case socket.OverflowDropOldest:
		return "drop_oldest"
	}
	return "close"
}
