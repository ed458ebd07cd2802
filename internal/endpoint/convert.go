package endpoint

import (
	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/socket"
)

// Users converts a snapshot of clients to the type handlers see (a copy: converting
// the slice itself would take unsafe).
func Users(ps []*peer.Client) []*socket.Client {
	out := make([]*socket.Client, len(ps))
	for i, p := range ps {
		out[i] = (*socket.Client)(p)
	}
	return out
}

// PeerKeep wraps a user's keep function for the hub. nil stays nil, which the hub reads
// as "everyone" (and may then forward to other nodes).
func PeerKeep(keep func(*socket.Client) bool) func(*peer.Client) bool {
	if keep == nil {
		return nil
	}
	return func(p *peer.Client) bool { return keep((*socket.Client)(p)) }
}
