package peer

import (
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/lxzan/gws"
)

// DefaultReplyField is the default of Options.ReplyField: the field of Total.js's $.api
// messages ({"TYPE":"api","callbackid":"…","data":…}).
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
	return field(m.data, name)
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
	id := field(m.data, name)
	if string(id) == "null" {
		return nil
	}
	return id
}

// Reply answers a request (Total.js $.api, a Socket.IO acknowledgement): it sends v to
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

// field finds the value of the top-level key name in the JSON object data, without
// decoding. It returns nil when data is not an object or the key is absent. It trusts
// data to be JSON (the @json mode validates every message); on other input it returns
// nil or some slice of data, never panics.
func field(data []byte, name string) []byte {
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil
	}
	i++
	for {
		i = skipJSONSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return nil // '}' of an object without the key, or not JSON
		}
		end, escaped := scanJSONString(data, i)
		if end < 0 {
			return nil
		}
		var match bool
		if escaped {
			var k string
			match = json.Unmarshal(data[i:end], &k) == nil && k == name
		} else {
			// Invalid UTF-8 decodes to U+FFFD, so a key equal to an invalid name is not it.
			match = string(data[i+1:end-1]) == name && utf8.ValidString(name)
		}
		i = skipJSONSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil
		}
		i = skipJSONSpace(data, i+1)
		vend := skipJSONValue(data, i)
		if vend < 0 {
			return nil
		}
		if match {
			return data[i:vend:vend]
		}
		i = skipJSONSpace(data, vend)
		if i >= len(data) || data[i] != ',' {
			return nil
		}
		i++
	}
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanJSONString returns the index just past the string starting at data[i] (a '"'), and
// whether it holds escapes; -1 when it is not terminated.
func scanJSONString(data []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '"':
			return j + 1, escaped
		case '\\':
			escaped = true
			j++
		}
	}
	return -1, false
}

// skipJSONValue returns the index just past the JSON value starting at data[i], or -1.
func skipJSONValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		end, _ := scanJSONString(data, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, _ := scanJSONString(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if j == i {
				return -1
			}
			return j
		}
		j++
	}
	if j == i {
		return -1
	}
	return j
}
