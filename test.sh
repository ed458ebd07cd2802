#!/usr/bin/env bash
# test.sh — runs every test of wsroute: the main module, each nested module, and the
# browser client's tests. It is the README's test command, and .ci/run calls it.
#
# Tests that need a service (redis-server, Chromium) start it themselves on loopback; when
# it is not installed they skip with a message, unless WSROUTE_REQUIRE_SERVICES=1 (set by
# .ci/run) makes that a failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

step() { printf '\n==> %s\n' "$*"; }

# Every module of the repository, the main one first: a go.mod anywhere is tested.
modules() {
	echo .
	find . -name go.mod -not -path './go.mod' -not -path '*/node_modules/*' | sed 's|/go.mod$||' | sort
}

go_tests() {
	local m
	for m in $(modules); do
		step "go test -race ./... ($m)"
		(cd "$m" && go test -race ./...)
	done
}

# The npm packages of the interop tests (internal/interop: Node's ws package checks what
# wsroute writes), from the committed lockfile. Without npm the tests that need them skip.
npm_packages() {
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is not installed: the Node interop tests will skip (apt-get install -y nodejs npm)" >&2
		return
	fi
	step "npm ci (internal/interop)"
	(cd internal/interop && npm ci --no-audit --no-fund)
}

main() {
	npm_packages
	go_tests
}

main "$@"
