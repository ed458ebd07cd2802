package nats

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/wsroute/wsroute/cluster"
)

// Broker is a cluster.Broker on one NATS connection. All its methods are safe for
// concurrent use.
type Broker struct {
	nc  *natsgo.Conn
	own bool // Close closes nc

	mu                     sync.Mutex
	events                 func(cluster.Event)
	subs                   []*natsgo.Subscription
	closed                 bool
	pendingMsgs, pendBytes int
}

var _ cluster.Broker = (*Broker)(nil)

// Connect connects to the NATS server(s) at url (comma-separated) with opts. The Broker
// owns the connection: Close closes it.
func Connect(url string, opts ...natsgo.Option) (*Broker, error) {
	o := natsgo.GetDefaultOptions()
	o.Url = url
	o.MaxReconnect = -1
	o.RetryOnFailedConnect = true
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("nats: option: %w", err)
		}
	}
	b := &Broker{own: true}
	b.hook(&o)
	nc, err := o.Connect()
	if err != nil {
		return nil, fmt.Errorf("nats: connect %s: %w", url, err)
	}
	b.nc = nc
	return b, nil
}

// New makes a Broker on a connection the caller made and keeps: Close ends the
// subscriptions but leaves nc open. It installs its own connection callbacks on nc,
// calling the ones nc had before.
func New(nc *natsgo.Conn) *Broker {
	b := &Broker{nc: nc}
	o := nc.Opts
	b.hook(&o)
	nc.SetDisconnectErrHandler(o.DisconnectedErrCB)
	nc.SetReconnectHandler(o.ReconnectedCB)
	nc.SetErrorHandler(o.AsyncErrorCB)
	return b
}

// hook wraps o's callbacks so that the cluster hears of disconnects, reconnects and
// asynchronous errors, and the callbacks already there still run.
func (b *Broker) hook(o *natsgo.Options) {
	prevDisc, prevRec, prevErr, prevConn := o.DisconnectedErrCB, o.ReconnectedCB, o.AsyncErrorCB, o.ConnectedCB
	// With RetryOnFailedConnect, the first connection may come after Connect returned:
	// for the cluster that is the end of an outage that began at Notify.
	o.ConnectedCB = func(nc *natsgo.Conn) {
		b.emit(cluster.Event{Kind: cluster.Reconnected, At: time.Now()})
		if prevConn != nil {
			prevConn(nc)
		}
	}
	o.DisconnectedErrCB = func(nc *natsgo.Conn, err error) {
		b.emit(cluster.Event{Kind: cluster.Disconnected, At: time.Now(), Err: err})
		if prevDisc != nil {
			prevDisc(nc, err)
		}
	}
	o.ReconnectedCB = func(nc *natsgo.Conn) {
		b.emit(cluster.Event{Kind: cluster.Reconnected, At: time.Now()})
		if prevRec != nil {
			prevRec(nc)
		}
	}
	o.AsyncErrorCB = func(nc *natsgo.Conn, sub *natsgo.Subscription, err error) {
		if sub != nil {
			if errors.Is(err, natsgo.ErrSlowConsumer) {
				dropped, _ := sub.Dropped()
				err = fmt.Errorf("nats: slow consumer on %s, %d messages dropped so far: %w", sub.Subject, dropped, err)
			} else {
				err = fmt.Errorf("nats: subscription %s: %w", sub.Subject, err)
			}
		}
		b.emit(cluster.Event{Kind: cluster.Error, At: time.Now(), Err: err})
		if prevErr != nil {
			prevErr(nc, sub, err)
		}
	}
}

func (b *Broker) emit(ev cluster.Event) {
	b.mu.Lock()
	fn := b.events
	b.mu.Unlock()
	if fn != nil {
		fn(ev)
	}
}

// Conn returns the underlying connection.
func (b *Broker) Conn() *natsgo.Conn { return b.nc }

// SetPendingLimits sets how many messages and bytes a subscription made after this call
// may hold while its handler is busy; past either, NATS drops messages and the broker
// reports a slow consumer. nats.go's defaults are 500,000 messages and 64 MiB.
func (b *Broker) SetPendingLimits(msgs, bytes int) {
	b.mu.Lock()
	b.pendingMsgs, b.pendBytes = msgs, bytes
	b.mu.Unlock()
}

// Notify implements cluster.Broker. When the connection is not up at that moment (the
// first connection has not been made yet), fn gets a Disconnected event at once.
func (b *Broker) Notify(fn func(cluster.Event)) {
	b.mu.Lock()
	b.events = fn
	b.mu.Unlock()
	if fn != nil && !b.nc.IsConnected() {
		fn(cluster.Event{Kind: cluster.Disconnected, At: time.Now(), Err: natsgo.ErrNoServers})
	}
}

// Subscribe implements cluster.Broker with one asynchronous subscription: NATS calls
// handle on one goroutine, in order, and restores the subscription on reconnect.
func (b *Broker) Subscribe(subject string, handle func([]byte)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return cluster.ErrBrokerClosed
	}
	sub, err := b.nc.Subscribe(subject, func(m *natsgo.Msg) { handle(m.Data) })
	if err != nil {
		return fmt.Errorf("nats: subscribe %s: %w", subject, err)
	}
	if b.pendingMsgs != 0 || b.pendBytes != 0 {
		if err := sub.SetPendingLimits(b.pendingMsgs, b.pendBytes); err != nil {
			_ = sub.Unsubscribe()
			return fmt.Errorf("nats: pending limits: %w", err)
		}
	}
	b.subs = append(b.subs, sub)
	return nil
}

// Publish implements cluster.Broker. nats.go copies data into its write buffer and
// sends it in order on the one connection; ctx is not needed.
func (b *Broker) Publish(_ context.Context, subject string, data []byte) error {
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("nats: publish %s: %w", subject, err)
	}
	return nil
}

// Close ends the subscriptions and, for a Broker made by Connect, closes the
// connection.
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return cluster.ErrBrokerClosed
	}
	b.closed = true
	subs := b.subs
	b.subs = nil
	b.mu.Unlock()
	if b.own {
		b.nc.Close()
		return nil
	}
	var err error
	for _, s := range subs {
		err = errors.Join(err, s.Unsubscribe())
	}
	return err
}
