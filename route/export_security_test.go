package route

// IPKey exposes ipKey, what a per-address connection cap counts.
var IPKey = ipKey
