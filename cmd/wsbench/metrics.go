package main

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// benchObserver is the "wsroute+metrics" implementation's observer. It does the work the
// Prometheus adapter (metrics/prometheus) does on each event, without its module: a
// lookup of the route's series in a sync.Map, then atomic adds, and a bucket search for
// the handler histogram. Comparing "wsroute+metrics" with "wsroute" in one run measures
// what metrics cost on the hot paths.
type benchObserver struct {
	routes sync.Map // route -> *benchSeries
}

type benchSeries struct {
	connections, connectionsTotal     atomic.Int64
	received, sent, bytesIn, bytesOut atomic.Uint64
	refusals, closes, dropped, depth  atomic.Int64
	handlerBuckets                    [12]atomic.Uint64
	handlerSum                        atomic.Int64
}

var benchBuckets = []time.Duration{10 * time.Microsecond, 50 * time.Microsecond, 100 * time.Microsecond,
	500 * time.Microsecond, time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond, time.Second}

var _ route.Observer = (*benchObserver)(nil)

func newBenchObserver() *benchObserver { return &benchObserver{} }

func (o *benchObserver) series(route string) *benchSeries {
	if s, ok := o.routes.Load(route); ok {
		return s.(*benchSeries)
	}
	s, _ := o.routes.LoadOrStore(route, new(benchSeries))
	return s.(*benchSeries)
}

func (o *benchObserver) Connected(r string) {
	s := o.series(r)
	s.connections.Add(1)
	s.connectionsTotal.Add(1)
}
func (o *benchObserver) Refused(r string, _ int) { o.series(r).refusals.Add(1) }
func (o *benchObserver) Closed(r string, _ socket.StatusCode) {
	s := o.series(r)
	s.connections.Add(-1)
	s.closes.Add(1)
}
func (o *benchObserver) Received(r string, bytes int) {
	s := o.series(r)
	s.received.Add(1)
	s.bytesIn.Add(uint64(bytes))
}
func (o *benchObserver) Sent(r string, messages, bytes int) {
	s := o.series(r)
	s.sent.Add(uint64(messages))
	s.bytesOut.Add(uint64(bytes))
}
func (o *benchObserver) Dropped(r string, _ socket.Overflow, n int) {
	o.series(r).dropped.Add(int64(n))
}
func (o *benchObserver) QueueDepth(r string, n int) { o.series(r).depth.Store(int64(n)) }
func (o *benchObserver) Handled(r string, d time.Duration) {
	s := o.series(r)
	i := 0
	for i < len(benchBuckets) && d > benchBuckets[i] {
		i++
	}
	s.handlerBuckets[i].Add(1)
	s.handlerSum.Add(int64(d))
}
