package route

import (
	"errors"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/socket"
)

// Room is a named room across the whole registry: every client that joined it
// (socket.Client.Join), whatever its route and controller. It is how code outside the
// socket handlers reaches a group of clients (Odac's Route.wsServer.toRoom(room, data)):
//
//	reg.To("user-42").Send(notification{Type: "notification", Text: "hi"})
//
// Get one from Registry.To; it is a small value, cheap to make for each send.
type Room struct {
	r    *Registry
	name string
}

// To returns the registry-wide room named room. Controller.To gives the part of a room
// that belongs to one controller.
func (r *Registry) To(room string) Room { return Room{r: r, name: room} }

// Rooms returns the names of the rooms that have at least one member, sorted. A room
// exists while it has members: it is freed when its last member leaves or closes.
func (r *Registry) Rooms() []string { return r.hub.Rooms() }

// Name is the room's name.
func (rm Room) Name() string { return rm.name }

// Clients returns a snapshot of the room's members, in no particular order.
func (rm Room) Clients() []*socket.Client { return rm.r.hub.Room(rm.name, nil) }

// Online is the number of the room's members.
func (rm Room) Online() int { return rm.r.hub.RoomLen(rm.name) }

// Send sends v to every member of the room. v is encoded once per message mode among
// the members (once, when they are all on @json routes).
func (rm Room) Send(v any) error { return rm.SendFunc(v, nil) }

// Broadcast sends v to every member of the room except from.
func (rm Room) Broadcast(from *socket.Client, v any) error {
	return rm.SendFunc(v, func(c *socket.Client) bool { return c != from })
}

// SendFunc sends v to the members of the room for which keep returns true (all when
// keep is nil), encoded once per message mode. keep runs without any lock held.
func (rm Room) SendFunc(v any, keep func(c *socket.Client) bool) error {
	return sendByMode(v, rm.r.hub.Room(rm.name, nil), keep)
}

// sendByMode encodes v once for each message mode found among clients and sends it to
// those that keep accepts.
func sendByMode(v any, clients []*socket.Client, keep func(c *socket.Client) bool) error {
	var byMode [3][]*socket.Client
	for _, c := range clients {
		if keep == nil || keep(c) {
			byMode[c.Mode()] = append(byMode[c.Mode()], c)
		}
	}
	var errs []error
	for m, cs := range byMode {
		if err := controller.SendPrepared(socket.Mode(m), v, cs, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
