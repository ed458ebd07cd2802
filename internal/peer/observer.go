package peer

import "time"

// Observer receives one route's events, for metrics (route.Observer, bound to the
// route's pattern). Its methods run on the paths they count, the write path included:
// they must be fast and must not block. A nil Observer costs a nil check.
type Observer interface {
	Received(bytes int)                    // a message read
	Sent(messages, bytes int)              // messages written, their bytes on the wire
	Dropped(policy Overflow, messages int) // messages an overflow policy dropped
	Handled(d time.Duration)               // a message handler's run time
	Closed(code StatusCode)                // a client closed, with the code of its close event
	QueueDepth(messages int)               // the messages queued for the route's clients, each sweep
}

func (c *Client) observeDropped(policy Overflow, n int) {
	if obs := c.up.opts.Observer; obs != nil && n > 0 {
		obs.Dropped(policy, n)
	}
}

func (c *Client) observeSent(messages, bytes int) {
	if obs := c.up.opts.Observer; obs != nil && messages > 0 {
		obs.Sent(messages, bytes)
	}
}
