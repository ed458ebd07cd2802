package clustertest

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wsroute/wsroute/cluster"
)

// Delivery is one call of Local.Deliver.
type Delivery struct {
	Target  cluster.Target
	Mode    cluster.Mode
	Payload string
}

// Closed is one call of Local.CloseClient.
type Closed struct {
	ID     string
	Code   uint16
	Reason string
}

// Recorder is a cluster.Local that records deliveries and closes, and reports the
// presence counts set with SetPresence.
type Recorder struct {
	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	delivered []Delivery
	closed    []Closed
	presence  cluster.Counts
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{changed: make(chan struct{})} }

// Deliver records the call, copying payload.
func (r *Recorder) Deliver(t cluster.Target, mode cluster.Mode, payload []byte) {
	r.mu.Lock()
	r.delivered = append(r.delivered, Delivery{Target: t, Mode: mode, Payload: string(payload)})
	r.signalLocked()
	r.mu.Unlock()
}

// CloseClient records the call.
func (r *Recorder) CloseClient(id string, code uint16, reason string) {
	r.mu.Lock()
	r.closed = append(r.closed, Closed{id, code, reason})
	r.signalLocked()
	r.mu.Unlock()
}

// Presence returns what SetPresence set.
func (r *Recorder) Presence() cluster.Counts {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.presence
	c.URLs = maps.Clone(c.URLs)
	c.Rooms = maps.Clone(c.Rooms)
	return c
}

// SetPresence sets the counts that Presence reports.
func (r *Recorder) SetPresence(c cluster.Counts) {
	r.mu.Lock()
	r.presence = c
	r.mu.Unlock()
}

func (r *Recorder) signalLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Delivered returns a copy of the deliveries so far.
func (r *Recorder) Delivered() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.delivered)
}

// Closes returns a copy of the closes so far.
func (r *Recorder) Closes() []Closed {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.closed)
}

// WaitFor waits until cond holds for the deliveries, or fails t after timeout.
func (r *Recorder) WaitFor(t testing.TB, timeout time.Duration, what string, cond func([]Delivery, []Closed) bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok := cond(r.delivered, r.closed)
		ch := r.changed
		n := len(r.delivered)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("after %v: %s; %d deliveries: %s", timeout, what, n, summary(r.Delivered()))
		}
	}
}

// WaitPayload waits until a delivery with payload p has been recorded.
func (r *Recorder) WaitPayload(t testing.TB, timeout time.Duration, p string) Delivery {
	t.Helper()
	var got Delivery
	r.WaitFor(t, timeout, fmt.Sprintf("waiting for payload %q", p), func(ds []Delivery, _ []Closed) bool {
		for _, d := range ds {
			if d.Payload == p {
				got = d
				return true
			}
		}
		return false
	})
	return got
}

func summary(ds []Delivery) string {
	if len(ds) > 10 {
		return fmt.Sprintf("%v ... %v", ds[:5], ds[len(ds)-5:])
	}
	return fmt.Sprint(ds)
}

// Eventually polls cond every 10 ms until it holds, or fails t after timeout. It is for
// state without a change notification (presence counts).
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond) // polling a state that has no change notification
	}
}
