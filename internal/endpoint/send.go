package endpoint

import (
	"slices"
	"sync"

	"github.com/wsroute/wsroute/internal/hub"
	"github.com/wsroute/wsroute/internal/peer"
)

var bufPool = sync.Pool{New: func() any { s := make([]*peer.Client, 0, 64); return &s }}

func getBuf() *[]*peer.Client { b := bufPool.Get().(*[]*peer.Client); *b = (*b)[:0]; return b }

func putBuf(b *[]*peer.Client) {
	clear(*b)
	if cap(*b) <= 1<<16 {
		bufPool.Put(b)
	}
}

// Send sends v to every connected client. v is encoded once, by the route's mode (the
// table is in the socket package documentation), and compressed at most once. It returns
// an error only when v cannot be encoded or the controller is destroyed; a client whose
// queue overflows is dealt with by its overflow policy and does not hold up the others.
func (ctl *Endpoint) Send(v any) error {
	return ctl.SendFunc(v, nil)
}

// SendFunc sends v, encoded once, to every connected client for which keep returns true
// (every client when keep is nil). keep runs without any lock held.
func (ctl *Endpoint) SendFunc(v any, keep func(c *peer.Client) bool) error {
	return ctl.publish(hub.Target{Kind: hub.URL, Key: ctl.key}, v, keep)
}

// publish sends v to the clients t names, through the registry's hub: every send of the
// controller to more than one client goes through here. A controller made without a hub
// (in tests) sends to its own clients.
func (ctl *Endpoint) publish(t hub.Target, v any, keep func(c *peer.Client) bool) error {
	ctl.mu.RLock()
	h, destroyed := ctl.hub, ctl.destroyed
	ctl.mu.RUnlock()
	switch {
	case destroyed:
		return ErrDestroyed
	case h != nil:
		return h.Publish(t, v, keep)
	}
	buf := getBuf()
	defer putBuf(buf)
	*buf = ctl.snapshot(*buf)
	return peer.SendAll(*buf, v, func(c *peer.Client) bool {
		if slices.Contains(t.Except, c.ID()) {
			return false
		}
		if t.Kind == hub.Room && !slices.ContainsFunc(t.Rooms, c.InRoom) {
			return false
		}
		return keep == nil || keep(c)
	})
}
