package controller

import (
	"slices"

	"github.com/wsroute/wsroute/socket"
)

// Room is the part of a named room that belongs to one controller: the clients of this
// controller that have joined the room (socket.Client.Join). Rooms live in the
// registry's hub, so a room with the same name may have members on other controllers
// too; the registry's To reaches all of them. Get one from Controller.To; it is a small
// value, cheap to make for each send.
type Room struct {
	ctl  *Controller
	name string
}

// To returns this controller's part of room, to send to its members (Odac's
// ws.to(room).send(data)):
//
//	ctl.To("lobby").Send(v)          // everyone in the room
//	ctl.To("lobby").Broadcast(c, v)  // everyone in the room but c (openspeed's broadcast)
func (ctl *Controller) To(room string) Room { return Room{ctl: ctl, name: room} }

// Name is the room's name.
func (r Room) Name() string { return r.name }

// Rooms returns the names of the rooms that at least one client of this controller is
// in, sorted. Registry.Rooms lists the rooms of the whole registry.
func (ctl *Controller) Rooms() []string {
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

// members appends the room's members that are clients of the controller to dst.
func (r Room) members(dst []*socket.Client) []*socket.Client {
	ctl := r.ctl
	ctl.mu.RLock()
	hub := ctl.hub
	ctl.mu.RUnlock()
	if hub == nil {
		return dst
	}
	start := len(dst)
	dst = hub.Room(r.name, dst)
	return ctl.keepOwn(dst, start)
}

// keepOwn filters dst[start:] down to the controller's own clients, in place.
func (ctl *Controller) keepOwn(dst []*socket.Client, start int) []*socket.Client {
	ctl.mu.RLock()
	defer ctl.mu.RUnlock()
	n := start
	for _, c := range dst[start:] {
		if ctl.clients[c.ID()] == c {
			dst[n] = c
			n++
		}
	}
	clear(dst[n:])
	return dst[:n]
}

// Clients returns a snapshot of the room's members on this controller.
func (r Room) Clients() []*socket.Client { return r.members(nil) }

// Online is the number of the room's members on this controller.
func (r Room) Online() int {
	buf := getBuf()
	defer putBuf(buf)
	*buf = r.members(*buf)
	return len(*buf)
}

// Send sends v to every member of the room on this controller (openspeed's
// broadcastAll(room, data)), encoded once as Controller.Send does.
func (r Room) Send(v any) error { return r.SendFunc(v, nil) }

// Broadcast sends v to every member of the room on this controller except from
// (openspeed's broadcast(room, data)).
func (r Room) Broadcast(from *socket.Client, v any) error {
	return r.SendFunc(v, func(c *socket.Client) bool { return c != from })
}

// SendFunc sends v, encoded once, to the room's members on this controller for which
// keep returns true (all when keep is nil).
func (r Room) SendFunc(v any, keep func(c *socket.Client) bool) error {
	if r.ctl.Destroyed() {
		return ErrDestroyed
	}
	buf := getBuf()
	defer putBuf(buf)
	*buf = r.members(*buf)
	return SendPrepared(r.ctl.mode, v, *buf, keep)
}

// BroadcastOptions narrow Controller.BroadcastWith, in the style of the Vite plugin's
// conn.broadcast(data, {rooms, includeSelf}).
type BroadcastOptions struct {
	// Rooms limits the send to clients in at least one of these rooms; a client in
	// several of them gets the message once. Empty means every client of the controller.
	Rooms []string
	// IncludeSelf sends to the sender as well. The default leaves it out.
	IncludeSelf bool
}

// Broadcast sends v, encoded once, to every client of the controller except from
// (Odac's ws.broadcast(data), Total.js's "send to everyone but the sender"). A nil from
// sends to everyone.
func (ctl *Controller) Broadcast(from *socket.Client, v any) error {
	if from == nil {
		return ctl.Send(v)
	}
	return ctl.SendFunc(v, func(c *socket.Client) bool { return c != from })
}

// BroadcastWith sends v, encoded once, to the clients of the controller that o selects:
// those in o.Rooms (all when empty), without from unless o.IncludeSelf.
//
//	ctl.BroadcastWith(c, v, controller.BroadcastOptions{Rooms: []string{"general", "dev"}})
//	ctl.BroadcastWith(c, v, controller.BroadcastOptions{IncludeSelf: true})
func (ctl *Controller) BroadcastWith(from *socket.Client, v any, o BroadcastOptions) error {
	var keep func(*socket.Client) bool
	if from != nil && !o.IncludeSelf {
		keep = func(c *socket.Client) bool { return c != from }
	}
	if len(o.Rooms) == 0 {
		return ctl.SendFunc(v, keep)
	}
	if ctl.Destroyed() {
		return ErrDestroyed
	}
	ctl.mu.RLock()
	hub := ctl.hub
	ctl.mu.RUnlock()
	if hub == nil {
		return nil
	}
	buf := getBuf()
	defer putBuf(buf)
	*buf = ctl.keepOwn(hub.RoomsUnion(o.Rooms, *buf), 0)
	return SendPrepared(ctl.mode, v, *buf, keep)
}
