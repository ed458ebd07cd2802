package route_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
)

// records is a slog handler that keeps every record's message and attributes.
type records struct {
	mu    sync.Mutex
	attrs []slog.Attr // from WithAttrs
	got   []map[string]any
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	m := map[string]any{"msg": r.Message}
	for _, a := range h.attrs {
		m[a.Key] = a.Value.Any()
	}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.Any(); return true })
	h.mu.Lock()
	h.got = append(h.got, m)
	h.mu.Unlock()
	return nil
}
func (h *records) WithAttrs(as []slog.Attr) slog.Handler {
	return &sharedRecords{parent: h, attrs: as}
}
func (h *records) WithGroup(string) slog.Handler { return h }

func (h *records) find(msg string) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.got {
		if m["msg"] == msg {
			return m
		}
	}
	return nil
}

// sharedRecords adds attributes and stores into its parent.
type sharedRecords struct {
	parent *records
	attrs  []slog.Attr
}

func (h *sharedRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *sharedRecords) Handle(ctx context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(h.attrs...)
	return h.parent.Handle(ctx, r)
}
func (h *sharedRecords) WithAttrs(as []slog.Attr) slog.Handler {
	return &sharedRecords{parent: h.parent, attrs: append(append([]slog.Attr{}, h.attrs...), as...)}
}
func (h *sharedRecords) WithGroup(string) slog.Handler { return h }

// TestLogKeys checks that refusals are logged with the documented keys (docs/operations.md).
func TestLogKeys(t *testing.T) {
	rec := &records{}
	reg := route.New(route.Config{
		Logger:       slog.New(rec),
		PingInterval: -1,
		CSRFKey:      []byte("0123456789abcdef0123456789abcdef"),
		CSRFSession:  func(*http.Request) string { return "s" },
		Authorize:    func(*http.Request) (any, bool, error) { return nil, false, nil },
	})
	reg.Middleware("deny", func(*route.Handshake) (bool, error) { return false, errors.New("no entry") })
	reg.ROUTE("SOCKET /csrf/ @csrf", func(*controller.Controller) {})
	reg.ROUTE("SOCKET /mw/ #deny", func(*controller.Controller) {})
	reg.ROUTE("+SOCKET /auth/", func(*controller.Controller) {})
	base := serve(t, reg)

	for _, p := range []string{"/csrf/", "/mw/", "/auth/"} {
		c := wstest.Dial(t, wstest.WSURL(base, p), wstest.Options{})
		c.WaitClosed(t)
	}
	for msg, keys := range map[string][]string{
		"csrf refused":       {"route", "url", "client", "ip", "code", "reason"},
		"middleware refused": {"route", "url", "client", "ip", "code", "reason", "err", "middleware"},
		"unauthorized":       {"ip", "code", "reason"},
	} {
		m := rec.find(msg)
		require.NotNil(t, m, "a %q record", msg)
		for _, k := range keys {
			assert.Contains(t, m, k, "%q has %q", msg, k)
		}
	}
	assert.EqualValues(t, 4002, rec.find("csrf refused")["code"])
	assert.Equal(t, "/mw/", rec.find("middleware refused")["url"])
	assert.Equal(t, "SOCKET /mw/ @json #deny <256KB", rec.find("middleware refused")["route"])
}
