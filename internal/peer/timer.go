package peer

import (
	"sync"
	"time"
)

// Timer is a callback scheduled on a client by After or Every. It stops by itself when the client closes; Stop stops it sooner.
//
// A Timer holds no goroutine while it waits: each run starts on a goroutine of the
// runtime's timer, as with time.AfterFunc. Its methods are safe for concurrent use.
type Timer struct {
	c     *Client
	fn    func()
	every time.Duration // 0 for After

	mu      sync.Mutex // guards the fields below; taken before Client.mu, never after
	t       *time.Timer
	next    time.Time // when the current tick is due (Every)
	stopped bool
	unhook  func() // unregisters the AfterClose hook
}

// After runs fn once, d from now, unless the client has started closing by then or the
// returned Timer was stopped.
//
// fn runs on a goroutine of its own, concurrently with the client's handlers; it may
// call any method of the client. A panic in fn is handled as a panic in a handler: it
// is logged, passed to the error handler as a *PanicError and the client is closed with
// StatusInternalError.
func (c *Client) After(d time.Duration, fn func()) *Timer {
	return c.schedule(d, 0, fn)
}

// Every runs fn every d until the client starts closing or the returned Timer is
// stopped. The first run is d from now. Runs never overlap: when fn takes longer than
// d, the ticks it missed are skipped, not queued. It panics if d is not positive.
//
// fn runs as After's does: on a goroutine of its own, concurrently with the client's
// handlers, with panics recovered.
func (c *Client) Every(d time.Duration, fn func()) *Timer {
	if d <= 0 {
		panic("socket: Every with a non-positive interval")
	}
	return c.schedule(d, d, fn)
}

func (c *Client) schedule(d, every time.Duration, fn func()) *Timer {
	t := &Timer{c: c, fn: fn, every: every}
	// If the client has closed already, AfterClose calls Stop at once: the timer is
	// returned stopped and never armed.
	unhook := c.AfterClose(func() { t.Stop() })
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return t
	}
	t.unhook = unhook
	t.next = time.Now().Add(d)
	t.t = time.AfterFunc(d, t.fire)
	return t
}

// Stop stops the timer and reports whether this call stopped it: false when it was
// stopped already, when an After timer has already fired, or when the client's close
// stopped it. Stop does not wait for a run of fn that has already started.
func (t *Timer) Stop() bool {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return false
	}
	t.stopped = true
	if t.t != nil {
		t.t.Stop()
	}
	unhook := t.unhook
	t.unhook = nil
	t.mu.Unlock()
	if unhook != nil {
		unhook()
	}
	return true
}

// Stopped reports whether the timer will run no more: it was stopped, the client
// closed, or it was an After timer that has fired.
func (t *Timer) Stopped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stopped
}

func (t *Timer) fire() {
	t.mu.Lock()
	if t.stopped || t.c.isClosing() {
		// Closing: the AfterClose hook marks the timer stopped when the close completes.
		t.mu.Unlock()
		return
	}
	var unhook func()
	if t.every == 0 {
		t.stopped = true
		unhook, t.unhook = t.unhook, nil
	}
	t.mu.Unlock()
	if unhook != nil {
		unhook()
	}
	t.run()
	if t.every == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	now := time.Now()
	t.next = t.next.Add(t.every)
	if late := now.Sub(t.next); late >= 0 {
		t.next = t.next.Add((late/t.every + 1) * t.every) // skip the ticks fn overran
	}
	t.t.Reset(t.next.Sub(now))
}

func (t *Timer) run() {
	defer t.c.recoverHandler()
	t.fn()
}
