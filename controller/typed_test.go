package controller_test

import (
	"log/slog"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestOnTypedDispatch sends messages to a route with On handlers and checks which
// handler each one reaches, with the default type field and a configured one.
func TestOnTypedDispatch(t *testing.T) {
	tests := []struct {
		name      string
		typeField string // route.Config.TypeField
		route     string
		msg       string
		binary    bool
		want      string // "join-room", "leave" or "message"
	}{
		{"match", "", "SOCKET /t/", `{"type":"join-room","room":"a"}`, false, "join-room"},
		{"field not first", "", "SOCKET /t/", `{"room":"a","n":[1,{"type":"x"}],"type":"join-room"}`, false, "join-room"},
		{"other type", "", "SOCKET /t/", `{"type":"chat"}`, false, "message"},
		{"second type", "", "SOCKET /t/", `{"type":"leave"}`, false, "leave"},
		{"type not a string", "", "SOCKET /t/", `{"type":1}`, false, "message"},
		{"type null", "", "SOCKET /t/", `{"type":null}`, false, "message"},
		{"no type", "", "SOCKET /t/", `{"room":"a"}`, false, "message"},
		{"nested type does not count", "", "SOCKET /t/", `{"data":{"type":"join-room"}}`, false, "message"},
		{"a JSON string", "", "SOCKET /t/", `"join-room"`, false, "message"},
		{"an array", "", "SOCKET /t/", `[{"type":"join-room"}]`, false, "message"},
		{"escaped key", "", "SOCKET /t/", `{"typ\u0065":"join-room"}`, false, "join-room"},
		{"escaped value", "", "SOCKET /t/", `{"type":"join\u002droom"}`, false, "join-room"},
		{"first of duplicates", "", "SOCKET /t/", `{"type":"join-room","type":"leave"}`, false, "join-room"},
		{"case matters", "", "SOCKET /t/", `{"Type":"join-room"}`, false, "message"},
		{"binary frame", "", "SOCKET /t/", `{"type":"join-room"}`, true, "join-room"},
		{"configured field", "event", "SOCKET /t/", `{"event":"join-room","type":"leave"}`, false, "join-room"},
		{"configured field, default absent", "event", "SOCKET /t/", `{"type":"join-room"}`, false, "message"},
		{"Total.js $.api field", "TYPE", "SOCKET /t/", `{"TYPE":"leave","callbackid":1}`, false, "leave"},
		{"text route", "", "SOCKET /t/ @text", `{"type":"leave"}`, false, "leave"},
		{"text route, not JSON", "", "SOCKET /t/ @text", `type: leave`, false, "message"},
		{"text route, broken JSON", "", "SOCKET /t/ @text", `{"type":"leave"`, false, "message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				reg := route.New(route.Config{Logger: slog.New(slog.DiscardHandler), PingInterval: -1, TypeField: tc.typeField})
				got := make(chan string, 4)
				reg.ROUTE(tc.route, func(ctl *controller.Controller) {
					ctl.On("join-room", func(c *socket.Client, m socket.Message) { got <- "join-room" })
					ctl.On("leave", func(c *socket.Client, m socket.Message) { got <- "leave" })
					ctl.OnMessage(func(c *socket.Client, m socket.Message) { got <- "message" })
				})
				w := pipe(t, reg, "/t/")
				if tc.binary {
					w.SendBinary(t, []byte(tc.msg))
				} else {
					w.SendText(t, tc.msg)
				}
				assert.Equal(t, tc.want, <-got, "message %s", tc.msg)
				synctest.Wait()
				assert.Empty(t, got, "one handler kind per message")
				w.Kill()
			})
		})
	}
}

// TestOnHandlersInOrder checks that several On handlers of one type all run, in order,
// with the message, and that On without OnMessage drops other messages quietly.
func TestOnHandlersInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := newReg()
		got := make(chan string, 4)
		reg.ROUTE("SOCKET /t/", func(ctl *controller.Controller) {
			ctl.On("join-room", func(c *socket.Client, m socket.Message) {
				var in struct{ Room string }
				require.NoError(t, m.Decode(&in))
				got <- "first " + in.Room
			})
			ctl.On("join-room", func(c *socket.Client, m socket.Message) { got <- "second " + m.String() })
		})
		w := pipe(t, reg, "/t/")
		w.SendText(t, `{"type":"other"}`)
		w.SendText(t, `{"type":"join-room","room":"lobby"}`)
		assert.Equal(t, "first lobby", <-got)
		assert.Equal(t, `second {"type":"join-room","room":"lobby"}`, <-got)
		synctest.Wait()
		assert.Empty(t, got, "the other type went nowhere")
		w.Kill()
	})
}

// TestAPIRequestReply is Total.js's $.api in wsroute: a typed handler answers a request
// and the answer carries the request's callback id; the field names are configurable.
func TestAPIRequestReply(t *testing.T) {
	for _, tc := range []struct {
		name              string
		typeField, replyF string
		req, want         string
	}{
		{"Total.js shape", "TYPE", "",
			`{"TYPE":"api","callbackid":"c1","data":{"schema":"sum","data":{"a":1,"b":2}}}`,
			`{"callbackid":"c1","success":true,"value":3}`},
		{"Socket.IO-like ack field", "", "ack",
			`{"type":"api","ack":12,"data":{"data":{"a":20,"b":22}}}`,
			`{"ack":12,"success":true,"value":42}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				reg := route.New(route.Config{Logger: slog.New(slog.DiscardHandler), PingInterval: -1,
					TypeField: tc.typeField, ReplyField: tc.replyF})
				reg.ROUTE("SOCKET /api/", func(ctl *controller.Controller) {
					ctl.On("api", func(c *socket.Client, m socket.Message) {
						var in struct {
							Data struct{ Data struct{ A, B int } }
						}
						require.NoError(t, m.Decode(&in))
						require.NoError(t, m.Reply(map[string]any{"success": true, "value": in.Data.Data.A + in.Data.Data.B}))
					})
				})
				w := pipe(t, reg, "/api/")
				w.SendText(t, tc.req)
				assert.JSONEq(t, tc.want, string(w.Recv(t).Data))
				w.Kill()
			})
		})
	}
}
