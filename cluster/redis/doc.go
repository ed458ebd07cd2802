// Package redis is a cluster.Broker on Redis publish/subscribe, built on
// github.com/redis/rueidis, so that wsroute registries on several machines form one
// cluster.
//
//	b, err := redis.Connect(rueidis.MustParseURL("redis://127.0.0.1:6379"))
//	node, err := cluster.Join(b, registry, cluster.Config{})
//
// Credentials and TLS are rueidis's own options (ClientOption.Username, Password,
// TLSConfig, or a rediss:// URL), passed through unchanged.
//
// # Why rueidis
//
// A node's envelopes must reach the others in the order it published them. go-redis
// sends each command on whichever pooled connection is free, so two PUBLISHes in a row
// can reach Redis in either order unless everything goes through one dedicated
// connection. rueidis pipelines commands on one connection, and a DoMulti batch is
// written in order on one connection; the node's single outbox goroutine sends one batch
// at a time, so order holds without a lock of ours, at one round trip per batch. rueidis
// also never retries a PUBLISH (only read-only commands), so a reconnect cannot
// duplicate one.
//
// # Reconnects
//
// Connect fails when Redis cannot be reached at that moment (rueidis dials when the
// client is made); after that, outages are survived.
// Subscriptions live on one dedicated connection. When it breaks, the broker reports
// cluster.Disconnected, dials again with a back-off from 50 ms doubling to 1 s, subscribes
// to every channel again, and then reports cluster.Reconnected. Redis pub/sub is at most
// once: what was published while a node was not subscribed is not replayed, and a
// PUBLISH made while Redis is away fails (the node counts it as failed).
//
// Like other packages of that name, this one is named redis; import it under another
// name if that clashes.
package redis
