// Command plot draws the PNG figures of BENCHMARKS.md from the JSON that "wsbench run
// -json" writes. It is a module of its own so that the plotting library stays out of
// wsroute's go.mod:
//
//	cd cmd/wsbench/plot && go run . -in ../../../docs/benchmarks -out ../../../docs/benchmarks
//
// It reads echo64.json, broadcast.json and idle.json from -in, when present, and writes
// throughput.png (throughput against connections), latency.png (latency percentiles)
// and memory.png (server memory per idle connection).
package main
