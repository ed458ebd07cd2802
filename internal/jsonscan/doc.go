// Package jsonscan is wsroute's one JSON scanner: Valid checks a message on a @json route
// without decoding it, and Field finds a top-level field's raw value (a request's
// callbackid, a message's type) without decoding the rest. Both run on every message,
// so neither allocates.
package jsonscan
