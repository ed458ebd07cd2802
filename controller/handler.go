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
		if fns := h.typed[messageType(m.Bytes(), h.typeField)]; len(fns) > 0 {
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

// messageType returns the string value of the top-level field name of a JSON object, or
// "" when data is not an object or the field is not a string.
func messageType(data []byte, field string) string {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 || data[0] != '{' {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return ""
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		key, _ := t.(string)
		if key == field {
			t, err = dec.Token()
			if err != nil {
				return ""
			}
			s, _ := t.(string)
			return s
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}
