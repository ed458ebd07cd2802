package endpoint

import (
	"slices"

	"github.com/wsroute/wsroute/internal/hub"
	"github.com/wsroute/wsroute/internal/peer"
)

// Room is a named room (peer.Room). The rooms a controller gives are narrowed to the
// controller's URL: Endpoint.To reaches the room's members connected to this
// controller only; peer.Client.To and the registry's To reach all of them.
type Room = peer.Room

// To returns this controller's part of room, to send to its members:
//
//	ctl.To("lobby").Send(v)          // everyone in the room on this URL
//	ctl.To("lobby").Broadcast(c, v)  // everyone in the room on this URL but c
//
// Sends on a destroyed controller's room return ErrDestroyed.
func (ctl *Endpoint) To(room string) Room {
	ctl.mu.RLock()
	h := ctl.hub
	ctl.mu.RUnlock()
	if h == nil {
		h = noHub
	}
	return h.ToOn(room, ctl.key, ctl.alive)
}

// noHub stands in for the hub of a controller that has none (made in tests): its rooms
// have no members.
var noHub = peer.NewHub(peer.HubConfig{PingInterval: -1})

func (ctl *Endpoint) alive() error {
	if ctl.Destroyed() {
		return ErrDestroyed
	}
	return nil
}

// Rooms returns the names of the rooms that at least one client of this controller is
// in, sorted. Registry.Rooms lists the rooms of the whole registry.
func (ctl *Endpoint) Rooms() []string {
	buf := getBuf()
	defer putBuf(buf)
	*buf = ctl.snapshot(*buf)
	seen := make(map[string]struct{})
	out := []string{}
	for _, c := range *buf {
		for _, r := range c.Rooms() {
			if _, dup := seen[r]; !dup {
				seen[r] = struct{}{}
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return out
}

// BroadcastOptions narrow Endpoint.BroadcastWith (see controller.BroadcastOptions).
type BroadcastOptions struct {
	// Rooms limits the send to clients in at least one of these rooms; a client in
	// several of them gets the message once. Empty means every client of the controller.
	Rooms []string
	// IncludeSelf sends to the sender as well. The default leaves it out.
	IncludeSelf bool
}

// Broadcast sends v, encoded once, to every client of the controller except from; a nil
// from sends to everyone.
func (ctl *Endpoint) Broadcast(from *peer.Client, v any) error {
	t := hub.Target{Kind: hub.URL, Key: ctl.key}
	if from != nil {
		t.Except = []string{from.ID()}
	}
	return ctl.publish(t, v, nil)
}

// BroadcastWith sends v, encoded once, to the clients of the controller that o selects:
// those in o.Rooms (all when empty), without from unless o.IncludeSelf.
//
//	ctl.BroadcastWith(c, v, controller.BroadcastOptions{Rooms: []string{"general", "dev"}})
//	ctl.BroadcastWith(c, v, controller.BroadcastOptions{IncludeSelf: true})
func (ctl *Endpoint) BroadcastWith(from *peer.Client, v any, o BroadcastOptions) error {
	t := hub.Target{Kind: hub.URL, Key: ctl.key}
	if len(o.Rooms) > 0 {
		t = hub.Target{Kind: hub.Room, Rooms: o.Rooms, Scope: ctl.key}
	}
	if from != nil && !o.IncludeSelf {
		t.Except = []string{from.ID()}
	}
	return ctl.publish(t, v, nil)
}
