package peer_test

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/peer"
	"github.com/wsroute/wsroute/internal/wstest"
)

// TestConnErrorsReachTheErrorHandler checks that a connection failing under a client
// reaches the error handler, before the close handler: a protocol failure with the code
// the peer was sent, and a reset as a read error. A peer that hangs up cleanly is no error.
func TestConnErrorsReachTheErrorHandler(t *testing.T) {
	type seen struct {
		err   error
		close bool
	}
	setup := func(t *testing.T) (*wstest.Raw, chan seen) {
		events := make(chan seen, 4)
		srv := newTestServer(peer.Options{}, &handlerFuncs{
			err:   func(_ *peer.Client, err error) { events <- seen{err: err} },
			close: func(*peer.Client, peer.CloseEvent) { events <- seen{close: true} },
		})
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		raw := wstest.OpenRaw(t, hs.URL, "/t/", nil)
		<-srv.clients
		return raw, events
	}
	next := func(t *testing.T, ch chan seen) seen {
		t.Helper()
		select {
		case s := <-ch:
			return s
		case <-time.After(wstest.Timeout):
			t.Fatal("no event")
			return seen{}
		}
	}

	t.Run("protocol failure", func(t *testing.T) {
		raw, events := setup(t)
		raw.Send(t, wstest.RawFrame{Fin: true, Op: 0x3, Payload: []byte(`{}`)})
		code, _ := raw.Closed(t)
		assert.EqualValues(t, 1002, code)
		s := next(t, events)
		var ce *peer.ConnError
		require.True(t, errors.As(s.err, &ce), "got %v", s.err)
		assert.Equal(t, "read", ce.Op)
		assert.Equal(t, peer.StatusProtocolError, ce.Code)
		assert.True(t, next(t, events).close, "the close event follows")
	})

	t.Run("reset", func(t *testing.T) {
		raw, events := setup(t)
		raw.Reset()
		s := next(t, events)
		var ce *peer.ConnError
		require.True(t, errors.As(s.err, &ce), "got %v", s.err)
		assert.Equal(t, "read", ce.Op)
		assert.Zero(t, ce.Code)
		assert.True(t, next(t, events).close)
	})

	t.Run("clean hang-up", func(t *testing.T) {
		raw, events := setup(t)
		_ = raw.Close()
		assert.True(t, next(t, events).close, "only the close event")
	})
}
