package parser_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/parser"
)

// fixtureDir holds the route fixtures shared with the other packages' tests.
const fixtureDir = "../testdata/routes"

// fixture is one case line of valid.txt or invalid.txt.
type fixture struct {
	name   string   // "valid.txt:12", the subtest name
	fields []string // the "|"-separated fields, trimmed and unquoted
}

// sentinels maps the names used in invalid.txt to the parser's sentinels.
var sentinels = map[string]error{
	"ErrEmpty":             parser.ErrEmpty,
	"ErrMethod":            parser.ErrMethod,
	"ErrPath":              parser.ErrPath,
	"ErrSyntax":            parser.ErrSyntax,
	"ErrMode":              parser.ErrMode,
	"ErrSize":              parser.ErrSize,
	"ErrTimeout":           parser.ErrTimeout,
	"ErrRate":              parser.ErrRate,
	"ErrDuplicate":         parser.ErrDuplicate,
	"ErrParam":             parser.ErrParam,
	"ErrDupParam":          parser.ErrDupParam,
	"ErrParamType":         parser.ErrParamType,
	"ErrWildcard":          parser.ErrWildcard,
	"ErrUnknownFlag":       parser.ErrUnknownFlag,
	"ErrUnknownMiddleware": parser.ErrUnknownMiddleware,
}

// readFixtures reads a fixture file: one case per line, "#" comments and blank lines skipped,
// fields separated by " | ", each trimmed. An input (the first field) written as a Go string
// literal is unquoted; that is the only way to write leading spaces, tabs, "|" or "#" in an input.
func readFixtures(tb testing.TB, file string, nfields int) []fixture {
	tb.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, file))
	require.NoError(tb, err)
	defer f.Close()

	var out []fixture
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name := fmt.Sprintf("%s:%d", file, line)
		var fields []string
		if strings.HasPrefix(text, `"`) {
			q, err := strconv.QuotedPrefix(text)
			require.NoError(tb, err, "%s: bad quoted input", name)
			in, _ := strconv.Unquote(q)
			rest := strings.TrimSpace(text[len(q):])
			require.True(tb, strings.HasPrefix(rest, "|"), "%s: expected | after the quoted input", name)
			fields = append([]string{in}, strings.Split(rest[1:], " | ")...)
		} else {
			fields = strings.Split(text, " | ")
		}
		require.Len(tb, fields, nfields, "%s: want %d fields separated by \" | \"", name, nfields)
		for i := 1; i < len(fields); i++ {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if !strings.HasPrefix(text, `"`) {
			fields[0] = strings.TrimSpace(fields[0])
		}
		out = append(out, fixture{name: name, fields: fields})
	}
	require.NoError(tb, sc.Err())
	return out
}

func TestParseValid(t *testing.T) {
	for _, fx := range readFixtures(t, "valid.txt", 2) {
		in, canonical := fx.fields[0], fx.fields[1]
		t.Run(fx.name, func(t *testing.T) {
			spec, err := parser.Parse(in)
			require.NoError(t, err, "Parse(%q)", in)
			assert.Equal(t, canonical, spec.String(), "Parse(%q).String()", in)

			again, err := parser.Parse(canonical)
			require.NoError(t, err, "Parse(%q) (the canonical form)", canonical)
			assert.Equal(t, spec, again, "Parse(%q) and Parse(%q)", in, canonical)
			assert.Equal(t, canonical, again.String(), "String is not a fixed point for %q", canonical)

			with, err := parser.ParseWith(in, parser.Options{})
			require.NoError(t, err)
			assert.Equal(t, spec, with, "ParseWith(%q, Options{})", in)
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, fx := range readFixtures(t, "invalid.txt", 4) {
		in, offset, name, contains := fx.fields[0], fx.fields[1], fx.fields[2], fx.fields[3]
		t.Run(fx.name, func(t *testing.T) {
			wantOffset, err := strconv.Atoi(offset)
			require.NoError(t, err, "bad offset field %q", offset)
			sentinel, ok := sentinels[name]
			require.True(t, ok, "unknown sentinel name %q", name)

			spec, err := parser.Parse(in)
			require.Error(t, err, "Parse(%q) = %v", in, spec)
			assert.Zero(t, spec, "Parse(%q) returned a Spec with its error", in)

			var perr *parser.Error
			require.ErrorAs(t, err, &perr, "Parse(%q)", in)
			assert.Equal(t, in, perr.Route, "Parse(%q).Route", in)
			assert.Equal(t, wantOffset, perr.Offset, "Parse(%q).Offset: %v", in, err)
			assert.ErrorIs(t, err, sentinel, "Parse(%q)", in)
			assert.Contains(t, err.Error(), contains, "Parse(%q)", in)
			for other, s := range sentinels {
				if other != name {
					assert.NotErrorIs(t, err, s, "Parse(%q) also matches %s", in, other)
				}
			}
		})
	}
}

// TestFixtures checks the fixture files themselves: enough cases, and every sentinel that Parse
// can return is exercised.
func TestFixtures(t *testing.T) {
	valid := readFixtures(t, "valid.txt", 2)
	invalid := readFixtures(t, "invalid.txt", 4)
	assert.GreaterOrEqual(t, len(valid)+len(invalid), 80, "fixture cases")

	seen := map[string]bool{}
	for _, fx := range invalid {
		seen[fx.fields[2]] = true
	}
	for name := range sentinels {
		if name == "ErrUnknownFlag" || name == "ErrUnknownMiddleware" {
			continue // only ParseWith returns these; see TestParseWith
		}
		assert.True(t, seen[name], "no invalid.txt case for %s", name)
	}

	inputs := map[string]string{}
	for _, fx := range append(valid, invalid...) {
		if prev, dup := inputs[fx.fields[0]]; dup {
			t.Errorf("%s repeats the input of %s: %q", fx.name, prev, fx.fields[0])
		}
		inputs[fx.fields[0]] = fx.name
	}
}

func TestParseSpec(t *testing.T) {
	seg := func(v string) parser.Segment { return parser.Segment{Kind: parser.Static, Value: v} }
	param := func(v string, typ parser.ParamType) parser.Segment {
		return parser.Segment{Kind: parser.Param, Value: v, Type: typ}
	}
	wildcard := parser.Segment{Kind: parser.Wildcard}

	tests := []struct {
		in   string
		want parser.Spec
	}{
		{"SOCKET /", parser.Spec{Method: "SOCKET", MaxBytes: parser.DefaultMaxBytes}},
		{"SOCKET /chat/{room}/ @json <1MB", parser.Spec{
			Method:   "SOCKET",
			Segments: []parser.Segment{seg("chat"), param("room", parser.TypeString)},
			MaxBytes: 1 << 20,
		}},
		{"+websocket /Chat/{Room}/{id:number}/{u:uuid}/* @TEXT", parser.Spec{
			Method: "WEBSOCKET",
			Auth:   parser.AuthAuthorized,
			Segments: []parser.Segment{
				seg("chat"), param("Room", parser.TypeString), param("id", parser.TypeNumber),
				param("u", parser.TypeUUID), wildcard,
			},
			Mode:     parser.ModeText,
			MaxBytes: parser.DefaultMaxBytes,
		}},
		{"-SOCKET ?{id} @binary <1.5MB", parser.Spec{
			Method:   "SOCKET",
			Auth:     parser.AuthUnauthorized,
			Segments: []parser.Segment{seg("api"), param("id", parser.TypeString)},
			Mode:     parser.ModeBinary,
			MaxBytes: 1_572_864,
		}},
		{"SOCKET /x/ @zeta @csrf #b-1 @Alpha #a <2GiB <90m ~100/10s", parser.Spec{
			Method:      "SOCKET",
			Segments:    []parser.Segment{seg("x")},
			MaxBytes:    2 << 30,
			Middleware:  []string{"b-1", "a"},
			CSRF:        true,
			Flags:       []string{"alpha", "zeta"},
			IdleTimeout: 90 * time.Minute,
			Rate:        &parser.Rate{Max: 100, Per: 10 * time.Second},
		}},
		{"SOCKET / <0.5KB <1h ~600/m", parser.Spec{
			Method:      "SOCKET",
			MaxBytes:    512,
			IdleTimeout: time.Hour,
			Rate:        &parser.Rate{Max: 600, Per: time.Minute},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parser.Parse(tt.in)
			require.NoError(t, err, "Parse(%q)", tt.in)
			assert.Equal(t, tt.want, got, "Parse(%q)", tt.in)
			// nil, not empty, when absent: DeepEqual must hold between equivalent strings.
			if len(tt.want.Segments) == 0 {
				assert.Nil(t, got.Segments, "Parse(%q).Segments", tt.in)
			}
			if len(tt.want.Flags) == 0 {
				assert.Nil(t, got.Flags, "Parse(%q).Flags", tt.in)
			}
			if len(tt.want.Middleware) == 0 {
				assert.Nil(t, got.Middleware, "Parse(%q).Middleware", tt.in)
			}
		})
	}
}

func TestPathAndParams(t *testing.T) {
	tests := []struct {
		in     string
		path   string
		params []string
	}{
		{"SOCKET /", "/", nil},
		{"SOCKET /*", "/*", nil},
		{"SOCKET chat", "/chat/", nil},
		{"SOCKET /chat/{room}/", "/chat/{room}/", []string{"room"}},
		{"SOCKET ?/{b}/x/{a:number}/*", "/api/{b}/x/{a:number}/*", []string{"b", "a"}},
		{"SOCKET /{ID:uuid}//{name:string}", "/{ID:uuid}/{name}/", []string{"ID", "name"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			spec := parser.MustParse(tt.in)
			assert.Equal(t, tt.path, spec.Path(), "Path of %q", tt.in)
			assert.Equal(t, tt.params, spec.Params(), "Params of %q", tt.in)
		})
	}
}

func TestParseWith(t *testing.T) {
	declared := func(names ...string) func(string) bool {
		return func(name string) bool {
			for _, n := range names {
				if n == name {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		in       string
		opts     parser.Options
		offset   int    // -1: no error
		sentinel error  // with offset >= 0
		contains string // with offset >= 0
	}{
		{"SOCKET /chat/ @jsn", parser.Options{Flag: declared("api")}, 14, parser.ErrUnknownFlag, `found "@jsn": expected a declared flag`},
		{"SOCKET / @API", parser.Options{Flag: declared("api")}, -1, nil, ""},
		{"SOCKET / @json @text", parser.Options{Flag: declared()}, 15, parser.ErrMode, "conflicting modes"},
		{"SOCKET / @json @csrf @binary", parser.Options{Flag: declared()}, 21, parser.ErrMode, "already"},
		{"SOCKET / @json @csrf", parser.Options{Flag: declared()}, -1, nil, ""},
		{"SOCKET / @api @setup", parser.Options{Flag: declared("api")}, 14, parser.ErrUnknownFlag, `"@setup"`},
		{"SOCKET / #auth #log", parser.Options{Middleware: declared("auth")}, 15, parser.ErrUnknownMiddleware, `found "#log": expected a registered middleware`},
		{"SOCKET / #Auth", parser.Options{Middleware: declared("auth")}, 9, parser.ErrUnknownMiddleware, `"#Auth"`},
		{"SOCKET / #auth @api", parser.Options{Middleware: declared("auth"), Flag: declared("api")}, -1, nil, ""},
		{"SOCKET / @api", parser.Options{Middleware: declared()}, -1, nil, ""},
		{"SOCKET / #auth", parser.Options{Flag: declared()}, -1, nil, ""},
		{"SOCKET /{a}/{a} @nope", parser.Options{Flag: declared()}, 12, parser.ErrDupParam, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			spec, err := parser.ParseWith(tt.in, tt.opts)
			if tt.offset < 0 {
				require.NoError(t, err, "ParseWith(%q)", tt.in)
				assert.Equal(t, parser.MustParse(tt.in), spec, "ParseWith(%q) differs from Parse", tt.in)
				return
			}
			var perr *parser.Error
			require.ErrorAs(t, err, &perr, "ParseWith(%q)", tt.in)
			assert.Equal(t, tt.offset, perr.Offset, "ParseWith(%q): %v", tt.in, err)
			assert.ErrorIs(t, err, tt.sentinel, "ParseWith(%q)", tt.in)
			assert.Contains(t, err.Error(), tt.contains, "ParseWith(%q)", tt.in)
			assert.Zero(t, spec, "ParseWith(%q)", tt.in)
		})
	}

	t.Run("callbacks", func(t *testing.T) {
		var flags, mws []string
		opts := parser.Options{
			Flag:       func(n string) bool { flags = append(flags, n); return true },
			Middleware: func(n string) bool { mws = append(mws, n); return true },
		}
		_, err := parser.ParseWith("SOCKET / @JSON @Zed @csrf #Auth @api #rate-limit @TEXT2", opts)
		require.NoError(t, err)
		assert.Equal(t, []string{"zed", "api", "text2"}, flags, "Options.Flag gets custom flags only, lower-cased, in order")
		assert.Equal(t, []string{"Auth", "rate-limit"}, mws, "Options.Middleware gets names as written, in order")
	})
}

func TestMustParse(t *testing.T) {
	assert.Equal(t, "/chat/{room}/", parser.MustParse("SOCKET /chat/{room}/").Path())
	defer func() {
		r := recover()
		require.NotNil(t, r, "MustParse of a bad route did not panic")
		err, ok := r.(error)
		require.True(t, ok, "MustParse panicked with %T, want error", r)
		var perr *parser.Error
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, 13, perr.Offset)
		assert.ErrorIs(t, err, parser.ErrSyntax)
	}()
	parser.MustParse("SOCKET /chat/{room/")
}

func TestErrorFormat(t *testing.T) {
	_, err := parser.Parse("SOCKET /chat/{room/")
	require.Error(t, err)
	assert.Equal(t, `parser: "SOCKET /chat/{room/": offset 13: syntax error: unclosed "{": expected "}" before "/"`, err.Error())

	var perr *parser.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, "SOCKET /chat/{room/", perr.Route)
	assert.Equal(t, 13, perr.Offset)
	assert.ErrorIs(t, perr.Unwrap(), parser.ErrSyntax, "Unwrap")
	assert.Equal(t, `syntax error: unclosed "{": expected "}" before "/"`, perr.Err.Error())

	// Quoting keeps control characters and invalid UTF-8 readable.
	_, err = parser.Parse("SOCKET /\xff")
	require.Error(t, err)
	assert.Equal(t, `parser: "SOCKET /\xff": offset 8: bad path: unexpected "\xff" in path: expected letters, digits, one of "-._~!$&'()+,;=:@", a %XX escape, "/", "{", "*" or "?"`, err.Error())
}

func TestEnumStrings(t *testing.T) {
	assert.Equal(t, []string{"json", "text", "binary", "Mode(3)"},
		[]string{parser.ModeJSON.String(), parser.ModeText.String(), parser.ModeBinary.String(), parser.Mode(3).String()})
	assert.Equal(t, []string{"any", "authorized", "unauthorized", "Auth(9)"},
		[]string{parser.AuthAny.String(), parser.AuthAuthorized.String(), parser.AuthUnauthorized.String(), parser.Auth(9).String()})
	assert.Equal(t, []string{"string", "number", "uuid", "ParamType(3)"},
		[]string{parser.TypeString.String(), parser.TypeNumber.String(), parser.TypeUUID.String(), parser.ParamType(3).String()})
	assert.Equal(t, []string{"static", "param", "wildcard", "SegmentKind(7)"},
		[]string{parser.Static.String(), parser.Param.String(), parser.Wildcard.String(), parser.SegmentKind(7).String()})
	assert.Equal(t, []string{"chat", "{room}", "{id:number}", "{u:uuid}", "*"}, []string{
		parser.Segment{Kind: parser.Static, Value: "chat"}.String(),
		parser.Segment{Kind: parser.Param, Value: "room"}.String(),
		parser.Segment{Kind: parser.Param, Value: "id", Type: parser.TypeNumber}.String(),
		parser.Segment{Kind: parser.Param, Value: "u", Type: parser.TypeUUID}.String(),
		parser.Segment{Kind: parser.Wildcard}.String(),
	})
}

// TestStringUnits checks the unit choice of String on hand-built Specs, including values Parse
// never returns.
func TestStringUnits(t *testing.T) {
	base := parser.Spec{Method: "SOCKET"}
	tests := []struct {
		maxBytes int64
		timeout  time.Duration
		rate     *parser.Rate
		want     string
	}{
		{1, 0, nil, "SOCKET / @json <1B"},
		{1023, 0, nil, "SOCKET / @json <1023B"},
		{1024, 0, nil, "SOCKET / @json <1KB"},
		{1536 << 10, 0, nil, "SOCKET / @json <1536KB"},
		{3 << 30, 0, nil, "SOCKET / @json <3GB"},
		{1 << 40, 0, nil, "SOCKET / @json <1024GB"},
		{1024, 59 * time.Second, nil, "SOCKET / @json <1KB <59s"},
		{1024, 61 * time.Minute, nil, "SOCKET / @json <1KB <61m"},
		{1024, 48 * time.Hour, nil, "SOCKET / @json <1KB <48h"},
		{1024, 1500 * time.Millisecond, nil, "SOCKET / @json <1KB <1.5s"},
		{1024, 0, &parser.Rate{Max: 1, Per: time.Second}, "SOCKET / @json <1KB ~1/s"},
		{1024, 0, &parser.Rate{Max: 7, Per: 2 * time.Hour}, "SOCKET / @json <1KB ~7/2h"},
		{1024, 0, &parser.Rate{Max: 7, Per: 120 * time.Minute}, "SOCKET / @json <1KB ~7/2h"},
		{1024, 0, &parser.Rate{Max: 7, Per: 61 * time.Second}, "SOCKET / @json <1KB ~7/61s"},
	}
	for _, tt := range tests {
		s := base
		s.MaxBytes, s.IdleTimeout, s.Rate = tt.maxBytes, tt.timeout, tt.rate
		assert.Equal(t, tt.want, s.String())
	}
}

// TestSizesAgainstHumanize checks the exact size arithmetic against go-humanize, an independent
// implementation of the IEC units (humanize's KiB is our KB).
func TestSizesAgainstHumanize(t *testing.T) {
	numbers := []string{"1", "2", "10", "0.5", "1.5", "1.25", "0.125", "3.75", "1023", "1024", "7.5", "100", "2.0", "0.001"}
	units := map[string]string{"B": "B", "KB": "KiB", "kb": "KiB", "MB": "MiB", "MiB": "MiB", "GB": "GiB", "gib": "GiB"}
	checked := 0
	for _, n := range numbers {
		for ours, iec := range units {
			want, herr := humanize.ParseBytes(n + " " + iec)
			require.NoError(t, herr)
			in := "SOCKET / <" + n + ours
			spec, err := parser.Parse(in)
			if err != nil {
				// Only a fraction of a byte may be refused.
				assert.ErrorIs(t, err, parser.ErrSize, "Parse(%q)", in)
				assert.Contains(t, err.Error(), "not a whole number of bytes", "Parse(%q)", in)
				continue
			}
			assert.Equal(t, int64(want), spec.MaxBytes, "Parse(%q).MaxBytes vs humanize.ParseBytes(%q)", in, n+" "+iec)
			checked++
		}
	}
	assert.Greater(t, checked, 80)
}

func TestErrorsAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for name, err := range sentinels {
		msg := err.Error()
		assert.Equal(t, strings.ToLower(msg), msg, "%s message is not lower-case", name)
		if prev, dup := seen[msg]; dup {
			t.Errorf("%s and %s have the same message %q", name, prev, msg)
		}
		seen[msg] = name
		assert.False(t, errors.Is(err, parser.ErrSyntax) && name != "ErrSyntax", "%s wraps ErrSyntax", name)
	}
}
