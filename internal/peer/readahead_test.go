package peer

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	server = <-accepted
	require.NotNil(t, server)
	t.Cleanup(func() { _ = server.Close(); _ = client.Close() })
	return server, client
}

// TestReadAhead reads through netConn with small reads, as gws's 1 KiB buffer does,
// what the peer wrote in one go: the bytes arrive whole and in order, the read-ahead
// buffer is used while data flows and given back once drained, and the end of the
// stream still reaches the reader.
func TestReadAhead(t *testing.T) {
	srv, cli := tcpPair(t)
	want := make([]byte, 100<<10)
	for i := range want {
		want[i] = byte(rand.IntN(256))
	}
	_, err := cli.Write(want)
	require.NoError(t, err)
	require.NoError(t, cli.Close())

	n := &netConn{Conn: srv, pre: []byte("pre:")}
	var got bytes.Buffer
	usedAhead := false
	p := make([]byte, 1024)
	for {
		k, err := n.Read(p[:1+rand.IntN(len(p))])
		got.Write(p[:k])
		usedAhead = usedAhead || n.ra.buf != nil
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}
	assert.Equal(t, append([]byte("pre:"), want...), got.Bytes(), "every byte, in order, after the replayed ones")
	assert.True(t, usedAhead, "the read-ahead buffer was used")
	assert.Nil(t, n.ra.buf, "and given back")
	assert.Empty(t, n.ra.unread)
}

// TestReadAheadWithoutRawConn checks a connection with no file descriptor (net.Pipe,
// standing in for TLS): reads go straight through.
func TestReadAheadWithoutRawConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	go func() {
		_, _ = b.Write(bytes.Repeat([]byte("x"), 4096))
		_ = b.Close()
	}()
	n := &netConn{Conn: a}
	got, err := io.ReadAll(io.LimitReader(struct{ io.Reader }{n}, 1<<20))
	require.NoError(t, err)
	assert.Len(t, got, 4096)
	assert.True(t, n.ra.noRaw)
	assert.Nil(t, n.ra.buf)
}

// TestReadAheadIdle checks that a read which finds nothing more waiting takes no buffer.
func TestReadAheadIdle(t *testing.T) {
	srv, cli := tcpPair(t)
	_, err := cli.Write(make([]byte, 1024))
	require.NoError(t, err)
	n := &netConn{Conn: srv}
	p := make([]byte, 1024)
	_, err = io.ReadFull(n, p)
	require.NoError(t, err)
	assert.Nil(t, n.ra.buf, "a full read with nothing behind it holds no buffer")
}
