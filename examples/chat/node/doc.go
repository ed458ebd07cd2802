// Command node runs the chat of examples/chat as one node of a cluster. Several nodes
// on different ports, sharing one broker, form one chat: messages, joins, leaves and
// directs cross nodes, and a welcome's online is the room's count on every node.
//
//	NATS_URL=nats://127.0.0.1:4222 PORT=8001 go run .
//	REDIS_URL=redis://127.0.0.1:6379 PORT=8002 go run .
//
// With neither variable it is one process, like examples/chat. Either way it serves
// Prometheus metrics at /metrics (metrics/prometheus). NODE_ID names the node
// (default: random); CLUSTER_HEARTBEAT sets the presence heartbeat (default 2s). It is a
// module of its own so that the chat's module does not depend on the brokers' client
// libraries.
package main
