package route

import "github.com/wsroute/wsroute/internal/handshake"

// IPKey exposes handshake.IPKey, what a per-address connection cap counts.
var IPKey = handshake.IPKey
