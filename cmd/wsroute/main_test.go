package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCmd runs the command and returns its exit status, stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// keys returns the keys of a JSON object in the order they appear.
func keys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok, "not an object: %s", line)
	var out []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		out = append(out, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return out
}

var specKeys = []string{"method", "path", "params", "mode", "max_bytes", "auth", "middleware", "flags", "csrf", "idle_timeout_ms", "rate", "canonical"}

func TestParseOne(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "parse", "SOCKET /chat/{room}/ @json <1MB")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Empty(t, stderr)
	assert.Equal(t, `{"method":"SOCKET","path":"/chat/{room}/","params":["room"],"mode":"json","max_bytes":1048576,"auth":"any","middleware":[],"flags":[],"csrf":false,"idle_timeout_ms":0,"rate":null,"canonical":"SOCKET /chat/{room}/ @json <1MB"}`+"\n", stdout)
	assert.Equal(t, 1, strings.Count(stdout, "\n"), "one JSON object on one line")
	assert.Equal(t, specKeys, keys(t, stdout))
}

func TestParseOneFull(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "parse", "-WEBSOCKET ?{id:number}/* @Binary @zeta @csrf @api #b #a <1.5MB <5m ~100/10s")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Equal(t, specKeys, keys(t, stdout))

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, map[string]any{
		"method":          "WEBSOCKET",
		"path":            "/api/{id:number}/*",
		"params":          []any{"id"},
		"mode":            "binary",
		"max_bytes":       float64(1572864),
		"auth":            "unauthorized",
		"middleware":      []any{"b", "a"},
		"flags":           []any{"api", "zeta"},
		"csrf":            true,
		"idle_timeout_ms": float64(300000),
		"rate":            map[string]any{"max": float64(100), "per_ms": float64(10000)},
		"canonical":       "-WEBSOCKET /api/{id:number}/* @binary @csrf @api @zeta #b #a <1536KB <5m ~100/10s",
	}, got)
}

func TestParseOneError(t *testing.T) {
	tests := []struct {
		route string
		lines []string // stderr
	}{
		{"SOCKET /chat/{room/", []string{
			"SOCKET /chat/{room/",
			"             ^",
			`parser: "SOCKET /chat/{room/": offset 13: syntax error: unclosed "{": expected "}" before "/"`,
		}},
		{"SOCKET", []string{ // missing at the end: the caret goes after the route
			"SOCKET",
			"      ^",
			`parser: "SOCKET": offset 6: bad path: missing path: expected a path such as /chat/ after "SOCKET", found end of route`,
		}},
		{"SOCKET /café/ @x", []string{ // columns count runes, not bytes
			"SOCKET /café/ @x",
			"           ^",
			`parser: "SOCKET /café/ @x": offset 11: bad path: unexpected "é" in path: expected letters, digits, one of "-._~!$&'()+,;=:@", a %XX escape, "/", "{", "*" or "?"`,
		}},
		{"SOCKET\t/\t<1XB", []string{ // tabs are kept so the caret lines up
			"SOCKET\t/\t<1XB",
			"      \t \t  ^",
			`parser: "SOCKET\t/\t<1XB": offset 11: bad size: unknown unit "XB" in "<1XB": expected B, KB, MB, GB, KiB, MiB or GiB for a size, or s, m or h for a timeout`,
		}},
		{"SOCKET /a\x01b", []string{ // control characters are shown as U+FFFD
			"SOCKET /a\uFFFDb",
			"         ^",
			`parser: "SOCKET /a\x01b": offset 9: bad path: unexpected "\x01" in path: expected letters, digits, one of "-._~!$&'()+,;=:@", a %XX escape, "/", "{", "*" or "?"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.route, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", "parse", tt.route)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Equal(t, strings.Join(tt.lines, "\n")+"\n", stderr)
		})
	}
}

func TestParseBulk(t *testing.T) {
	in := "SOCKET /chat/{room}/ @json <1MB\n" +
		"SOCKET / @text @binary\r\n" +
		"\n" +
		"+socket ?x ~5/m\n" +
		"SOCKET /x*" // no final newline
	code, stdout, stderr := runCmd(t, in, "parse", "-")
	require.Equal(t, 0, code, "bad routes do not change the exit status")
	assert.Empty(t, stderr)

	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 5, "one JSON line per input line:\n%s", stdout)

	assert.Equal(t, specKeys, keys(t, lines[0]))
	assert.Contains(t, lines[0], `"canonical":"SOCKET /chat/{room}/ @json <1MB"`)

	errorKeys := []string{"error", "offset"}
	assert.Equal(t, errorKeys, keys(t, lines[1]))
	var bad struct {
		Error  string
		Offset int
	}
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &bad))
	assert.Equal(t, 15, bad.Offset, "the \\r is not part of the route")
	assert.Equal(t, `parser: "SOCKET / @text @binary": offset 15: conflicting modes: found "@binary", but the mode is already "@text" (offset 9): expected one of @json, @text or @binary`, bad.Error)

	assert.Equal(t, `{"error":"parser: \"\": offset 0: empty route: expected a route such as \"SOCKET /chat/{room}/\"","offset":0}`, lines[2])

	assert.Equal(t, specKeys, keys(t, lines[3]))
	assert.Contains(t, lines[3], `"auth":"authorized"`)
	assert.Contains(t, lines[3], `"rate":{"max":5,"per_ms":60000}`)

	assert.Equal(t, errorKeys, keys(t, lines[4]))
	assert.Contains(t, lines[4], `"offset":9`)
}

func TestParseBulkEmptyInput(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "parse", "-")
	assert.Equal(t, 0, code)
	assert.Empty(t, stdout)
	assert.Empty(t, stderr)
}

func TestParseBulkReadError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"parse", "-"}, iotest.ErrReader(errors.New("disk on fire")), &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "disk on fire")
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"parse"}, {"check", "SOCKET /"}, {"parse", "SOCKET /", "extra"}} {
		code, stdout, stderr := runCmd(t, "", args...)
		assert.Equal(t, 2, code, "args %q", args)
		assert.Empty(t, stdout, "args %q", args)
		assert.Contains(t, stderr, "usage:", "args %q", args)
	}
}
