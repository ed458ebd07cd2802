// Package hub is the index of a registry's live clients: by id, by the URL they
// connected to, and by the rooms they joined, and the one place that turns a
// declarative Target (everyone, one URL, one room, explicit ids, each with exceptions)
// into the clients it names.
//
// The index is sharded by key, so that joins, leaves and lookups on different clients
// and rooms do not contend on one lock. A room or a URL raises a hook when it gains its
// first member and when it loses its last, which is where a cluster subscribes and
// unsubscribes. See docs/internals.md for the lock order.
package hub
