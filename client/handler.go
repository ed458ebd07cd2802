package client

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed dist/wsroute.js
var script []byte

// asset is the module as served: its bytes, the same gzipped, and their ETags.
type asset struct {
	raw, gz     []byte
	etag, gzTag string
}

var load = sync.OnceValue(func() *asset {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level never fails
	_, _ = zw.Write(script)
	_ = zw.Close()
	sum := sha256.Sum256(script)
	tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	return &asset{raw: script, gz: b.Bytes(), etag: tag, gzTag: tag[:len(tag)-1] + `-gz"`}
})

// Handler returns the handler that serves the browser client, whatever the request's
// path, to GET and HEAD requests (others get 405). The response is JavaScript with a
// strong ETag derived from the content and "Cache-Control: no-cache": browsers keep the
// file and revalidate it, and get 304 Not Modified until the server is upgraded to a
// different client. It is sent gzipped when the request accepts gzip. The handler is safe
// for concurrent use.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	a := load()
	body, tag := a.raw, a.etag
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		body, tag = a.gz, a.gzTag
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", tag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the Accept-Encoding header lists gzip without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, line := range r.Header.Values("Accept-Encoding") {
		for v := range strings.SplitSeq(line, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(v), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") {
				q := strings.ReplaceAll(params, " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}
