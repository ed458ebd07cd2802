package socket

import "slices"

// Rooms are named groups of clients kept in the Hub, so that one index serves every
// route of a registry: a client joins and leaves rooms by name (Client.Join, Client.Leave),
// and anyone holding the hub can list a room's members (Hub.Room) to send to them.
//
// The hub's lock guards both sides of the index: the room -> members map of the hub and
// the room set of each client. A client that closes leaves all its rooms in the same
// step that removes it from the hub, and a room whose last member leaves is deleted, so
// the index never holds a closed client or an empty room.

// Join adds the client to room. Joining a room twice is the same as joining it once.
// It returns ErrClosed when the client has closed (it is no longer in its hub), so a
// closed client never reappears in a room.
func (c *Client) Join(room string) error {
	h := c.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.clients[c.id] != c {
		return ErrClosed
	}
	if _, ok := c.rooms[room]; ok {
		return nil
	}
	if c.rooms == nil {
		c.rooms = make(map[string]struct{}, 2)
	}
	c.rooms[room] = struct{}{}
	members := h.rooms[room]
	if members == nil {
		members = make(map[*Client]struct{}, 4)
		h.rooms[room] = members
	}
	members[c] = struct{}{}
	return nil
}

// Leave removes the client from room and reports whether it was a member. The room is
// freed when its last member leaves.
func (c *Client) Leave(room string) bool {
	h := c.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := c.rooms[room]; !ok {
		return false
	}
	delete(c.rooms, room)
	h.dropMemberLocked(room, c)
	return true
}

// Rooms returns the names of the rooms the client is in, sorted. It is empty once the
// client has closed.
func (c *Client) Rooms() []string {
	h := c.hub
	h.mu.RLock()
	out := make([]string, 0, len(c.rooms))
	for r := range c.rooms {
		out = append(out, r)
	}
	h.mu.RUnlock()
	slices.Sort(out)
	return out
}

// InRoom reports whether the client is in room.
func (c *Client) InRoom(room string) bool {
	h := c.hub
	h.mu.RLock()
	defer h.mu.RUnlock()
	_, ok := c.rooms[room]
	return ok
}

// Hub is the hub the client is registered in: its route's Options.Hub.
func (c *Client) Hub() *Hub { return c.hub }

// Room appends a snapshot of the members of room to dst and returns it, in no
// particular order. A room nobody is in has no members.
func (h *Hub) Room(room string, dst []*Client) []*Client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.rooms[room] {
		dst = append(dst, c)
	}
	return dst
}

// RoomsUnion appends a snapshot of the clients that are in at least one of rooms to
// dst and returns it; a client in several of them appears once.
func (h *Hub) RoomsUnion(rooms []string, dst []*Client) []*Client {
	if len(rooms) == 1 {
		return h.Room(rooms[0], dst)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	start := len(dst)
	var seen map[*Client]struct{}
	for i, room := range rooms {
		members := h.rooms[room]
		if i > 0 && seen == nil && len(members) > 0 {
			seen = make(map[*Client]struct{}, len(dst)+len(members))
			for _, c := range dst[start:] {
				seen[c] = struct{}{}
			}
		}
		for c := range members {
			if seen != nil {
				if _, dup := seen[c]; dup {
					continue
				}
				seen[c] = struct{}{}
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// RoomLen is the number of clients in room.
func (h *Hub) RoomLen(room string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.rooms[room])
}

// Rooms returns the names of the rooms that have members, sorted.
func (h *Hub) Rooms() []string {
	h.mu.RLock()
	out := make([]string, 0, len(h.rooms))
	for r := range h.rooms {
		out = append(out, r)
	}
	h.mu.RUnlock()
	slices.Sort(out)
	return out
}

// leaveAllLocked takes c out of every room it is in. h.mu must be held for writing.
func (h *Hub) leaveAllLocked(c *Client) {
	for room := range c.rooms {
		h.dropMemberLocked(room, c)
	}
	c.rooms = nil
}

// dropMemberLocked removes c from the members of room and frees the room when it
// empties. h.mu must be held for writing.
func (h *Hub) dropMemberLocked(room string, c *Client) {
	members := h.rooms[room]
	delete(members, c)
	if len(members) == 0 {
		delete(h.rooms, room)
	}
}
