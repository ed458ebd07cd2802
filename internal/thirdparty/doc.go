// Package thirdparty holds the tests that check wsroute with third-party code (routers),
// in a module of its own so that the library's go.mod needs none of it.
package thirdparty
