package endpoint

import "time"

// AutoDestroy destroys the controller once it has had no client for the grace period
// (Config.AutoDestroyDelay, 5 s by default): fns run, then the OnDestroy handlers, and
// the registry forgets the controller. A client that arrives during the grace period
// cancels it. Calling AutoDestroy again only adds fns.
func (ctl *Endpoint) AutoDestroy(fns ...func()) {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	ctl.autoFns = append(ctl.autoFns, fns...)
	if ctl.autoDestroy {
		return
	}
	ctl.autoDestroy = true
	if len(ctl.clients) == 0 && ctl.sealed.Load() && !ctl.destroyed {
		ctl.startTimerLocked()
	}
}

// startTimerLocked arms the autodestroy timer. ctl.mu must be held.
func (ctl *Endpoint) startTimerLocked() {
	ctl.stopTimerLocked()
	gen := ctl.timerGen
	ctl.timer = time.AfterFunc(ctl.delay, func() { ctl.expire(gen) })
}

// stopTimerLocked disarms the timer; a callback already running sees the generation
// change and does nothing. ctl.mu must be held.
func (ctl *Endpoint) stopTimerLocked() {
	ctl.timerGen++
	if ctl.timer != nil {
		ctl.timer.Stop()
		ctl.timer = nil
	}
}

func (ctl *Endpoint) expire(gen uint64) {
	ctl.mu.Lock()
	if gen != ctl.timerGen || ctl.destroyed || len(ctl.clients) > 0 {
		ctl.mu.Unlock()
		return
	}
	ctl.destroyed = true
	ctl.timer = nil
	fns := ctl.autoFns
	ctl.mu.Unlock()
	ctl.finishDestroy(fns)
}

// StopTimers disarms a pending autodestroy without destroying; the registry calls it on
// shutdown so that no timer outlives it.
func (ctl *Endpoint) StopTimers() {
	ctl.mu.Lock()
	ctl.stopTimerLocked()
	ctl.mu.Unlock()
}
