// Package nats is a cluster.Broker on NATS core publish/subscribe (github.com/nats-io/nats.go),
// so that wsroute registries on several machines form one cluster.
//
//	b, err := nats.Connect("nats://127.0.0.1:4222", natsgo.UserCredentials("node.creds"))
//	node, err := cluster.Join(b, registry, cluster.Config{})
//
// Credentials, TLS and reconnect timing are nats.go's own options, passed through
// unchanged. Connect adds two defaults, which an option given to it overrides: reconnect
// forever, and keep trying when the first connection fails. nats.go resubscribes after
// every reconnect; this package turns its connection callbacks into cluster events
// (disconnected, reconnected) and its asynchronous errors, a slow consumer among them,
// into cluster.Error events, so none is swallowed.
//
// While disconnected, nats.go keeps what is published in its reconnect buffer (8 MiB by
// default, nats.ReconnectBufSize) and sends it once reconnected; beyond that Publish
// fails and the node counts the envelope as failed. Messages other nodes published
// during the outage are not replayed: NATS core is at most once.
//
// Like nats.go's package, this one is named nats; import one of them under another name.
package nats
