package peer

import "github.com/wsroute/wsroute/internal/hub"

// Rooms are named groups of clients kept in the Hub, so that one index serves every
// route of a registry: a client joins and leaves rooms by name (Client.Join,
// Client.Leave), and a Room sends to their members (Client.To, Hub.To). A client that
// closes leaves all its rooms in the same step that removes it from the hub, and a room
// whose last member leaves is freed, so the index never holds a closed client or an
// empty room.

// Join adds the client to room. Joining a room twice is the same as joining it once.
// It returns ErrClosed when the client has closed (it is no longer in its hub), so a
// closed client never reappears in a room.
func (c *Client) Join(room string) error {
	if !c.hub.idx.Join(c, room) {
		return ErrClosed
	}
	return nil
}

// Leave removes the client from room and reports whether it was a member. The room is
// freed when its last member leaves.
func (c *Client) Leave(room string) bool { return c.hub.idx.Leave(c, room) }

// Rooms returns the names of the rooms the client is in, sorted. It is empty once the
// client has closed.
func (c *Client) Rooms() []string { return c.hub.idx.RoomsOf(c) }

// InRoom reports whether the client is in room.
func (c *Client) InRoom(room string) bool { return c.hub.idx.InRoom(c, room) }

// To returns the room named room across the whole registry: its members on every route
// and URL, wherever they connected.
func (c *Client) To(room string) Room { return c.hub.To(room) }

// Room appends a snapshot of the members of room to dst and returns it, in no
// particular order. A room nobody is in has no members.
func (h *Hub) Room(room string, dst []*Client) []*Client {
	return h.idx.Collect(hub.Target{Kind: hub.Room, Rooms: []string{room}}, dst)
}

// RoomsUnion appends a snapshot of the clients that are in at least one of rooms to
// dst and returns it; a client in several of them appears once.
func (h *Hub) RoomsUnion(rooms []string, dst []*Client) []*Client {
	return h.idx.Collect(hub.Target{Kind: hub.Room, Rooms: rooms}, dst)
}

// RoomLen is the number of clients in room.
func (h *Hub) RoomLen(room string) int { return h.idx.RoomLen(room) }

// Rooms returns the names of the rooms that have members, sorted.
func (h *Hub) Rooms() []string { return h.idx.Rooms() }
