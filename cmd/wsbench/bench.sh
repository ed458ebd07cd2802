#!/usr/bin/env bash
# bench.sh runs every scenario of wsbench as BENCHMARKS.md reports them, writing the JSON
# results and the Markdown tables to docs/benchmarks/, then draws the plots. Each wsbench
# run stays under ten minutes; the whole takes about fifteen on two cores. Run it from
# the repository root on a machine doing nothing else:
#
#	bash cmd/wsbench/bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=docs/benchmarks
mkdir -p "$out"
go build -o /tmp/wsbench ./cmd/wsbench

run() { # name, then wsbench run flags
	local name=$1
	shift
	echo "==> $name: wsbench run $*" >&2
	/tmp/wsbench run "$@" -json="$out/$name.json" | tee "$out/$name.md"
}

run echo64 -scenario=echo -size=64 -conns=100,1000,5000,10000
run echo4k -scenario=echo -size=4096 -conns=100 -total=100000
run broadcast -scenario=broadcast -conns=100,1000,5000,10000
run idle -scenario=idle -conns=10000,19000
run slow -scenario=slow
run churn -scenario=churn

# With permessage-deflate offered as browsers do, and without, in the same invocation;
# 4 KiB messages are JSON-like text that deflates to about a third.
run deflate-echo64 -scenario=echo -size=64 -conns=100,1000 -deflate=off,on -payload=text
run deflate-echo4k -scenario=echo -size=4096 -conns=100 -total=100000 -deflate=off,on -payload=text
run deflate-broadcast64 -scenario=broadcast -size=64 -conns=100,1000 -deflate=off,on -payload=text
run deflate-broadcast4k -scenario=broadcast -size=4096 -conns=100,1000 -total=200000 -deflate=off,on -payload=text
run deflate-idle -scenario=idle -conns=10000 -deflate=off,on

(cd cmd/wsbench/plot && go run . -in ../../../$out -out ../../../$out)
