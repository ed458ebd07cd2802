package socket

import (
	"encoding/json"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/parser"
)

// Mode is how a client's messages are encoded, from the route's @json, @text or @binary.
// It is the parser's Mode: a route's spec and its clients share one type.
type Mode = parser.Mode

// The message modes.
const (
	ModeJSON   = parser.ModeJSON
	ModeText   = parser.ModeText
	ModeBinary = parser.ModeBinary
)

// DefaultMaxBytes is the message size limit of a route without "<size>": 256 KiB
// (parser.DefaultMaxBytes).
const DefaultMaxBytes = parser.DefaultMaxBytes

// DefaultReplyField is the default of route.Config's ReplyField: the field of Total.js's
// $.api messages ({"TYPE":"api","callbackid":"…","data":…}).
const DefaultReplyField = peer.DefaultReplyField

// Message is one complete incoming message: all its fragments, inflated.
//
// The bytes returned by Bytes are valid only until the handler returns, because the
// buffer is reused for the next message. Use Clone or String to keep them. Sends copy
// them, so a handler may pass them to Client.Send as they are (an echo is
// c.Send(json.RawMessage(m.Bytes()))).
type Message peer.Message

// NewMessage returns a Message holding data, for tests and for code that feeds
// messages to handlers itself. Its Reply returns an error: it has no client.
func NewMessage(data []byte, binary bool) Message { return Message(peer.NewMessage(data, binary)) }

// Binary is a value that every mode sends as a binary frame, even on a @json or @text
// route (Odac's sendBinary).
type Binary = peer.Binary

// Text is a value that every mode sends as a text frame, unencoded, even on a @json route.
// It must be valid UTF-8. It is how to pass pre-encoded JSON on a @binary route too.
type Text = peer.Text

// Bytes returns the message's payload. The slice is valid only until the handler returns;
// it may be overwritten by the next message.
func (m Message) Bytes() []byte {
	return peer.Message(m).Bytes()
}

// Clone returns a copy of the payload that the caller may keep.
func (m Message) Clone() []byte {
	return peer.Message(m).Clone()
}

// String returns a copy of the payload as a string.
func (m Message) String() string {
	return peer.Message(m).String()
}

// Size is the payload's length in bytes, after inflating.
func (m Message) Size() int {
	return peer.Message(m).Size()
}

// Binary reports whether the message arrived in a binary frame (rather than a text frame).
// Every mode accepts both.
func (m Message) Binary() bool {
	return peer.Message(m).Binary()
}

// Decode unmarshals the payload as JSON into v.
func (m Message) Decode(v any) error {
	return peer.Message(m).Decode(v)
}

// Field returns the raw JSON value of the top-level field name of a message that is a
// JSON object, or nil when the message is not an object or has no such field. When the
// field appears more than once, the first wins (as with encoding/json's Decoder).
//
// Field scans the bytes without decoding them and without allocating (unless the
// message's keys use escapes). The returned slice shares the message's buffer: like
// Bytes, it is valid only until the handler returns.
func (m Message) Field(name string) json.RawMessage {
	return peer.Message(m).Field(name)
}

// CallbackID returns a copy of the message's callback id, the raw JSON value of the
// route's reply field (route.Config's ReplyField, "callbackid" by default), or nil when there
// is none or it is null. Keep it to answer later, after the handler has returned, with
// Client.ReplyTo.
func (m Message) CallbackID() json.RawMessage {
	return peer.Message(m).CallbackID()
}

// Reply answers a request: it sends v to
// the client the message came from, carrying the message's callback id. It must be
// called before the handler returns; to answer later, keep m.CallbackID() and call
// Client.ReplyTo.
//
// The id is looked for only when Reply is called, so messages that are never answered
// cost nothing extra. v is JSON-encoded whatever the route's mode, and the id is added
// as the first field of the object: a request {"type":"sum","callbackid":7,"a":1,"b":2}
// answered with Reply(Sum{Sum: 3}) sends {"callbackid":7,"sum":3}. A v that does not
// encode to an object is wrapped: Reply("ok") sends {"callbackid":7,"data":"ok"}.
// The reply goes out as a text frame, or a binary frame on a @binary route.
//
// It returns ErrNoCallbackID when the message has no callback id, and the errors of
// Client.Send otherwise.
func (m Message) Reply(v any) error {
	return peer.Message(m).Reply(v)
}
