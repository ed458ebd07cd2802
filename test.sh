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

# The browser client: its npm packages from the lockfile (when missing or older than it),
# then the bundle's build (type check, size budget) and its node:test unit tests. The
# Chromium end-to-end test is a Go test (client/browser_test.go), run by go_tests after
# this, because it needs client/node_modules.
client_tests() {
	step "client: npm ci, node --test"
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		if [[ -n "${WSROUTE_REQUIRE_SERVICES:-}" ]]; then
			echo "node and npm are needed for the browser client's tests (apt-get install -y nodejs npm)" >&2
			exit 1
		fi
		echo "skipped: node/npm not installed (apt-get install -y nodejs npm); set WSROUTE_REQUIRE_SERVICES=1 to make this a failure"
		return
	fi
	if [[ ! -d client/node_modules || client/package-lock.json -nt client/node_modules/.package-lock.json ]]; then
		(cd client && npm ci --no-audit --no-fund)
	fi
	(cd client && npm test)
}

main() {
	npm_packages
	client_tests
	go_tests
}

main "$@"
