package peer

import (
	"encoding/json"
	"math/bits"
	"sync"
)

// Sends copy the bytes a caller hands them ([]byte, json.RawMessage, Binary): the caller
// may then reuse them as soon as the send returns, and a handler may send the bytes of
// the message it is handling (Message.Bytes) without cloning them first. The copies of
// single sends come from pools of power-of-two buffers and go back once written or
// dropped, so a reply costs no garbage; bytes that encode made (json.Marshal's output)
// are the queue's already and are not copied.

const (
	minPayloadClass = 6  // 64 B
	maxPayloadClass = 16 // 64 KiB; larger copies are plain allocations
)

var payloadPools [maxPayloadClass - minPayloadClass + 1]sync.Pool

// payloadClass returns the index of the smallest pooled size that holds n bytes, or -1.
func payloadClass(n int) int {
	c := max(bits.Len(uint(n-1)), minPayloadClass)
	if n == 0 || c > maxPayloadClass {
		return -1
	}
	return c - minPayloadClass
}

// copyPayload copies p into a pooled buffer when it fits one; buf is what freePayload
// takes back (nil for a plain allocation).
func copyPayload(p []byte) (data []byte, buf *[]byte) {
	c := payloadClass(len(p))
	if c < 0 {
		return append([]byte(nil), p...), nil
	}
	if b, ok := payloadPools[c].Get().(*[]byte); ok {
		return append((*b)[:0], p...), b
	}
	b := make([]byte, 0, 1<<(c+minPayloadClass))
	b = append(b, p...)
	return b, &b
}

// freePayload returns a buffer from copyPayload to its pool.
func freePayload(buf *[]byte) {
	if c := payloadClass(cap(*buf)); c >= 0 && cap(*buf) == 1<<(c+minPayloadClass) {
		*buf = (*buf)[:0]
		payloadPools[c].Put(buf)
	}
}

// callersBytes reports whether data, which encode returned for v, is v's own memory
// rather than bytes encode made.
func callersBytes(v any, data []byte) bool {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	case json.RawMessage:
		b = x
	case Binary:
		b = x
	default:
		return false
	}
	return len(b) > 0 && len(data) > 0 && &b[0] == &data[0]
}

// ownPayload makes it.data the queue's own: a pooled copy when it is the caller's memory.
func (it *outItem) ownPayload(v any) {
	if callersBytes(v, it.data) {
		it.data, it.buf = copyPayload(it.data)
	}
}
