package peer

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPackHeader(t *testing.T) {
	for _, h := range []http.Header{
		{},
		{"Origin": {"http://example.test"}},
		{
			"User-Agent":             {"Mozilla/5.0 (X11; Linux x86_64)"},
			"Cookie":                 {"a=1; b=2", "c=3"},
			"Sec-Websocket-Protocol": {"chat, token.abc:def"},
			"X-Empty":                {""},
			"X-Colon":                {"a: b: c"},
		},
	} {
		assert.Equal(t, h, unpackHeader(packHeader(h)), "%v", h)
	}
}
