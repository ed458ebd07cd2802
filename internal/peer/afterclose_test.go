package peer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAfterCloseForgetsUnregistered registers many callbacks, unregisters most of them,
// and checks that the client does not keep them and that only the others run, in order.
func TestAfterCloseForgetsUnregistered(t *testing.T) {
	c := &Client{nc: &netConn{}}
	var ran []int
	stops := make([]func(), 0, 1000)
	for i := range 1000 {
		stops = append(stops, c.AfterClose(func() { ran = append(ran, i) }))
	}
	for i, stop := range stops {
		if i%100 != 0 {
			stop()
		}
	}
	stops[1]() // twice is harmless
	assert.LessOrEqual(t, len(c.onClose), 40, "unregistered callbacks are dropped, not kept as tombstones")
	for _, fn := range c.finish() {
		fn()
	}
	assert.Equal(t, []int{0, 100, 200, 300, 400, 500, 600, 700, 800, 900}, ran)
	stops[0]() // after the close: nothing to do

	now := false
	c.AfterClose(func() { now = true })
	assert.True(t, now, "registered on a closed client: runs at once")
}
