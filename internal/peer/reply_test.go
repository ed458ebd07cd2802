package peer_test

import (
	"encoding/json"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

type sum struct {
	Type string `json:"type"`
	Sum  int    `json:"sum"`
}

// TestReply answers requests with Message.Reply and checks that each answer carries the
// request's callback id, as it was written (number, string, object).
func TestReply(t *testing.T) {
	tests := []struct {
		name  string
		mode  peer.Mode
		field string // Options.ReplyField
		req   string
		reply any
		want  string // the frame, "" when Reply fails
		err   error
	}{
		{"number id, object reply", peer.ModeJSON, "", `{"type":"sum","callbackid":7,"a":1}`, sum{"sum", 3}, `{"callbackid":7,"type":"sum","sum":3}`, nil},
		{"string id", peer.ModeJSON, "", `{"callbackid":"req-1"}`, map[string]bool{"ok": true}, `{"callbackid":"req-1","ok":true}`, nil},
		{"object id kept as is", peer.ModeJSON, "", `{"callbackid": {"n": [1, 2]} }`, map[string]int{}, `{"callbackid":{"n": [1, 2]}}`, nil},
		{"non-object reply is wrapped", peer.ModeJSON, "", `{"callbackid":1}`, "ok", `{"callbackid":1,"data":"ok"}`, nil},
		{"array reply is wrapped", peer.ModeJSON, "", `{"callbackid":1}`, []int{1, 2}, `{"callbackid":1,"data":[1,2]}`, nil},
		{"nil reply", peer.ModeJSON, "", `{"callbackid":1}`, nil, `{"callbackid":1,"data":null}`, nil},
		{"raw JSON reply", peer.ModeJSON, "", `{"callbackid":1}`, json.RawMessage(`{"x":1}`), `{"callbackid":1,"x":1}`, nil},
		{"configured field", peer.ModeJSON, "cid", `{"cid":9,"callbackid":1}`, sum{"r", 1}, `{"cid":9,"type":"r","sum":1}`, nil},
		{"configured field absent", peer.ModeJSON, "cid", `{"callbackid":1}`, sum{}, "", peer.ErrNoCallbackID},
		{"no id", peer.ModeJSON, "", `{"type":"sum"}`, sum{}, "", peer.ErrNoCallbackID},
		{"null id", peer.ModeJSON, "", `{"callbackid":null}`, sum{}, "", peer.ErrNoCallbackID},
		{"not an object", peer.ModeJSON, "", `[{"callbackid":1}]`, sum{}, "", peer.ErrNoCallbackID},
		{"text route", peer.ModeText, "", `{"callbackid":2}`, "ok", `{"callbackid":2,"data":"ok"}`, nil},
		{"text route, not JSON", peer.ModeText, "", `callbackid: 2`, "ok", "", peer.ErrNoCallbackID},
		{"text route, broken id", peer.ModeText, "", `{"callbackid":2x}`, "ok", "", peer.ErrNoCallbackID},
		{"binary route", peer.ModeBinary, "", `{"callbackid":3}`, sum{"s", 0}, `{"callbackid":3,"type":"s","sum":0}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				errs := make(chan error, 1)
				srv := newTestServer(peer.Options{Mode: tc.mode, ReplyField: tc.field}, &handlerFuncs{
					message: func(c *peer.Client, m peer.Message) { errs <- m.Reply(tc.reply) },
				})
				w, _ := srv.dial(t, wstest.Options{})
				w.SendText(t, tc.req)
				err := <-errs
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					assert.Empty(t, drain(w), "nothing sent")
				} else {
					require.NoError(t, err)
					f := w.Recv(t)
					assert.Equal(t, tc.want, string(f.Data))
					assert.Equal(t, tc.mode == peer.ModeBinary, f.Binary, "the reply's frame type follows the mode")
					assert.True(t, json.Valid(f.Data))
				}
				w.Kill()
			})
		})
	}
}

// TestReplyLater keeps the callback id and answers after the handler has returned, from
// another goroutine, while later messages reuse the read buffer.
func TestReplyLater(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := make(chan json.RawMessage, 4)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			message: func(c *peer.Client, m peer.Message) { ids <- m.CallbackID() },
		})
		w, c := srv.dial(t, wstest.Options{})
		w.SendText(t, `{"callbackid":"first"}`)
		w.SendText(t, `{"callbackid":"2nd-overwrites-the-buffer"}`)
		w.SendText(t, `{"no":"id"}`)
		first, second, none := <-ids, <-ids, <-ids
		assert.Nil(t, none)
		done := make(chan error)
		go func() { done <- c.ReplyTo(first, map[string]int{"n": 1}) }()
		require.NoError(t, <-done)
		require.NoError(t, c.ReplyTo(second, "two"))
		assert.Equal(t, `{"callbackid":"first","n":1}`, string(w.Recv(t).Data))
		assert.Equal(t, `{"callbackid":"2nd-overwrites-the-buffer","data":"two"}`, string(w.Recv(t).Data))
		assert.ErrorIs(t, c.ReplyTo(nil, 1), peer.ErrNoCallbackID)
		assert.ErrorIs(t, c.ReplyTo(json.RawMessage(`{`), 1), peer.ErrNoCallbackID)
		var ute *json.UnsupportedTypeError
		assert.ErrorAs(t, c.ReplyTo(json.RawMessage(`"x"`), func() {}), &ute, "encoding errors are returned")
		w.Kill()
		synctest.Wait()
		assert.ErrorIs(t, c.ReplyTo(first, 1), peer.ErrClosed)
	})
}

func TestReplyWithoutClient(t *testing.T) {
	m := peer.NewMessage([]byte(`{"callbackid":1}`), false)
	assert.Error(t, m.Reply("x"), "a hand-made message has nobody to answer")
	assert.Equal(t, `1`, string(m.CallbackID()), "the default field")
}
