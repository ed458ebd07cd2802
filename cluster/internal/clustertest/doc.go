// Package clustertest holds what the tests of package cluster and its broker adapters
// share: a Local that records what a node delivers, and the cross-node and fault tests
// that every Broker must pass, written once and run against each adapter.
package clustertest
