package route

import (
	"github.com/wsroute/wsroute/socket"
)

// Room is a named room (socket.Room). The registry's rooms span the whole registry:
// every client that joined the room (socket.Client.Join), whatever its route and
// controller. It is how code outside the socket handlers reaches a group of clients:
//
//	reg.To("user-42").Send(notification{Type: "notification", Text: "hi"})
type Room = socket.Room

// To returns the registry-wide room named room. Controller.To gives the part of a room
// that belongs to one controller.
func (r *Registry) To(room string) Room { return Room(r.hub.To(room)) }

// Rooms returns the names of the rooms that have at least one member, sorted. A room
// exists while it has members: it is freed when its last member leaves or closes.
func (r *Registry) Rooms() []string { return r.hub.Rooms() }
