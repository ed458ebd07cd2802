package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// What pads a message to its size (-payload).
const (
	// payloadPad is one letter repeated, as in the first measurements: under deflate it
	// shrinks some hundredfold, which no real message does.
	payloadPad = "pad"
	// payloadText is JSON-like records of words and numbers, the same for every run:
	// under deflate (no context takeover) 4 KiB shrink to about a third, as an
	// application's JSON does.
	payloadText = "text"
)

// jsonPayload returns a JSON object of exactly size bytes (at least 24):
// {"type":"echo","pad":"..."} padded by kind.
func jsonPayload(size int, kind string) ([]byte, error) {
	const head, tail = `{"type":"echo","pad":"`, `"}`
	if size < len(head)+len(tail) {
		return nil, fmt.Errorf("size %d is below the %d bytes of the smallest message", size, len(head)+len(tail))
	}
	b := make([]byte, size)
	copy(b, head)
	fillPad(b[len(head):size-len(tail)], kind)
	copy(b[size-len(tail):], tail)
	return b, nil
}

var padWords = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
	"kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
	"uniform", "victor", "whiskey", "xray", "yankee", "zulu", "north", "south", "east", "west",
	"open", "closed", "pending", "shipped", "red", "green", "blue", "small", "large", "admin",
}

// fillPad fills dst with characters that need no escaping in a JSON string: one letter
// repeated (payloadPad), or records like {id:4711,name:kilo,city:romeo,qty:17,price:3.25,state:open}
// with numbers and words from a fixed seed (payloadText).
func fillPad(dst []byte, kind string) {
	if kind != payloadText {
		for i := range dst {
			dst[i] = 'x'
		}
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(b []byte) []byte { return append(b, padWords[rng.IntN(len(padWords))]...) }
	b := make([]byte, 0, len(dst)+96)
	for len(b) < len(dst) {
		b = append(b, "{id:"...)
		b = strconv.AppendInt(b, int64(rng.IntN(100000)), 10)
		b = append(b, ",name:"...)
		b = word(b)
		b = append(b, ",city:"...)
		b = word(b)
		b = append(b, ",qty:"...)
		b = strconv.AppendInt(b, int64(rng.IntN(100)), 10)
		b = append(b, ",price:"...)
		b = strconv.AppendInt(b, int64(rng.IntN(1000)), 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(10+rng.IntN(90)), 10)
		b = append(b, ",state:"...)
		b = word(b)
		b = append(b, "},"...)
	}
	copy(dst, b)
}
