package cluster

import (
	"context"
	"time"
)

// Broker moves bytes between nodes: it knows nothing of envelopes, clients or rooms.
// Adapters wrap a client library (nats.go, rueidis); credentials and TLS are that
// library's own options.
//
// An adapter keeps its subscriptions across reconnects (it resubscribes by itself) and
// reports every change of connection state through the handler given to [Broker.Notify].
// Implementations must be safe for concurrent use.
type Broker interface {
	// Publish sends data on subject. A nil error means the adapter accepted the message,
	// not that any node received it. Publish must not keep data after it returns.
	Publish(ctx context.Context, subject string, data []byte) error

	// Subscribe calls handle with each message published on subject, one at a time and
	// in the order the broker delivered them, until Close. handle may keep data.
	Subscribe(subject string, handle func(data []byte)) error

	// Notify sets the function that receives connection events (disconnected,
	// reconnected, errors such as a slow consumer). Node calls it once, before
	// Subscribe. The function must not block.
	Notify(func(Event))

	// Close ends the subscriptions and the connection; later calls return an error.
	Close() error
}

// BatchPublisher is implemented by brokers that can send several messages in one round
// trip, in order. Node uses it, when present, to drain its outbox.
type BatchPublisher interface {
	PublishBatch(ctx context.Context, msgs []Message) error
}

// Message is one publication of a batch.
type Message struct {
	Subject string
	Data    []byte
}

// EventKind says what an [Event] reports.
type EventKind uint8

// The broker events.
const (
	// Disconnected: the connection to the broker was lost; messages published from now
	// until Reconnected may be lost.
	Disconnected EventKind = iota + 1
	// Reconnected: the connection is back and every subscription is restored.
	Reconnected
	// Error: an error the adapter could not return from a call, such as a NATS slow
	// consumer (messages dropped because the handler fell behind).
	Error
)

// String returns "disconnected", "reconnected" or "error".
func (k EventKind) String() string {
	switch k {
	case Disconnected:
		return "disconnected"
	case Reconnected:
		return "reconnected"
	case Error:
		return "error"
	}
	return "unknown"
}

// Event is a change of a broker's connection state, or an error.
type Event struct {
	Kind EventKind
	At   time.Time // when the adapter saw it
	Err  error     // the cause, when known
}

// Gap is a period during which a node could not reach the broker: cross-node messages
// published or due in it may be lost.
type Gap struct {
	From, To time.Time
}

// Duration is To - From.
func (g Gap) Duration() time.Duration { return g.To.Sub(g.From) }
