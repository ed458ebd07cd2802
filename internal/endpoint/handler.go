package endpoint

import (
	"bytes"
	"encoding/json"

	"github.com/wsroute/wsroute/internal/peer"
)

// handler is the controller seen as the peer.Handler of its clients.
type handler Endpoint

var (
	_ peer.Handler        = (*handler)(nil)
	_ peer.ControlHandler = (*handler)(nil)
)

func (h *handler) HandleOpen(c *peer.Client) {
	for _, fn := range h.onOpen {
		fn(c)
	}
}

func (h *handler) HandleMessage(c *peer.Client, m peer.Message) {
	if len(h.typed) > 0 {
		if fns := h.typed[string(messageType(m, h.typeField, h.mode != peer.ModeJSON))]; len(fns) > 0 {
			for _, fn := range fns {
				fn(c, m)
			}
			return
		}
	}
	for _, fn := range h.onMessage {
		fn(c, m)
	}
}

func (h *handler) HandleError(c *peer.Client, err error) {
	if len(h.onError) == 0 {
		h.log.Warn("socket error", "client", c.ID(), "err", err)
		return
	}
	for _, fn := range h.onError {
		fn(c, err)
	}
}

func (h *handler) HandleClose(c *peer.Client, e peer.CloseEvent) {
	(*Endpoint)(h).leave(c)
	for _, fn := range h.onClose {
		fn(c, e)
	}
}

func (h *handler) HandlePing(c *peer.Client, p []byte) {
	for _, fn := range h.onPing {
		fn(c, p)
	}
}

func (h *handler) HandlePong(c *peer.Client, p []byte) {
	for _, fn := range h.onPong {
		fn(c, p)
	}
}

// messageType returns the string value of the top-level field of a JSON object message,
// unescaped, or nil when the message is not an object or the field is not a string. It
// scans with Message.Field, without decoding: no allocation unless the value has escapes.
// validate checks that the whole message is JSON first (@json routes have done so).
func messageType(m peer.Message, field string, validate bool) []byte {
	v := m.Field(field)
	if len(v) < 2 || v[0] != '"' || validate && !json.Valid(m.Bytes()) {
		return nil
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1]
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return nil
	}
	return []byte(s)
}
