// Package app is the chat of examples/chat as a library: its route, its page and its
// server, so that the single-process command (examples/chat) and the cluster node
// (examples/chat/node) run the same chat.
package app
