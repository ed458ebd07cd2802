package socket

import "github.com/wsroute/wsroute/internal/peer"

// Timer is a callback scheduled on a client by After or Every (Odac's setTimeout and
// setInterval). It stops by itself when the client closes; Stop stops it sooner.
//
// A Timer holds no goroutine while it waits: each run starts on a goroutine of the
// runtime's timer, as with time.AfterFunc. Its methods are safe for concurrent use.
type Timer peer.Timer

// Stop stops the timer and reports whether this call stopped it: false when it was
// stopped already, when an After timer has already fired, or when the client's close
// stopped it. Stop does not wait for a run of fn that has already started.
func (t *Timer) Stop() bool {
	return (*peer.Timer)(t).Stop()
}

// Stopped reports whether the timer will run no more: it was stopped, the client
// closed, or it was an After timer that has fired.
func (t *Timer) Stopped() bool {
	return (*peer.Timer)(t).Stopped()
}
