package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Local is the part of a registry that a Node delivers to. The registry implements it.
// Node calls it on the broker's delivery goroutines; no method may block, and none may
// keep payload after it returns.
type Local interface {
	// Deliver writes payload to this node's clients that t matches, except the ids in
	// t.Except. For a KindIDs target, t.IDs holds only ids of this node.
	Deliver(t Target, mode Mode, payload []byte)
	// CloseClient closes this node's client with the given cluster-wide id, if it is
	// still connected.
	CloseClient(id string, code uint16, reason string)
	// Presence returns this node's counts now. It is called once per heartbeat.
	Presence() Counts
}

// Config configures a Node. The zero value works; each field says its default.
type Config struct {
	// ID is this node's id (see ValidNodeID). Defaults to NewNodeID(). Two live nodes
	// must not share an id.
	ID string
	// Prefix starts every subject. Defaults to DefaultPrefix ("wsroute"). Nodes of
	// one cluster must use the same prefix; two clusters on one broker use different ones.
	Prefix string
	// Logger gets broker gaps, errors, overflows and invalid envelopes. Defaults to
	// slog.Default().
	Logger *slog.Logger
	// Outbox is how many envelopes wait for the broker at most. When it is full the
	// oldest is dropped and counted (Stats.Dropped); publishing never blocks. Defaults
	// to 4096.
	Outbox int
	// MaxEnvelope caps an envelope's size in bytes, both ways. Defaults to
	// DefaultMaxEnvelope (1 MiB).
	MaxEnvelope int
	// Heartbeat is how often this node publishes its presence counts. Defaults to 2 s.
	Heartbeat time.Duration
	// PresenceTTL is how long another node counts after its last heartbeat. Defaults to
	// 8 s, so that a node that died drops out of the counts within 9 s plus the broker's
	// latency.
	PresenceTTL time.Duration
	// PublishTimeout bounds one call to the broker's Publish. Defaults to 5 s.
	PublishTimeout time.Duration
	// OnGap, when set, is called when the broker is back after an outage, with the time
	// it went away and the time it came back. It must not block.
	OnGap func(Gap)
	// OnError, when set, is called with errors the broker reports (a NATS slow consumer,
	// for example). It must not block.
	OnError func(error)
}

// Stats are a Node's counters since it joined.
type Stats struct {
	Published uint64 // envelopes the broker accepted
	Dropped   uint64 // envelopes dropped because the outbox was full
	Failed    uint64 // envelopes the broker refused (down, timeout)
	Received  uint64 // valid envelopes from other nodes
	Invalid   uint64 // envelopes dropped because they failed validation
	Lost      uint64 // envelopes of other nodes missing from their sequence
}

// Peer is another node as this node last heard from it.
type Peer struct {
	ID    string
	Seen  time.Time // its last heartbeat
	Total int       // its clients
}

// ErrClosed is returned by a Node's methods after Close.
var ErrClosed = errors.New("cluster: node closed")

const maxBatch = 256

// Node is one registry's membership of a cluster. Create it with Join.
//
// What the registry publishes goes out through a bounded outbox drained by one
// goroutine, so it never waits for the broker and the broker sees one node's
// envelopes in publish order. What other nodes publish is decoded and handed to the
// registry's Local. A second goroutine sends heartbeats and forgets silent nodes.
type Node struct {
	id, prefix string
	all, own   string // subjects
	b          Broker
	local      Local
	log        *slog.Logger
	cfg        Config

	// Lock order: presMu, then mu or recvMu; no lock is held while calling Local or
	// the broker. mu guards the outbox and the sequence numbers, so that a subject's
	// envelopes get their numbers in the order they enter the outbox.
	mu     sync.Mutex
	queue  []Message // ring buffer of cfg.Outbox
	head   int
	n      int
	seqs   map[string]uint64 // subject -> last sequence number given out
	closed bool

	wake   chan struct{}
	stop   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	done   atomic.Bool // no more deliveries to Local

	recvMu sync.Mutex
	last   map[stream]uint64 // last sequence number seen per other node and subject

	presMu sync.RWMutex
	peers  map[string]*peer
	counts map[string]Counts // per peer, from its last heartbeat
	sum    Counts            // over peers

	stateMu   sync.Mutex
	down      bool
	downSince time.Time

	published, dropped, failed, received, invalid, lost atomic.Uint64
	lastAll                                             atomic.Uint64 // the last sequence number given out on the shared subject
	logDrop, logFail, logInvalid, logTwin               limiter
}

// peer is another live node. seen (Unix nanoseconds) moves with every envelope it
// sends, so a node whose heartbeats are lost in its own full outbox still counts while
// its other envelopes arrive.
type peer struct {
	seen  atomic.Int64
	total int
}

type stream struct {
	origin string
	direct bool
}

// Join makes a node of the cluster that b connects to, delivering to local. It
// subscribes to the node's two subjects and sends a first heartbeat. The caller still
// owns b: close it after Node.Close.
func Join(b Broker, local Local, cfg Config) (*Node, error) {
	if b == nil || local == nil {
		return nil, errors.New("cluster: Join needs a broker and a local registry")
	}
	if cfg.ID == "" {
		cfg.ID = NewNodeID()
	}
	if !ValidNodeID(cfg.ID) {
		return nil, fmt.Errorf("%w: node id %q (letters, digits and '_', at most %d)", ErrBadID, cfg.ID, MaxNodeID)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if !validPrefix(cfg.Prefix) {
		return nil, fmt.Errorf("cluster: invalid prefix %q", cfg.Prefix)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Outbox <= 0 {
		cfg.Outbox = 4096
	}
	if cfg.MaxEnvelope <= 0 {
		cfg.MaxEnvelope = DefaultMaxEnvelope
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 2 * time.Second
	}
	if cfg.PresenceTTL <= 0 {
		cfg.PresenceTTL = 8 * time.Second
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 5 * time.Second
	}
	n := &Node{
		id:     cfg.ID,
		prefix: cfg.Prefix,
		all:    SubjectAll(cfg.Prefix),
		own:    SubjectNode(cfg.Prefix, cfg.ID),
		b:      b,
		local:  local,
		log:    cfg.Logger.With("node", cfg.ID),
		cfg:    cfg,
		queue:  make([]Message, cfg.Outbox),
		seqs:   make(map[string]uint64),
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		last:   make(map[stream]uint64),
		peers:  make(map[string]*peer),
		counts: make(map[string]Counts),
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	b.Notify(n.event)
	if err := b.Subscribe(n.all, n.receiver(false)); err != nil {
		n.cancel()
		return nil, fmt.Errorf("cluster: subscribe %s: %w", n.all, err)
	}
	if err := b.Subscribe(n.own, n.receiver(true)); err != nil {
		n.cancel()
		return nil, fmt.Errorf("cluster: subscribe %s: %w", n.own, err)
	}
	n.wg.Go(n.sendLoop)
	n.wg.Go(n.heartbeatLoop)
	return n, nil
}

// ID returns this node's id.
func (n *Node) ID() string { return n.id }

// ClientID returns the cluster-wide id for a client whose local id is local.
func (n *Node) ClientID(local string) string { return ClientID(n.id, local) }

// Owns reports whether the client id belongs to this node.
func (n *Node) Owns(clientID string) bool {
	node, ok := NodeOf(clientID)
	return ok && node == n.id
}

// Reachable reports whether the client id names another node that is live: heard from
// within PresenceTTL. Publish and CloseClient skip the ids for which it is false.
func (n *Node) Reachable(clientID string) bool {
	node, ok := NodeOf(clientID)
	if !ok || node == n.id {
		return false
	}
	n.presMu.RLock()
	defer n.presMu.RUnlock()
	return n.peers[node] != nil
}

// Publish sends a message for t to the other nodes; the caller delivers to its own
// clients itself. It never blocks: the envelope waits in the outbox.
//
// A KindBroadcast, KindURL or KindRoom target goes to every node. A KindIDs target goes
// only to the nodes its ids belong to, once per node, and only to nodes heard from in
// the last PresenceTTL; ids of this node are skipped. Publish returns ErrTooLarge when
// the envelope would exceed MaxEnvelope, ErrBadID when an id names no node (the others
// are still sent), ErrClosed after Close.
func (n *Node) Publish(t Target, mode Mode, payload []byte) error {
	e := Envelope{Kind: t.Kind, Origin: n.id, Target: t, Mode: mode, Payload: payload}
	switch t.Kind {
	case KindBroadcast, KindURL, KindRoom:
		return n.enqueue(n.all, &e)
	case KindIDs:
		groups, order, err := n.byNode(t.IDs)
		for _, node := range order {
			e.Target = Target{Kind: KindIDs, IDs: groups[node], Except: t.Except}
			if err2 := n.enqueue(SubjectNode(n.prefix, node), &e); err2 != nil {
				return err2
			}
		}
		return err
	}
	return fmt.Errorf("%w: target kind %v", ErrMalformed, t.Kind)
}

// CloseClient asks the node that owns the client id to close it with code and reason.
// It does nothing for an id of this node (the caller closes its own clients) or of a
// node not heard from in the last PresenceTTL.
func (n *Node) CloseClient(id string, code uint16, reason string) error {
	groups, order, err := n.byNode([]string{id})
	if err != nil {
		return err
	}
	for _, node := range order {
		e := Envelope{Kind: KindClose, Origin: n.id, Client: groups[node][0], Code: code, Reason: reason}
		return n.enqueue(SubjectNode(n.prefix, node), &e)
	}
	return nil
}

// byNode groups ids by their live remote node, in the order nodes first appear.
func (n *Node) byNode(ids []string) (map[string][]string, []string, error) {
	var err error
	groups := make(map[string][]string)
	var order []string
	n.presMu.RLock()
	defer n.presMu.RUnlock()
	for _, id := range ids {
		node, ok := NodeOf(id)
		if !ok {
			err = fmt.Errorf("%w: client id %q", ErrBadID, id)
			continue
		}
		if node == n.id || n.peers[node] == nil {
			continue
		}
		if groups[node] == nil {
			order = append(order, node)
		}
		groups[node] = append(groups[node], id)
	}
	return groups, order, err
}

// enqueue numbers, encodes and queues e for subject; a full outbox loses its oldest.
func (n *Node) enqueue(subject string, e *Envelope) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return ErrClosed
	}
	e.Seq = n.seqs[subject] + 1
	data, err := Encode(nil, e, n.cfg.MaxEnvelope)
	if err != nil {
		n.mu.Unlock()
		return err
	}
	n.seqs[subject] = e.Seq
	if subject == n.all {
		n.lastAll.Store(e.Seq)
	}
	full := n.n == len(n.queue)
	if full {
		n.queue[n.head] = Message{}
		n.head = (n.head + 1) % len(n.queue)
		n.n--
	}
	n.queue[(n.head+n.n)%len(n.queue)] = Message{Subject: subject, Data: data}
	n.n++
	n.mu.Unlock()
	if full {
		d := n.dropped.Add(1)
		if n.logDrop.allow() {
			n.log.Warn("cluster: outbox full, dropped the oldest envelope", "dropped", d, "outbox", len(n.queue))
		}
	}
	select {
	case n.wake <- struct{}{}:
	default:
	}
	return nil
}

// take moves up to maxBatch queued envelopes into dst.
func (n *Node) take(dst []Message) []Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	for n.n > 0 && len(dst) < maxBatch {
		dst = append(dst, n.queue[n.head])
		n.queue[n.head] = Message{}
		n.head = (n.head + 1) % len(n.queue)
		n.n--
	}
	return dst
}

func (n *Node) sendLoop() {
	var batch []Message
	stopping := false
	for {
		if !stopping {
			select {
			case <-n.wake:
			case <-n.stop:
				stopping = true
			}
		}
		batch = n.take(batch[:0])
		if len(batch) == 0 {
			if stopping {
				return
			}
			continue
		}
		if n.ctx.Err() != nil { // Close gave up waiting
			n.failed.Add(uint64(len(batch)))
			continue
		}
		n.send(batch)
		if len(batch) == maxBatch { // more may be waiting without a wake-up
			select {
			case n.wake <- struct{}{}:
			default:
			}
		}
		clear(batch)
	}
}

func (n *Node) send(batch []Message) {
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.PublishTimeout)
	defer cancel()
	var err error
	failed := 0
	if bp, ok := n.b.(BatchPublisher); ok {
		if err = bp.PublishBatch(ctx, batch); err != nil {
			failed = len(batch)
		}
	} else {
		for _, m := range batch {
			if e := n.b.Publish(ctx, m.Subject, m.Data); e != nil {
				err = e
				failed++
			}
		}
	}
	n.published.Add(uint64(len(batch) - failed))
	if failed > 0 {
		f := n.failed.Add(uint64(failed))
		if n.logFail.allow() {
			n.log.Warn("cluster: broker refused envelopes", "err", err, "failed", f)
		}
	}
}

func (n *Node) heartbeatLoop() {
	t := time.NewTicker(n.cfg.Heartbeat)
	defer t.Stop()
	// Silent nodes are looked for eight times per TTL, so one drops out at most TTL/8
	// after its TTL.
	x := time.NewTicker(max(n.cfg.PresenceTTL/8, time.Millisecond))
	defer x.Stop()
	n.heartbeat(false)
	for {
		select {
		case <-t.C:
			n.heartbeat(false)
		case now := <-x.C:
			n.expire(now)
		case <-n.stop:
			return
		}
	}
}

// heartbeat queues this node's counts; when they do not fit in MaxEnvelope it sends
// fewer details rather than nothing.
func (n *Node) heartbeat(leaving bool) {
	e := Envelope{Kind: KindHeartbeat, Origin: n.id, Leaving: leaving}
	if !leaving {
		e.Counts = n.local.Presence()
	}
	err := n.enqueue(n.all, &e)
	if errors.Is(err, ErrTooLarge) {
		n.log.Warn("cluster: presence counts too large for one envelope; sending the total and URLs only", "err", err)
		e.Counts.Rooms = nil
		if err = n.enqueue(n.all, &e); errors.Is(err, ErrTooLarge) {
			e.Counts.URLs = nil
			err = n.enqueue(n.all, &e)
		}
	}
	if err != nil && !errors.Is(err, ErrClosed) {
		n.log.Error("cluster: heartbeat", "err", err)
	}
}

// expire forgets the nodes not heard from in PresenceTTL.
func (n *Node) expire(now time.Time) {
	var gone []string
	n.presMu.Lock()
	for id, p := range n.peers {
		if now.Sub(time.Unix(0, p.seen.Load())) > n.cfg.PresenceTTL {
			gone = append(gone, id)
			n.forgetLocked(id)
		}
	}
	if gone != nil {
		n.sumLocked()
	}
	n.presMu.Unlock()
	for _, id := range gone {
		n.log.Warn("cluster: node silent, dropped from presence", "peer", id, "ttl", n.cfg.PresenceTTL)
	}
}

func (n *Node) forgetLocked(id string) {
	delete(n.peers, id)
	delete(n.counts, id)
	n.mu.Lock()
	delete(n.seqs, SubjectNode(n.prefix, id))
	n.mu.Unlock()
	n.recvMu.Lock()
	delete(n.last, stream{id, false})
	delete(n.last, stream{id, true})
	n.recvMu.Unlock()
}

func (n *Node) sumLocked() {
	s := Counts{URLs: make(map[string]int), Rooms: make(map[string]int)}
	for _, c := range n.counts {
		s.Total += c.Total
		for k, v := range c.URLs {
			s.URLs[k] += v
		}
		for k, v := range c.Rooms {
			s.Rooms[k] += v
		}
	}
	n.sum = s
}

func (n *Node) receiver(direct bool) func([]byte) {
	return func(data []byte) {
		if n.done.Load() {
			return
		}
		e, err := Decode(data, n.cfg.MaxEnvelope)
		if err != nil {
			n.reject(err, len(data))
			return
		}
		if e.Origin == n.id {
			// Our own echo: the registry has delivered it locally already. A number we
			// never gave out means another live node has our id.
			if !direct && e.Seq > n.lastAll.Load() && n.logTwin.allow() {
				n.log.Error("cluster: another node uses this node's id; both lose each other's messages", "seq", e.Seq, "last", n.lastAll.Load())
			}
			return
		}
		switch e.Kind {
		case KindBroadcast, KindURL, KindRoom, KindHeartbeat:
			if direct {
				n.reject(fmt.Errorf("%w: %v on a node subject", ErrMalformed, e.Kind), len(data))
				return
			}
		case KindIDs, KindClose:
			if !direct {
				n.reject(fmt.Errorf("%w: %v on the shared subject", ErrMalformed, e.Kind), len(data))
				return
			}
		}
		n.received.Add(1)
		n.track(stream{e.Origin, direct}, e.Seq)
		if e.Kind == KindHeartbeat {
			n.peer(&e)
			return
		}
		n.touch(e.Origin)
		switch e.Kind {
		case KindClose:
			if n.Owns(e.Client) {
				n.local.CloseClient(e.Client, e.Code, e.Reason)
			}
		case KindIDs:
			ids := e.Target.IDs[:0]
			for _, id := range e.Target.IDs {
				if n.Owns(id) {
					ids = append(ids, id)
				}
			}
			if len(ids) > 0 {
				e.Target.IDs = ids
				n.local.Deliver(e.Target, e.Mode, e.Payload)
			}
		default:
			n.local.Deliver(e.Target, e.Mode, e.Payload)
		}
	}
}

func (n *Node) reject(err error, size int) {
	c := n.invalid.Add(1)
	if n.logInvalid.allow() {
		n.log.Warn("cluster: dropped an invalid envelope", "err", err, "bytes", size, "invalid", c)
	}
}

// track counts the envelopes missing between the last sequence number seen on s and
// seq. A number at or below the last one means the other node restarted.
func (n *Node) track(s stream, seq uint64) {
	n.recvMu.Lock()
	last, seen := n.last[s]
	n.last[s] = seq
	n.recvMu.Unlock()
	if seen && seq > last+1 {
		lost := n.lost.Add(seq - last - 1)
		n.log.Warn("cluster: envelopes from a node were lost", "peer", s.origin, "missing", seq-last-1, "lost", lost)
	}
}

func (n *Node) peer(e *Envelope) {
	n.presMu.Lock()
	if e.Leaving {
		if n.peers[e.Origin] != nil {
			n.forgetLocked(e.Origin)
			n.sumLocked()
		}
		n.presMu.Unlock()
		return
	}
	p := n.peers[e.Origin]
	met := p == nil
	if met {
		p = &peer{}
		n.peers[e.Origin] = p
	}
	p.seen.Store(time.Now().UnixNano())
	p.total = e.Counts.Total
	n.counts[e.Origin] = e.Counts
	n.sumLocked()
	n.presMu.Unlock()
	if met && !n.done.Load() {
		// A node that just joined learns of this one now, not at its next heartbeat.
		n.heartbeat(false)
	}
}

// touch marks a known peer as alive now.
func (n *Node) touch(id string) {
	n.presMu.RLock()
	if p := n.peers[id]; p != nil {
		p.seen.Store(time.Now().UnixNano())
	}
	n.presMu.RUnlock()
}

// RemoteTotal returns the number of clients on the other live nodes. A registry's
// cluster-wide figure is its own count plus this.
func (n *Node) RemoteTotal() int {
	n.presMu.RLock()
	defer n.presMu.RUnlock()
	return n.sum.Total
}

// RemoteURL returns the number of clients of the controller URL on the other live
// nodes.
func (n *Node) RemoteURL(url string) int {
	n.presMu.RLock()
	defer n.presMu.RUnlock()
	return n.sum.URLs[url]
}

// RemoteRoom returns the number of members of room on the other live nodes.
func (n *Node) RemoteRoom(room string) int {
	n.presMu.RLock()
	defer n.presMu.RUnlock()
	return n.sum.Rooms[room]
}

// Peers returns the other live nodes, in no particular order.
func (n *Node) Peers() []Peer {
	n.presMu.RLock()
	defer n.presMu.RUnlock()
	out := make([]Peer, 0, len(n.peers))
	for id, p := range n.peers {
		out = append(out, Peer{ID: id, Seen: time.Unix(0, p.seen.Load()), Total: p.total})
	}
	return out
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	return Stats{
		Published: n.published.Load(),
		Dropped:   n.dropped.Load(),
		Failed:    n.failed.Load(),
		Received:  n.received.Load(),
		Invalid:   n.invalid.Load(),
		Lost:      n.lost.Load(),
	}
}

// Down reports whether the broker is unreachable now, and since when.
func (n *Node) Down() (since time.Time, down bool) {
	n.stateMu.Lock()
	defer n.stateMu.Unlock()
	return n.downSince, n.down
}

// event receives the broker's connection events.
func (n *Node) event(ev Event) {
	switch ev.Kind {
	case Disconnected:
		n.stateMu.Lock()
		first := !n.down
		if first {
			n.down, n.downSince = true, ev.At
		}
		n.stateMu.Unlock()
		if first {
			n.log.Warn("cluster: broker disconnected; cross-node messages are lost until it is back", "err", ev.Err)
		}
	case Reconnected:
		n.stateMu.Lock()
		wasDown, since := n.down, n.downSince
		n.down = false
		n.stateMu.Unlock()
		if !wasDown {
			return
		}
		g := Gap{From: since, To: ev.At}
		n.log.Warn("cluster: broker gap", "from", g.From, "to", g.To, "duration", g.Duration())
		if n.cfg.OnGap != nil {
			n.cfg.OnGap(g)
		}
		if !n.done.Load() {
			n.heartbeat(false) // let the others count us again at once
		}
	case Error:
		n.log.Warn("cluster: broker error", "err", ev.Err)
		if n.cfg.OnError != nil && ev.Err != nil {
			n.cfg.OnError(ev.Err)
		}
	}
}

// Close leaves the cluster: it sends a last heartbeat that tells the others to drop
// this node's counts, sends what the outbox holds until ctx is done, and stops the
// node's goroutines. Deliveries to Local stop. It does not close the Broker. Close is
// idempotent.
func (n *Node) Close(ctx context.Context) error {
	var err error
	n.once.Do(func() {
		n.done.Store(true)
		n.heartbeat(true)
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		close(n.stop)
		finished := make(chan struct{})
		go func() { n.wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-ctx.Done():
			err = ctx.Err()
			n.cancel()
			<-finished
		}
		n.cancel()
	})
	return err
}

// limiter lets one log line through per second.
type limiter struct{ last atomic.Int64 }

func (l *limiter) allow() bool {
	now := time.Now().UnixNano()
	last := l.last.Load()
	return now-last >= int64(time.Second) && l.last.CompareAndSwap(last, now)
}
