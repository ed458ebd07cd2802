package controller

import (
	"sync"

	"github.com/wsroute/wsroute/socket"
)

var bufPool = sync.Pool{New: func() any { s := make([]*socket.Client, 0, 64); return &s }}

func getBuf() *[]*socket.Client { b := bufPool.Get().(*[]*socket.Client); *b = (*b)[:0]; return b }

func putBuf(b *[]*socket.Client) {
	clear(*b)
	if cap(*b) <= 1<<16 {
		bufPool.Put(b)
	}
}

// Send sends v to every connected client. v is encoded once, by the route's mode (the
// table is in the socket package documentation), and compressed at most once. It returns
// an error only when v cannot be encoded or the controller is destroyed; a client whose
// queue overflows is dealt with by its overflow policy and does not hold up the others.
func (ctl *Controller) Send(v any) error {
	return ctl.SendFunc(v, nil)
}

// SendFunc sends v, encoded once, to every connected client for which keep returns true
// (every client when keep is nil). keep runs without any lock held.
func (ctl *Controller) SendFunc(v any, keep func(c *socket.Client) bool) error {
	if ctl.Destroyed() {
		return ErrDestroyed
	}
	buf := getBuf()
	defer putBuf(buf)
	*buf = ctl.snapshot(*buf)
	return SendPrepared(ctl.mode, v, *buf, keep)
}

// SendPrepared encodes v once for mode and queues it for each client in clients that keep
// accepts (all when keep is nil). It is the one broadcast path of the controller and the
// registry.
func SendPrepared(mode socket.Mode, v any, clients []*socket.Client, keep func(c *socket.Client) bool) error {
	if len(clients) == 0 {
		return nil
	}
	p, err := socket.Prepare(mode, v)
	if err != nil {
		return err
	}
	defer p.Release()
	for _, c := range clients {
		if keep != nil && !keep(c) {
			continue
		}
		_ = c.SendPrepared(p)
	}
	return nil
}
