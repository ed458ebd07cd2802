package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
)

// MaxNodeID is the longest node id accepted.
const MaxNodeID = 32

// ErrBadID reports a node id or client id that is not valid.
var ErrBadID = errors.New("cluster: invalid id")

// ValidNodeID reports whether id can name a node: 1 to MaxNodeID letters, digits or '_'.
// It excludes '-', which separates the node from the local part of a client id, and
// '.', '*' and '>', which mean something in subjects.
func ValidNodeID(id string) bool {
	if len(id) == 0 || len(id) > MaxNodeID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// NewNodeID returns a random node id of 12 hex digits.
func NewNodeID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ClientID returns the cluster-wide id of the client with the given local id on node:
// "<node>-<local>".
func ClientID(node, local string) string { return node + "-" + local }

// NodeOf returns the node part of a client id made by [ClientID], and false when id has
// no valid node part.
func NodeOf(clientID string) (string, bool) {
	node, local, ok := strings.Cut(clientID, "-")
	if !ok || local == "" || !ValidNodeID(node) {
		return "", false
	}
	return node, true
}

// DefaultPrefix starts every subject when Config.Prefix is empty.
const DefaultPrefix = "wsroute"

// validPrefix: parts of letters, digits, '_' and '-' joined by '.', so that a prefix
// never holds a wildcard or an empty subject token.
func validPrefix(p string) bool {
	if p == "" || len(p) > 128 {
		return false
	}
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

// SubjectAll is the subject every node subscribes to: broadcasts, URL and room sends,
// heartbeats.
func SubjectAll(prefix string) string { return prefix + ".all" }

// SubjectNode is the subject only node subscribes to: sends to its clients' ids and
// closes by id.
func SubjectNode(prefix, node string) string { return prefix + ".node." + node }
