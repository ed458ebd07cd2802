package wire

import (
	"bytes"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Level is the compression level: the fastest, as browsers' own servers and gws use,
// since a WebSocket message is small and latency counts more than ratio.
const Level = flate.BestSpeed

// The deflate stream of one message ends in an empty stored block, 00 00 ff ff, that
// RFC 7692 §7.2.1 has the sender remove and the receiver add back.
var syncTail = []byte{0x00, 0x00, 0xff, 0xff}

type compressor struct {
	w   *flate.Writer
	buf bytes.Buffer
}

// klauspost's compressor (gws's own) is about 1.4× as fast as compress/flate at this
// level on 4 KiB JSON; a compressor holds some 1 MB, hence the pool.
var compressors = sync.Pool{New: func() any {
	c := new(compressor)
	c.w, _ = flate.NewWriter(&c.buf, Level)
	return c
}}

// deflate compresses src into c's buffer and returns the message's compressed bytes,
// valid until c is put back.
func (c *compressor) deflate(src []byte) []byte {
	c.buf.Reset()
	c.w.Reset(&c.buf)
	_, _ = c.w.Write(src) // writes to a bytes.Buffer do not fail
	_ = c.w.Flush()
	return bytes.TrimSuffix(c.buf.Bytes(), syncTail)
}

func (c *compressor) put() {
	if c.buf.Cap() <= 256<<10 {
		compressors.Put(c) // an outsized buffer is left to the collector
	}
}

// AppendCompressedFrame appends a whole frame carrying payload compressed, with RSV1 set.
func AppendCompressedFrame(dst []byte, op byte, payload []byte) []byte {
	c := compressors.Get().(*compressor)
	out := c.deflate(payload)
	dst = append(AppendHeader(dst, op, len(out), true), out...)
	c.put()
	return dst
}
