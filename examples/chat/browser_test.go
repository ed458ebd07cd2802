package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
)

// TestPageInBrowser loads the chat page in headless Chromium (client/test/chat.e2e.mjs,
// playwright-core from client/node_modules): two tabs join a room through /wsroute.js,
// the server restarts on the same address, both tabs reconnect to the same room and show
// it, and a message from one reaches the other.
func TestPageInBrowser(t *testing.T) {
	chromium, node := wstest.NeedBrowser(t, "../../client")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	log := slog.New(slog.DiscardHandler)
	var (
		mu     sync.Mutex // guards cancel, done
		cancel context.CancelFunc
		done   chan error
	)
	start := func(ln net.Listener) {
		ctx, c := context.WithCancel(context.Background())
		d := make(chan error, 1)
		go func() { d <- run(ctx, ln, route.New(route.Config{Logger: log}), log) }()
		mu.Lock()
		cancel, done = c, d
		mu.Unlock()
	}
	stop := func() error {
		mu.Lock()
		c, d := cancel, done
		mu.Unlock()
		c()
		return <-d
	}
	start(ln)
	defer func() { _ = stop() }()

	// POST /restart stops the chat server as SIGTERM would (every socket gets 1001) and
	// starts a new one, with a new registry, on the same address.
	ctl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := stop(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		start(ln)
	}))
	defer ctl.Close()

	ctx, cancelNode := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancelNode()
	cmd := exec.CommandContext(ctx, node, "test/chat.e2e.mjs", "http://"+addr, ctl.URL+"/restart")
	cmd.Dir = "../../client"
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	cmd.Stdout, cmd.Stderr = t.Output(), t.Output()
	require.NoError(t, cmd.Run(), "client/test/chat.e2e.mjs failed: see its output above")
}
