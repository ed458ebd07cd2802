package client_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/client"
)

func TestHandler(t *testing.T) {
	want, err := os.ReadFile("dist/wsroute.js")
	require.NoError(t, err)
	h := client.Handler()
	do := func(method string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/wsroute.js", nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	plain := do("GET")
	require.Equal(t, http.StatusOK, plain.Code)
	assert.Equal(t, want, plain.Body.Bytes(), "the embedded file is served as it is")
	assert.Equal(t, "text/javascript; charset=utf-8", plain.Header().Get("Content-Type"))
	assert.Equal(t, "no-cache", plain.Header().Get("Cache-Control"))
	assert.Equal(t, "Accept-Encoding", plain.Header().Get("Vary"))
	assert.Empty(t, plain.Header().Get("Content-Encoding"))
	etag := plain.Header().Get("ETag")
	assert.Regexp(t, `^"[A-Za-z0-9_-]{16}"$`, etag, "a strong ETag")

	zipped := do("GET", "Accept-Encoding", "br, gzip;q=0.8")
	require.Equal(t, http.StatusOK, zipped.Code)
	assert.Equal(t, "gzip", zipped.Header().Get("Content-Encoding"))
	gzTag := zipped.Header().Get("ETag")
	assert.NotEqual(t, etag, gzTag, "the gzipped representation has its own ETag")
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body.Bytes()))
	require.NoError(t, err)
	unzipped, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, want, unzipped)
	assert.Less(t, zipped.Body.Len(), 6*1024, "the client is at most 6 KB gzipped")

	tests := []struct {
		name   string
		method string
		hdr    []string
		code   int
	}{
		{"revalidation with the ETag", "GET", []string{"If-None-Match", etag}, http.StatusNotModified},
		{"revalidation with the gzip ETag", "GET", []string{"If-None-Match", gzTag, "Accept-Encoding", "gzip"}, http.StatusNotModified},
		{"a stale ETag", "GET", []string{"If-None-Match", `"old"`}, http.StatusOK},
		{"gzip refused with q=0", "GET", []string{"Accept-Encoding", "gzip;q=0"}, http.StatusOK},
		{"HEAD", "HEAD", nil, http.StatusOK},
		{"POST", "POST", nil, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(tt.method, tt.hdr...)
			assert.Equal(t, tt.code, w.Code)
			switch {
			case tt.code == http.StatusMethodNotAllowed:
				assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
			case tt.code == http.StatusNotModified || tt.method == "HEAD":
				assert.Zero(t, w.Body.Len(), "no body")
			default:
				assert.Equal(t, want, w.Body.Bytes(), "the file, not gzipped")
			}
		})
	}
}
