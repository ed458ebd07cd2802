package peer

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/lxzan/gws"

	"github.com/wsroute/wsroute/parser"
)

// Mode is how a client's messages are encoded, from the route's @json, @text or @binary:
// the parser's Mode, so that a route's spec and its clients share one type.
type Mode = parser.Mode

// The message modes.
const (
	ModeJSON   = parser.ModeJSON
	ModeText   = parser.ModeText
	ModeBinary = parser.ModeBinary
)

// Message is one complete incoming message: all its fragments, inflated.
//
// The bytes returned by Bytes are valid only until the handler returns, because the
// buffer is reused for the next message. Use Clone or String to keep them. Sends copy
// them, so a handler may pass them to Client.Send or Prepare as they are (an echo is
// c.Send(json.RawMessage(m.Bytes()))).
type Message struct {
	data   []byte
	binary bool
	c      *Client // the sender, for Reply; nil from NewMessage
}

// NewMessage returns a Message holding data, for tests and for code that feeds
// handlers by hand. binary says whether it arrived in a binary frame.
func NewMessage(data []byte, binary bool) Message { return Message{data: data, binary: binary} }

// Bytes returns the message's payload. The slice is valid only until the handler returns;
// it may be overwritten by the next message.
func (m Message) Bytes() []byte { return m.data }

// Clone returns a copy of the payload that the caller may keep.
func (m Message) Clone() []byte { return append([]byte(nil), m.data...) }

// String returns a copy of the payload as a string.
func (m Message) String() string { return string(m.data) }

// Size is the payload's length in bytes, after inflating.
func (m Message) Size() int { return len(m.data) }

// Binary reports whether the message arrived in a binary frame (rather than a text frame).
// Every mode accepts both.
func (m Message) Binary() bool { return m.binary }

// Decode unmarshals the payload as JSON into v.
func (m Message) Decode(v any) error { return json.Unmarshal(m.data, v) }

// Binary is a value that every mode sends as a binary frame, even on a @json or @text
// route.
type Binary []byte

// Text is a value that every mode sends as a text frame, unencoded, even on a @json route.
// It must be valid UTF-8. It is how to pass pre-encoded JSON on a @binary route too.
type Text string

// encode turns v into a frame for mode, following the encoding table in the package doc.
func encode(mode Mode, v any) (gws.Opcode, []byte, error) {
	switch x := v.(type) {
	case Binary:
		return gws.OpcodeBinary, x, nil
	case Text:
		if !utf8.ValidString(string(x)) {
			return 0, nil, ErrInvalidText
		}
		return gws.OpcodeText, []byte(x), nil
	case json.RawMessage:
		if mode == ModeBinary {
			return gws.OpcodeBinary, x, nil
		}
		if !utf8.Valid(x) {
			return 0, nil, ErrInvalidText
		}
		return gws.OpcodeText, x, nil
	}
	switch mode {
	case ModeBinary:
		switch x := v.(type) {
		case []byte:
			return gws.OpcodeBinary, x, nil
		case string:
			return gws.OpcodeBinary, []byte(x), nil
		}
		return 0, nil, ErrUnsupportedValue
	case ModeText:
		switch x := v.(type) {
		case string:
			if !utf8.ValidString(x) {
				return 0, nil, ErrInvalidText
			}
			return gws.OpcodeText, []byte(x), nil
		case []byte:
			if !utf8.Valid(x) {
				return 0, nil, ErrInvalidText
			}
			return gws.OpcodeText, x, nil
		}
	}
	p, err := json.Marshal(v)
	if err != nil {
		return 0, nil, err
	}
	return gws.OpcodeText, p, nil
}
