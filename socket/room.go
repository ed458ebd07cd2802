package socket

import "github.com/wsroute/wsroute/internal/peer"

// Room is a named room: the clients that joined it (Client.Join) on every route and URL
// of the registry, or, for a room got from a controller, on that controller's URL only.
// Get one from Client.To or the controller's and registry's To; it is a small value,
// cheap to make for each send.
type Room peer.Room

// Name is the room's name.
func (r Room) Name() string {
	return peer.Room(r).Name()
}

// Online is the number of the room's members.
func (r Room) Online() int {
	return peer.Room(r).Online()
}

// Send sends v to every member of the room, encoded once per message mode among them.
func (r Room) Send(v any) error {
	return peer.Room(r).Send(v)
}

// Clients returns a snapshot of the room's members, in no particular order.
func (r Room) Clients() []*Client { return fromPeers(peer.Room(r).Clients()) }

// Broadcast sends v to every member of the room except from (nil: to everyone).
func (r Room) Broadcast(from *Client, v any) error {
	return peer.Room(r).Broadcast((*peer.Client)(from), v)
}

// SendFunc sends v to the members of the room for which keep returns true (all when
// keep is nil), encoded once per message mode. keep runs without any lock held.
func (r Room) SendFunc(v any, keep func(c *Client) bool) error {
	return peer.Room(r).SendFunc(v, toPeerKeep(keep))
}

// fromPeers converts a snapshot of the implementation's clients (a copy: converting the
// slice itself would take unsafe).
func fromPeers(ps []*peer.Client) []*Client {
	out := make([]*Client, len(ps))
	for i, p := range ps {
		out[i] = (*Client)(p)
	}
	return out
}

// toPeerKeep wraps keep for the implementation; nil stays nil, which the hub reads as
// "everyone" (and may then forward to other nodes).
func toPeerKeep(keep func(*Client) bool) func(*peer.Client) bool {
	if keep == nil {
		return nil
	}
	return func(p *peer.Client) bool { return keep((*Client)(p)) }
}
