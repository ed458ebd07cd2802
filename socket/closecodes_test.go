package socket_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/socket"
)

// TestCloseCodeTable keeps the one close-code table of the documentation (README.md,
// "Close codes") and the socket constants in step: every row's code has a name and its
// Retry matches the row's last column, and every code the library sends has a row.
func TestCloseCodeTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	doc := string(readme)
	start := strings.Index(doc, "### Close codes")
	require.Positive(t, start, "README.md has the close-code table")
	doc = doc[start:]
	doc = doc[:strings.Index(doc, "<!-- issue5:end -->")]
	row := regexp.MustCompile("(?m)^\\| (\\d{4}) \\| `(\\w+)` \\| .* \\| (yes|no)[^|]* \\|$")
	rows := row.FindAllStringSubmatch(doc, -1)
	seen := map[socket.StatusCode]bool{}
	for _, m := range rows {
		n, _ := strconv.Atoi(m[1])
		code := socket.StatusCode(n)
		seen[code] = true
		assert.Equal(t, m[3] == "yes", code.Retry(), "row %s: Retry()", m[1])
		assert.True(t, code.Sendable(), "row %s: a code that may be sent", m[1])
		assert.NotEqual(t, m[1], code.String(), "row %s has a named constant", m[1])
		assert.Contains(t, strings.ToLower(strings.ReplaceAll(m[2], "Status", "")), strings.ReplaceAll(strings.SplitN(code.String(), " ", 2)[1], " ", ""),
			"row %s: the constant %s is the code's", m[1], m[2])
	}
	for _, code := range []socket.StatusCode{
		socket.StatusNormalClosure, socket.StatusGoingAway, socket.StatusProtocolError,
		socket.StatusInvalidPayload, socket.StatusPolicyViolation, socket.StatusMessageTooBig,
		socket.StatusInternalError, socket.StatusMiddlewareRefused, socket.StatusUnauthorized,
		socket.StatusInvalidToken, socket.StatusForbidden, socket.StatusSlowConsumer,
	} {
		assert.True(t, seen[code], "%s is sent by the library and has a row", code)
	}
	assert.True(t, socket.StatusNoStatus.Retry(), "1005 is reported only, and worth a retry")
	assert.True(t, socket.StatusAbnormal.Retry(), "1006 is reported only, and worth a retry")
	assert.False(t, socket.StatusCode(4321).Retry(), "an application's own code")
}

func TestSendable(t *testing.T) {
	for _, tt := range []struct {
		code socket.StatusCode
		ok   bool
	}{
		{999, false}, {1000, true}, {1003, true}, {1004, false}, {1005, false}, {1006, false},
		{1007, true}, {1011, true}, {1013, true}, {1014, false}, {1015, false}, {2999, false},
		{3000, true}, {4999, true}, {5000, false},
	} {
		assert.Equal(t, tt.ok, tt.code.Sendable(), "%d", tt.code)
	}
}
