package wire

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readFrame decodes one server frame from b with the standard library only: an
// independent reader of what this package writes.
func readFrame(t testing.TB, b []byte) (op byte, compressed bool, payload, rest []byte) {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 2)
	require.Equal(t, byte(0x80), b[0]&0x80, "FIN")
	require.Zero(t, b[0]&0x30, "RSV2, RSV3")
	require.Zero(t, b[1]&0x80, "server frames are not masked")
	op, compressed = b[0]&0x0F, b[0]&0x40 != 0
	n, h := int(b[1]&0x7F), 2
	switch n {
	case 126:
		n, h = int(binary.BigEndian.Uint16(b[2:])), 4
		require.GreaterOrEqual(t, n, 126, "shortest length encoding")
	case 127:
		n, h = int(binary.BigEndian.Uint64(b[2:])), 10
		require.Greater(t, n, 0xFFFF, "shortest length encoding")
	}
	payload, rest = b[h:h+n], b[h+n:]
	if compressed {
		r := flate.NewReader(io.MultiReader(bytes.NewReader(payload), bytes.NewReader(syncTail)))
		out, err := io.ReadAll(r)
		if err != io.ErrUnexpectedEOF { // the sync tail ends the stream without a final block
			require.NoError(t, err)
		}
		payload = out
	}
	return op, compressed, payload, rest
}

func TestFrames(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 127, 0xFFFF, 0x10000, 1 << 20} {
		p := bytes.Repeat([]byte("abcdefgh"), n/8+1)[:n]
		op, z, got, rest := readFrame(t, AppendFrame(nil, OpText, p))
		require.Equal(t, OpText, op)
		require.False(t, z)
		require.Equal(t, p, got)
		require.Empty(t, rest)

		op, z, got, rest = readFrame(t, AppendCompressedFrame([]byte("x")[1:], OpBinary, p))
		require.Equal(t, OpBinary, op)
		require.True(t, z)
		require.Equal(t, len(p), len(got))
		require.Equal(t, p, got)
		require.Empty(t, rest)
	}
}

func TestCompressedIsSmaller(t *testing.T) {
	p := []byte(strings.Repeat(`{"type":"message","text":"hello, world"},`, 100))
	f := AppendCompressedFrame(nil, OpText, p)
	require.Less(t, len(f), len(p)/4, "4 KiB of repetitive JSON compresses")
	require.False(t, bytes.HasSuffix(f, syncTail), "the sync tail is removed (RFC 7692 §7.2.1)")
}

func TestClose(t *testing.T) {
	op, _, p, _ := readFrame(t, AppendClose(nil, 4001, "unauthorized"))
	require.Equal(t, OpClose, op)
	require.Equal(t, uint16(4001), binary.BigEndian.Uint16(p))
	require.Equal(t, "unauthorized", string(p[2:]))

	_, _, p, _ = readFrame(t, AppendClose(nil, 0, "ignored"))
	require.Empty(t, p, "code 0: an empty close frame")

	long := strings.Repeat("é", 100) // 200 bytes, two per rune
	_, _, p, _ = readFrame(t, AppendClose(nil, 1000, long))
	require.LessOrEqual(t, len(p), MaxControl)
	require.Equal(t, strings.Repeat("é", 61), string(p[2:]), "cut on a rune boundary")

	_, _, p, _ = readFrame(t, AppendControl(nil, OpPing, bytes.Repeat([]byte{1}, 200)))
	require.Len(t, p, MaxControl)
}

// FuzzFrame round-trips any payload through both kinds of frame.
func FuzzFrame(f *testing.F) {
	f.Add([]byte{}, true)
	f.Add([]byte("hello"), false)
	f.Add(bytes.Repeat([]byte{0}, 70000), true)
	f.Fuzz(func(t *testing.T, p []byte, compress bool) {
		var b []byte
		if compress {
			b = AppendCompressedFrame(nil, OpBinary, p)
		} else {
			b = AppendFrame(nil, OpBinary, p)
		}
		_, z, got, rest := readFrame(t, b)
		require.Equal(t, compress, z)
		require.True(t, bytes.Equal(p, got))
		require.Empty(t, rest)
	})
}

func BenchmarkCompressedFrame4K(b *testing.B) {
	p := []byte(strings.Repeat(`{"type":"message","user":"ann","text":"hello, world"},`, 76))[:4096]
	var dst []byte
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		dst = AppendCompressedFrame(dst[:0], OpText, p)
	}
}
