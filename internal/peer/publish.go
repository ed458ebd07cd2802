package peer

import (
	"errors"
	"sync"

	"github.com/wsroute/wsroute/internal/hub"
)

var clientBufs = sync.Pool{New: func() any { s := make([]*Client, 0, 64); return &s }}

func getClients() *[]*Client { b := clientBufs.Get().(*[]*Client); *b = (*b)[:0]; return b }

func putClients(b *[]*Client) {
	clear(*b)
	if cap(*b) <= 1<<16 {
		clientBufs.Put(b)
	}
}

// Publish sends v to the clients t names for which keep returns true (all when keep is
// nil). v is encoded once per message mode among them and, for the clients that
// negotiated permessage-deflate, compressed once. Every send to more than one client
// goes through here. keep runs without any lock held; it is a closure, so it only ever
// filters this node's clients.
//
// Without keep, the send also goes to the function set by SetRemote, which carries it to
// the other nodes of a cluster.
func (h *Hub) Publish(t hub.Target, v any, keep func(*Client) bool) error {
	buf := getClients()
	defer putClients(buf)
	*buf = h.idx.Collect(t, *buf)
	enc, err := sendAll(*buf, v, keep)
	if keep == nil {
		if remote := h.remote.Load(); remote != nil {
			(*remote)(t, v, enc)
		}
	}
	return err
}

// PublishLocal is Publish to this hub's clients only: what a cluster node delivers.
func (h *Hub) PublishLocal(t hub.Target, v any, keep func(*Client) bool) error {
	buf := getClients()
	defer putClients(buf)
	*buf = h.idx.Collect(t, *buf)
	return SendAll(*buf, v, keep)
}

// Encodings are the encodings of one published value, by message mode: those made for
// this node's clients, so that carrying it to other nodes does not encode it again.
type Encodings [3]*Prepared

// Get returns v encoded for mode, made once.
func (e *Encodings) Get(mode Mode, v any) (*Prepared, error) {
	if mode >= Mode(len(e)) {
		mode = ModeJSON
	}
	if e[mode] == nil {
		p, err := Prepare(mode, v)
		if err != nil {
			return nil, err
		}
		e[mode] = p
	}
	return e[mode], nil
}

// SetRemote sets the function that carries Publish's sends to other nodes; nil unsets
// it. fn runs on the publishing goroutine and must not block; enc holds the encodings
// already made for this node's clients.
func (h *Hub) SetRemote(fn func(t hub.Target, v any, enc *Encodings)) {
	if fn == nil {
		h.remote.Store(nil)
		return
	}
	h.remote.Store(&fn)
}

// Counts returns the number of clients in total, per URL and per room.
func (h *Hub) Counts() (total int, urls, rooms map[string]int) { return h.idx.Counts() }

// SendAll sends v to each of clients that keep accepts (all when keep is nil), encoded
// once per message mode among them. It returns the encoding errors, one per mode.
func SendAll(clients []*Client, v any, keep func(*Client) bool) error {
	_, err := sendAll(clients, v, keep)
	return err
}

// sendAll is SendAll, and returns the encodings it made.
func sendAll(clients []*Client, v any, keep func(*Client) bool) (*Encodings, error) {
	prepared := new(Encodings)
	var failed [3]error
	for _, c := range clients {
		if keep != nil && !keep(c) {
			continue
		}
		m := c.Mode()
		if m >= Mode(len(prepared)) {
			m = ModeJSON
		}
		if prepared[m] == nil && failed[m] == nil {
			prepared[m], failed[m] = Prepare(m, v)
		}
		if p := prepared[m]; p != nil {
			if len(p.data) >= c.zmin {
				p.compressed() // once, here, rather than by a writer under the client's lock
			}
			_ = c.SendPrepared(p)
		}
	}
	if *prepared == (Encodings{}) && failed == [3]error{} && len(clients) > 0 {
		// keep took nobody: v is encoded all the same, so that a value the route cannot
		// send is reported whoever the receivers happen to be.
		_, failed[0] = prepared.Get(clients[0].Mode(), v)
	}
	return prepared, errors.Join(failed[:]...)
}

// Room is a named room: the clients that joined it (Client.Join) on every route and URL
// of the registry, or, for a room got from a controller, on that controller's URL only.
// Get one from Client.To, Hub.To or the controller's and registry's To; it is a small
// value, cheap to make for each send.
type Room struct {
	h     *Hub
	name  string
	scope string       // only the members connected to this URL; "" for all
	check func() error // run before each send: the scope's owner is still alive
}

// To returns the room named room across the whole hub.
func (h *Hub) To(room string) Room { return Room{h: h, name: room} }

// ToOn is To narrowed to the members connected to url. check, when not nil, runs
// before each send, which returns its error instead (a destroyed controller).
func (h *Hub) ToOn(room, url string, check func() error) Room {
	return Room{h: h, name: room, scope: url, check: check}
}

// Name is the room's name.
func (r Room) Name() string { return r.name }

func (r Room) target(except ...string) hub.Target {
	return hub.Target{Kind: hub.Room, Rooms: []string{r.name}, Scope: r.scope, Except: except}
}

// Clients returns a snapshot of the room's members, in no particular order.
func (r Room) Clients() []*Client {
	if r.h == nil {
		return nil
	}
	return r.h.idx.Collect(r.target(), nil)
}

// Online is the number of the room's members.
func (r Room) Online() int {
	switch {
	case r.h == nil:
		return 0
	case r.scope == "":
		return r.h.idx.RoomLen(r.name)
	}
	buf := getClients()
	defer putClients(buf)
	*buf = r.h.idx.Collect(r.target(), *buf)
	return len(*buf)
}

// Send sends v to every member of the room, encoded once per message mode among them.
func (r Room) Send(v any) error { return r.SendFunc(v, nil) }

// Broadcast sends v to every member of the room except from (nil: to everyone).
func (r Room) Broadcast(from *Client, v any) error {
	if err := r.alive(); err != nil || r.h == nil {
		return err
	}
	if from == nil {
		return r.h.Publish(r.target(), v, nil)
	}
	return r.h.Publish(r.target(from.id), v, nil)
}

// SendFunc sends v to the members of the room for which keep returns true (all when
// keep is nil), encoded once per message mode. keep runs without any lock held.
func (r Room) SendFunc(v any, keep func(c *Client) bool) error {
	if err := r.alive(); err != nil || r.h == nil {
		return err
	}
	return r.h.Publish(r.target(), v, keep)
}

func (r Room) alive() error {
	if r.check == nil {
		return nil
	}
	return r.check()
}
