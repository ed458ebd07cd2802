package peer

import (
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/jsonscan"
)

// DefaultReplyField is the default of Options.ReplyField (see socket.DefaultReplyField).
const DefaultReplyField = "callbackid"

var errNoClient = errors.New("socket: message was not received from a client")

func replyKey(field string) []byte {
	k, _ := json.Marshal(field) // a string always marshals
	return append(k, ':')
}

// Field returns the raw JSON value of the top-level field name of a message that is a
// JSON object, or nil when the message is not an object or has no such field. When the
// field appears more than once, the first wins (as with encoding/json's Decoder).
//
// Field scans the bytes without decoding them and without allocating (unless the
// message's keys use escapes). The returned slice shares the message's buffer: like
// Bytes, it is valid only until the handler returns.
func (m Message) Field(name string) json.RawMessage {
	return jsonscan.Field(m.data, name)
}

// CallbackID returns a copy of the message's callback id, the raw JSON value of the
// route's reply field (Options.ReplyField, "callbackid" by default), or nil when there
// is none or it is null. Keep it to answer later, after the handler has returned, with
// Client.ReplyTo.
func (m Message) CallbackID() json.RawMessage {
	id := m.callbackID()
	if id == nil {
		return nil
	}
	return append(json.RawMessage(nil), id...)
}

func (m Message) callbackID() []byte {
	name := DefaultReplyField
	if m.c != nil {
		name = m.c.up.opts.ReplyField
	}
	id := jsonscan.Field(m.data, name)
	if string(id) == "null" {
		return nil
	}
	return id
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
	if m.c == nil {
		return errNoClient
	}
	id := m.callbackID()
	if id == nil {
		return ErrNoCallbackID
	}
	return m.c.ReplyTo(id, v)
}

// ReplyTo sends v to the client as the answer to the request whose callback id is id
// (from Message.CallbackID), in the form Message.Reply describes. It is for answers
// made after the handler has returned, such as from a goroutine that queried a database.
func (c *Client) ReplyTo(id json.RawMessage, v any) error {
	if len(id) == 0 || !json.Valid(id) || string(id) == "null" {
		return ErrNoCallbackID
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	key := c.up.replyKey
	out := make([]byte, 0, len(body)+len(key)+len(id)+10)
	out = append(out, '{')
	out = append(out, key...)
	out = append(out, id...)
	if body[0] == '{' {
		if rest := body[1:]; rest[0] != '}' {
			out = append(out, ',')
			out = append(out, rest...)
		} else {
			out = append(out, '}')
		}
	} else {
		out = append(out, `,"data":`...)
		out = append(out, body...)
		out = append(out, '}')
	}
	op := gws.OpcodeText
	if c.up.opts.Mode == ModeBinary {
		op = gws.OpcodeBinary
	} else if !utf8.Valid(id) {
		return ErrNoCallbackID // JSON from a binary frame may hold invalid UTF-8; a text frame must not
	}
	return c.enqueue(outItem{op: op, data: out})
}
