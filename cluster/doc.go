// Package cluster lets several wsroute processes act as one registry: a send on one node
// reaches the matching clients on every node, and presence counts cover the whole cluster.
//
// The package has no dependency beyond the standard library. It holds three things:
//
//   - [Broker], the only thing a message transport has to provide: publish bytes on a
//     subject, subscribe to a subject, report connection state. The adapters
//     github.com/wsroute/wsroute/cluster/nats and github.com/wsroute/wsroute/cluster/redis
//     are nested modules, so this module gains no broker client. [MemoryBus] is an
//     in-process broker for tests and single-binary setups.
//   - The envelope ([Envelope], [Encode], [Decode]): a versioned binary format that
//     wsroute owns, with a size cap. Decoding never panics; a node drops and logs any
//     envelope that fails validation.
//   - [Node], which a registry joins: it publishes through a bounded outbox, hands what
//     other nodes publish to a [Local] (implemented by the registry), and keeps
//     cluster-wide presence from periodic heartbeats.
//
// # Identifiers and subjects
//
// Every node has an id (letters, digits and '_'). A client id is "<node>-<local id>"
// ([ClientID], [NodeOf]), so a send to one client id is published on that node's own
// subject ("<prefix>.node.<node>") and no other node sees it; everything else goes on
// "<prefix>.all". Subjects are built only from validated node ids, never from text a
// WebSocket client sent.
//
// # Guarantees
//
// Delivery is at most once, in publish order per publishing node and subject. Messages
// are lost while the broker is unreachable or when the outbox overflows (the oldest is
// dropped and counted). The full statement, with what can be lost and when, is in
// docs/cluster.md.
//
// # Concurrency
//
// All methods of Node and MemoryBus are safe for concurrent use. Node calls Local's
// methods on the broker's delivery goroutines, one subject at a time and in order; they
// must not block.
package cluster
