// Command wsbench measures wsroute side by side with raw gws on loopback.
//
// Each measurement runs a server and its load clients as separate processes: wsbench
// starts copies of itself. "wsbench run" is the orchestrator; it alternates the
// implementations within one invocation, runs each -runs times (5 by default), reads the
// server's CPU time and memory from /proc/<pid>/stat and /proc/<pid>/status, and prints
// the medians and the ratio of wsroute to gws as a Markdown table:
//
//	go build -o /tmp/wsbench ./cmd/wsbench
//	/tmp/wsbench run -scenario=echo -conns=100 -size=64
//	/tmp/wsbench run -scenario=echo -conns=100 -size=4096 -total=100000
//	/tmp/wsbench run -scenario=broadcast -conns=1000
//	/tmp/wsbench run -scenario=idle -conns=10000,19000
//	/tmp/wsbench run -scenario=slow
//	/tmp/wsbench run -scenario=churn
//	/tmp/wsbench run -scenario=echo -size=4096 -deflate=off,on -payload=text
//
// # Compression
//
// -deflate=on makes the clients offer permessage-deflate as browsers do
// ("permessage-deflate; client_max_window_bits") and refuse a server that does not accept
// it; the gws server then enables it (wsroute negotiates it by default). -deflate=off,on
// measures both, one table each, in the same invocation. -payload=text pads messages with
// JSON-like records that deflate to about a third, instead of one repeated letter. Echo
// and broadcast tables give the bytes read on the wire per message.
//
// # Scenarios
//
//   - echo: N connections each send M JSON messages of -size bytes to a @json route that
//     echoes them, at most -window unanswered per connection. Throughput, round-trip
//     percentiles, server CPU per message.
//   - broadcast: one publisher sends M messages; the server broadcasts each to N
//     receivers (wsroute: Controller.Send; gws: a Broadcaster loop), at most -window
//     messages not yet received by everyone. Deliveries per second, delivery latency
//     percentiles (each message carries its send time), server CPU per delivery.
//   - idle: N connections that send nothing, spread over client processes of
//     -per-process connections with source addresses 127.0.0.2 and up. Server RSS per
//     connection above the baseline, before and after a forced GC, and its breakdown.
//   - slow: the broadcast scenario with one more receiver that never reads (its receive
//     buffer is 4 KiB). Healthy throughput, the server's peak RSS growth, and what became
//     of the slow consumer.
//   - churn: -workers clients at a time connect, wait for the server's hello, close with
//     1000 and wait for the server to end the connection, N in all. Connections per second.
//
// # Processes
//
// "wsbench server -impl=wsroute|gws -addr=127.0.0.1:0" serves every scenario's path,
// prints "listening ADDR" and runs until its standard input closes. GET /bench/stats
// returns its figures as JSON (with ?gc=1 after a forced GC); -pprof adds
// /debug/pprof/. "wsbench client" is the client side of one scenario: it prints
// "ready {json}", waits for "go", prints "result {json}", and exits on "stop".
// Every wait is bounded by -timeout, and every address must be a loopback address.
package main
