package controller

import (
	"bytes"
	"encoding/json"

	"github.com/wsroute/wsroute/socket"
)

// handler is the controller seen as the socket.Handler of its clients.
type handler Controller

var (
	_ socket.Handler        = (*handler)(nil)
	_ socket.ControlHandler = (*handler)(nil)
)

func (h *handler) HandleOpen(c *socket.Client) {
	for _, fn := range h.onOpen {
		fn(c)
	}
}

func (h *handler) HandleMessage(c *socket.Client, m socket.Message) {
	if len(h.typed) > 0 {
		if fns := h.typed[string(messageType(m, h.typeField, h.mode != socket.ModeJSON))]; len(fns) > 0 {
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

func (h *handler) HandleError(c *socket.Client, err error) {
	if len(h.onError) == 0 {
		h.log.Warn("socket error", "client", c.ID(), "err", err)
		return
	}
	for _, fn := range h.onError {
		fn(c, err)
	}
}

func (h *handler) HandleClose(c *socket.Client, e socket.CloseEvent) {
	(*Controller)(h).leave(c)
	for _, fn := range h.onClose {
		fn(c, e)
	}
}

func (h *handler) HandlePing(c *socket.Client, p []byte) {
	for _, fn := range h.onPing {
		fn(c, p)
	}
}

func (h *handler) HandlePong(c *socket.Client, p []byte) {
	for _, fn := range h.onPong {
		fn(c, p)
	}
}

// messageType returns the string value of the top-level field of a JSON object message,
// unescaped, or nil when the message is not an object or the field is not a string. It
// scans with Message.Field, without decoding: no allocation unless the value has escapes.
// validate checks that the whole message is JSON first (@json routes have done so).
func messageType(m socket.Message, field string, validate bool) []byte {
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
