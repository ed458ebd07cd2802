package redis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/wsroute/wsroute/cluster"
)

// Back-off between attempts to restore the subscription connection.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = time.Second
)

// Broker is a cluster.Broker on a rueidis client. All its methods are safe for
// concurrent use.
type Broker struct {
	client rueidis.Client
	own    bool // Close closes client

	mu     sync.Mutex
	subs   map[string]func([]byte)
	events func(cluster.Event)
	closed bool
	wake   chan struct{} // a channel was added

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var (
	_ cluster.Broker         = (*Broker)(nil)
	_ cluster.BatchPublisher = (*Broker)(nil)
)

// Connect makes a rueidis client from opt (address, credentials, TLS) and a Broker that
// owns it: Close closes it. Client-side caching is switched off, as pub/sub has no use
// for it.
func Connect(opt rueidis.ClientOption) (*Broker, error) {
	opt.DisableCache = true
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	b := New(c)
	b.own = true
	return b, nil
}

// New makes a Broker on a client the caller made and keeps: Close leaves it open. The
// Broker takes one dedicated connection of it for its subscriptions.
func New(c rueidis.Client) *Broker {
	b := &Broker{client: c, subs: make(map[string]func([]byte)), wake: make(chan struct{}, 1)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.wg.Go(b.subscribeLoop)
	return b
}

// Notify implements cluster.Broker.
func (b *Broker) Notify(fn func(cluster.Event)) {
	b.mu.Lock()
	b.events = fn
	b.mu.Unlock()
}

func (b *Broker) emit(ev cluster.Event) {
	b.mu.Lock()
	fn := b.events
	b.mu.Unlock()
	if fn != nil {
		fn(ev)
	}
}

// Subscribe implements cluster.Broker. The subscription is made on the broker's
// subscription connection at once, and again after every reconnect.
func (b *Broker) Subscribe(channel string, handle func([]byte)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return cluster.ErrBrokerClosed
	}
	if b.subs[channel] != nil {
		return fmt.Errorf("redis: already subscribed to %s", channel)
	}
	b.subs[channel] = handle
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return nil
}

// names returns the channels subscribed to.
func (b *Broker) names() map[string]bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]bool, len(b.subs))
	for k := range b.subs {
		out[k] = true
	}
	return out
}

func (b *Broker) onMessage(m rueidis.PubSubMessage) {
	b.mu.Lock()
	h := b.subs[m.Channel]
	b.mu.Unlock()
	if h != nil {
		h([]byte(m.Message))
	}
}

// subscribeLoop keeps one dedicated connection subscribed to every channel, dialling
// again after each failure, and reports the connection's state: Disconnected at the
// first failure (also when the very first attempt fails), Reconnected at the first
// success after it.
func (b *Broker) subscribeLoop() {
	backoff := minBackoff
	reported := false
	for b.ctx.Err() == nil {
		dc, release := b.client.Dedicate()
		errc := dc.SetPubSubHooks(rueidis.PubSubHooks{OnMessage: b.onMessage, OnSubscription: func(rueidis.PubSubSubscription) {}})
		done := b.names()
		err := b.subscribe(dc, done)
		for err == nil {
			if reported {
				reported = false
				b.emit(cluster.Event{Kind: cluster.Reconnected, At: time.Now()})
			}
			backoff = minBackoff
			select {
			case err = <-errc:
				if err == nil {
					err = errors.New("redis: subscription connection closed")
				}
			case <-b.wake:
				// Channels added since: subscribe to them on this connection too.
				added := b.names()
				for k := range done {
					delete(added, k)
				}
				for k := range added {
					done[k] = true
				}
				err = b.subscribe(dc, added)
			case <-b.ctx.Done():
				release()
				return
			}
		}
		release()
		if b.ctx.Err() != nil {
			return
		}
		if !reported {
			reported = true
			b.emit(cluster.Event{Kind: cluster.Disconnected, At: time.Now(), Err: err})
		}
		select {
		case <-time.After(backoff):
		case <-b.ctx.Done():
			return
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (b *Broker) subscribe(dc rueidis.DedicatedClient, chans map[string]bool) error {
	if len(chans) == 0 {
		return nil
	}
	names := make([]string, 0, len(chans))
	for k := range chans {
		names = append(names, k)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return dc.Do(ctx, dc.B().Subscribe().Channel(names...).Build()).Error()
}

// Publish implements cluster.Broker with one PUBLISH.
func (b *Broker) Publish(ctx context.Context, channel string, data []byte) error {
	err := b.client.Do(ctx, b.client.B().Publish().Channel(channel).Message(rueidis.BinaryString(data)).Build()).Error()
	if err != nil {
		return fmt.Errorf("redis: publish %s: %w", channel, err)
	}
	return nil
}

// PublishBatch implements cluster.BatchPublisher: the PUBLISHes go out in one
// pipeline, in order, on one connection.
func (b *Broker) PublishBatch(ctx context.Context, msgs []cluster.Message) error {
	cmds := make(rueidis.Commands, len(msgs))
	for i, m := range msgs {
		cmds[i] = b.client.B().Publish().Channel(m.Subject).Message(rueidis.BinaryString(m.Data)).Build()
	}
	var err error
	for _, r := range b.client.DoMulti(ctx, cmds...) {
		if e := r.Error(); e != nil && err == nil {
			err = fmt.Errorf("redis: publish: %w", e)
		}
	}
	return err
}

// Close ends the subscriptions and, for a Broker made by Connect, closes the client.
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return cluster.ErrBrokerClosed
	}
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	if b.own {
		b.client.Close()
	}
	return nil
}
