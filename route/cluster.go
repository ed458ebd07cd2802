package route

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/internal/hub"
	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/socket"
)

// A registry with Config.Broker is a node of a cluster (see docs/cluster.md). Every send
// through the hub's one publish seam that names its target declaratively, without a keep
// filter, is delivered to this node's clients and published once to the others, who
// deliver it to theirs. A keep closure cannot travel: such a send stays on this node.

// joinCluster makes r a node of Config.Broker's cluster.
func (r *Registry) joinCluster() error {
	cfg := r.cfg.Cluster
	if cfg.Logger == nil {
		cfg.Logger = r.log
	}
	node, err := cluster.Join(r.cfg.Broker, (*clusterLocal)(r), cfg)
	if err != nil {
		return fmt.Errorf("route: cluster: %w", err)
	}
	r.node = node
	r.hub.SetRemote(r.publishRemote)
	return nil
}

// publishRemote carries a hub publish to the other nodes. v is encoded by the mode of
// the route its URL belongs to, else as on a @json route; the local publish's encoding
// is reused when it made that one.
func (r *Registry) publishRemote(t hub.Target, v any, enc *peer.Encodings) {
	url := t.Key
	if t.Kind == hub.Room {
		url = t.Scope
	}
	mode := socket.ModeJSON
	if url != "" {
		if m, ok := r.modeAt(url); ok {
			mode = m
		}
	}
	p, err := enc.Get(mode, v)
	if err != nil {
		return // the local publish reported it
	}
	bin, data := p.Payload()
	if err := r.node.Publish(clusterTarget(t), clusterMode(bin), data); err != nil {
		r.log.Warn("cluster publish failed", "err", err)
	}
}

// sendRemote is SendTo for a client of another node.
func (r *Registry) sendRemote(id string, v any) error {
	if r.node == nil || !r.node.Reachable(id) {
		return socket.ErrClosed // no client here, and no live node its id names
	}
	p, err := peer.Prepare(socket.ModeJSON, v)
	if err != nil {
		return err
	}
	bin, data := p.Payload()
	err = r.node.Publish(cluster.IDs(id), clusterMode(bin), data)
	if errors.Is(err, cluster.ErrBadID) {
		return socket.ErrClosed
	}
	return err
}

// CloseClient closes the client with the given id with code and reason, on this node
// or, in a cluster, on the node its id names. It returns socket.ErrClosed when there is
// no such client here and no live node its id names.
func (r *Registry) CloseClient(id string, code socket.StatusCode, reason string) error {
	if c := r.hub.Get(id); c != nil {
		return c.Close(code, reason)
	}
	if r.node == nil || !r.node.Reachable(id) {
		return socket.ErrClosed
	}
	if err := r.node.CloseClient(id, uint16(code), reason); err != nil {
		if errors.Is(err, cluster.ErrBadID) {
			return socket.ErrClosed
		}
		return err
	}
	return nil
}

// ClusterOnline is the number of clients on every live node of the cluster, this one
// included: Online plus the other nodes' last heartbeats. Without a cluster it is
// Online.
func (r *Registry) ClusterOnline() int {
	if r.node == nil {
		return r.Online()
	}
	return r.Online() + r.node.RemoteTotal()
}

// ClusterRoomOnline is the number of members of room on every live node; To(room).Online
// counts this node's only.
func (r *Registry) ClusterRoomOnline(room string) int {
	n := r.hub.To(room).Online()
	if r.node != nil {
		n += r.node.RemoteRoom(room)
	}
	return n
}

// clusterURLOnline is the number of clients of a controller URL on the other nodes.
func (r *Registry) clusterURLOnline(url string) int {
	if r.node == nil {
		return 0
	}
	return r.node.RemoteURL(url)
}

// Node is this registry's node of the cluster, or nil without Config.Broker: its id, its
// peers and counters.
func (r *Registry) Node() *cluster.Node { return r.node }

// modeAt is the message mode of the route that serves url, a controller's hub key
// (entry.hubKey): an auth prefix is dropped.
func (r *Registry) modeAt(url string) (socket.Mode, bool) {
	url = strings.TrimLeft(url, "+-")
	var st matchState
	entries := r.lookupNth(url, 0, &st)
	if len(entries) == 0 {
		return 0, false
	}
	return entries[0].up.Options().Mode, true
}

func clusterMode(binary bool) cluster.Mode {
	if binary {
		return cluster.ModeBinary
	}
	return cluster.ModeText
}

func clusterTarget(t hub.Target) cluster.Target {
	ct := cluster.Target{Except: t.Except}
	switch t.Kind {
	case hub.All:
		ct.Kind = cluster.KindBroadcast
	case hub.URL:
		ct.Kind, ct.URL = cluster.KindURL, t.Key
	case hub.Room:
		ct.Kind, ct.URL = cluster.KindRoom, t.Scope
		if len(t.Rooms) > 0 {
			ct.Room, ct.Rooms = t.Rooms[0], t.Rooms[1:]
		}
	case hub.IDs:
		ct.Kind, ct.IDs = cluster.KindIDs, t.IDs
	}
	return ct
}

func hubTarget(t cluster.Target) hub.Target {
	ht := hub.Target{Except: t.Except}
	switch t.Kind {
	case cluster.KindBroadcast:
		ht.Kind = hub.All
	case cluster.KindURL:
		ht.Kind, ht.Key = hub.URL, t.URL
	case cluster.KindRoom:
		ht.Kind, ht.Scope = hub.Room, t.URL
		ht.Rooms = append([]string{t.Room}, t.Rooms...)
	case cluster.KindIDs:
		ht.Kind, ht.IDs = hub.IDs, t.IDs
	}
	return ht
}

// clusterLocal is the registry as the cluster node sees it.
type clusterLocal Registry

// Deliver sends another node's publish to this node's matching clients.
func (l *clusterLocal) Deliver(t cluster.Target, mode cluster.Mode, payload []byte) {
	r := (*Registry)(l)
	var v any = socket.Binary(payload)
	if mode == cluster.ModeText {
		v = socket.Text(payload)
	}
	_ = r.hub.PublishLocal(hubTarget(t), v, nil) // Prepare copies payload
}

// CloseClient closes this node's client id for another node.
func (l *clusterLocal) CloseClient(id string, code uint16, reason string) {
	if c := (*Registry)(l).hub.Get(id); c != nil {
		_ = c.Close(socket.StatusCode(code), reason)
	}
}

// Presence is this node's counts for its heartbeat.
func (l *clusterLocal) Presence() cluster.Counts {
	total, urls, rooms := (*Registry)(l).hub.Counts()
	return cluster.Counts{Total: total, URLs: urls, Rooms: rooms}
}
