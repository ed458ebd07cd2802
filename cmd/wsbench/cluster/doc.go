// Command cluster measures wsroute across nodes: one publisher on node A, receivers
// split across nodes A and B, which share a broker (NATS, embedded here, or Redis, a
// redis-server started on loopback), against one node doing the same job, in the same
// run. Each message carries its send time, so every delivery is timed.
//
//	cd cmd/wsbench/cluster && go run . -brokers=nats,redis -receivers=1000 -msgs=2000
//
// It is a module of its own, for the brokers' client libraries (cmd/wsbench is in
// wsroute's module, which depends on neither).
package main
