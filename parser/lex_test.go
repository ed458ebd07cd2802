package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mk makes a token of kind k with text val; positions are checked separately.
func mk(k tokenKind, val string) token { return token{kind: k, val: val} }

// mkErr makes an error token for sentinel: its message starts with the sentinel's.
func mkErr(sentinel error) token { return token{kind: tokError, val: sentinel.Error()} }

var (
	tEOF      = mk(tokEOF, "")
	tSpace    = mk(tokSpace, " ")
	tSlash    = mk(tokSlash, "/")
	tAPI      = mk(tokAPI, "?")
	tWildcard = mk(tokWildcard, "*")
	tSocket   = mk(tokMethod, "SOCKET")
)

type lexTest struct {
	name  string
	input string
	want  []token
}

var lexTests = []lexTest{
	{"empty", "", []token{tEOF}},
	{"spaces", "  \t", []token{mk(tokSpace, "  \t"), tEOF}},
	{"method only", "SOCKET", []token{tSocket, tEOF}},
	{"root", "SOCKET /", []token{tSocket, tSpace, tSlash, tEOF}},
	{"auth plus", "+SOCKET /", []token{mk(tokAuth, "+"), tSocket, tSpace, tSlash, tEOF}},
	{"auth minus", "-socket /", []token{mk(tokAuth, "-"), mk(tokMethod, "socket"), tSpace, tSlash, tEOF}},
	{"auth alone", "+", []token{mk(tokAuth, "+"), mk(tokMethod, ""), tEOF}},
	{"method word runs to the space", "SOCKET/chat/ x", []token{mk(tokMethod, "SOCKET/chat/"), tSpace, mk(tokLiteral, "x"), tEOF}},
	{"path with param", "SOCKET /chat/{room}/", []token{
		tSocket, tSpace, tSlash, mk(tokLiteral, "chat"), tSlash, mk(tokParam, "room"), tSlash, tEOF,
	}},
	{"typed param", "SOCKET /{id:number}", []token{tSocket, tSpace, tSlash, mk(tokParam, "id:number"), tEOF}},
	{"param inside is not checked", "SOCKET /{-:x:}", []token{tSocket, tSpace, tSlash, mk(tokParam, "-:x:"), tEOF}},
	{"slashes collapse", "SOCKET //a///", []token{
		tSocket, tSpace, mk(tokSlash, "//"), mk(tokLiteral, "a"), mk(tokSlash, "///"), tEOF,
	}},
	{"api", "SOCKET ?x?", []token{tSocket, tSpace, tAPI, mk(tokLiteral, "x"), tAPI, tEOF}},
	{"wildcard", "SOCKET /a/*", []token{tSocket, tSpace, tSlash, mk(tokLiteral, "a"), tSlash, tWildcard, tEOF}},
	{"glued items are separate tokens", "SOCKET x*{a}*", []token{
		tSocket, tSpace, mk(tokLiteral, "x"), tWildcard, mk(tokParam, "a"), tWildcard, tEOF,
	}},
	{"unreserved characters", "SOCKET /A-b.c_d~e/", []token{tSocket, tSpace, tSlash, mk(tokLiteral, "A-b.c_d~e"), tSlash, tEOF}},
	{"no path", "SOCKET @json", []token{tSocket, tSpace, mk(tokFlag, "json"), tEOF}},
	{"options", "SOCKET / @JSON #rate-limit <1.5MB ~100/10s", []token{
		tSocket, tSpace, tSlash, tSpace, mk(tokFlag, "JSON"), tSpace, mk(tokMiddleware, "rate-limit"), tSpace,
		mk(tokSize, "1.5MB"), tSpace, mk(tokRate, "100/10s"), tEOF,
	}},
	{"glued options", "SOCKET / @text@binary#a<1MB~1/s", []token{
		tSocket, tSpace, tSlash, tSpace, mk(tokFlag, "text"), mk(tokFlag, "binary"), mk(tokMiddleware, "a"),
		mk(tokSize, "1MB"), mk(tokRate, "1/s"), tEOF,
	}},
	{"values are checked by the parser", "SOCKET / < ~", []token{
		tSocket, tSpace, tSlash, tSpace, mk(tokSize, ""), tSpace, mk(tokRate, ""), tEOF,
	}},
	{"tabs and trailing space", "SOCKET\t/\t@json ", []token{
		tSocket, mk(tokSpace, "\t"), tSlash, mk(tokSpace, "\t"), mk(tokFlag, "json"), tSpace, tEOF,
	}},
	{"unclosed brace", "SOCKET /{room/", []token{tSocket, tSpace, tSlash, mkErr(ErrSyntax)}},
	{"unclosed brace at end", "SOCKET /{room", []token{tSocket, tSpace, tSlash, mkErr(ErrSyntax)}},
	{"brace in brace", "SOCKET /{a{b}}", []token{tSocket, tSpace, tSlash, mkErr(ErrSyntax)}},
	{"stray close brace", "SOCKET /a}", []token{tSocket, tSpace, tSlash, mk(tokLiteral, "a"), mkErr(ErrSyntax)}},
	{"colon param", "SOCKET /:room", []token{tSocket, tSpace, tSlash, mkErr(ErrPath)}},
	{"option glued to path", "SOCKET /a@json", []token{tSocket, tSpace, tSlash, mk(tokLiteral, "a"), mkErr(ErrPath)}},
	{"percent", "SOCKET /a%20", []token{tSocket, tSpace, tSlash, mk(tokLiteral, "a%20"), tEOF}},
	{"bad percent", "SOCKET /a%2", []token{tSocket, tSpace, tSlash, mkErr(ErrPath)}},
	{"sub-delims", "SOCKET /$tms/a+b,c;d=e!f'g(h)&i/", []token{tSocket, tSpace, tSlash, mk(tokLiteral, "$tms"), tSlash, mk(tokLiteral, "a+b,c;d=e!f'g(h)&i"), tSlash, tEOF}},
	{"colon and at inside", "SOCKET /a:b@c/", []token{tSocket, tSpace, tSlash, mk(tokLiteral, "a:b@c"), tSlash, tEOF}},
	{"non-ASCII", "SOCKET /é", []token{tSocket, tSpace, tSlash, mkErr(ErrPath)}},
	{"word in options", "SOCKET / json", []token{tSocket, tSpace, tSlash, tSpace, mkErr(ErrSyntax)}},
	{"empty flag", "SOCKET / @ x", []token{tSocket, tSpace, tSlash, tSpace, mkErr(ErrSyntax)}},
	{"hyphen in flag", "SOCKET / @a-b", []token{tSocket, tSpace, tSlash, tSpace, mk(tokFlag, "a"), mkErr(ErrSyntax)}},
	{"middleware starting with hyphen", "SOCKET / #-a", []token{tSocket, tSpace, tSlash, tSpace, mkErr(ErrSyntax)}},
	{"closing angle bracket", "SOCKET / <1MB>", []token{tSocket, tSpace, tSlash, tSpace, mk(tokSize, "1MB"), mkErr(ErrSyntax)}},
	{"newline", "SOCKET / #a\n", []token{tSocket, tSpace, tSlash, tSpace, mk(tokMiddleware, "a"), mkErr(ErrSyntax)}},
}

// equal reports whether got matches want, ignoring positions; error tokens match by sentinel.
func equal(got, want []token) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].kind != want[i].kind {
			return false
		}
		if want[i].kind == tokError {
			if !strings.HasPrefix(got[i].val, want[i].val+": ") {
				return false
			}
			continue
		}
		if got[i].val != want[i].val {
			return false
		}
	}
	return true
}

func TestLex(t *testing.T) {
	for _, tt := range lexTests {
		t.Run(tt.name, func(t *testing.T) {
			var l lexer
			got := lex(&l, tt.input)
			assert.True(t, equal(got, tt.want), "lex(%q):\n got %v\nwant %v", tt.input, got, tt.want)
		})
	}
}

// TestLexError checks that an error token comes with the lexer's error, which wraps the sentinel
// and carries the same message.
func TestLexError(t *testing.T) {
	for _, tt := range lexTests {
		var l lexer
		toks := lex(&l, tt.input)
		last, want := toks[len(toks)-1], tt.want[len(tt.want)-1]
		if want.kind != tokError {
			assert.NoError(t, l.err, "lex(%q)", tt.input)
			continue
		}
		require.Error(t, l.err, "lex(%q)", tt.input)
		assert.Equal(t, l.err.Error(), last.val, "lex(%q)", tt.input)
		var sentinel error
		for _, s := range []error{ErrSyntax, ErrPath} {
			if s.Error() == want.val {
				sentinel = s
			}
		}
		require.NotNil(t, sentinel, "no sentinel reads %q", want.val)
		assert.ErrorIs(t, l.err, sentinel, "lex(%q)", tt.input)
	}
}

func TestLexPositions(t *testing.T) {
	tests := []struct {
		input string
		pos   []int
	}{
		{"SOCKET /chat/{room}/ @json <1MB", []int{0, 6, 7, 8, 12, 13, 19, 20, 21, 26, 27, 31}},
		{"+SOCKET ?{id} ~5/s", []int{0, 1, 7, 8, 9, 13, 14, 18}},
		{"SOCKET /{room/", []int{0, 6, 7, 8}},          // the error points at the "{"
		{"SOCKET / @json-x", []int{0, 6, 7, 8, 9, 14}}, // the error points at the "-"
		{"  ", []int{0, 2}},
	}
	for _, tt := range tests {
		var l lexer
		toks := lex(&l, tt.input)
		pos := make([]int, len(toks))
		for i, tok := range toks {
			pos[i] = tok.pos
		}
		assert.Equal(t, tt.pos, pos, "positions of lex(%q) = %v", tt.input, toks)
	}
}

func TestLexEndsWithEOFOrError(t *testing.T) {
	for _, tt := range lexTests {
		var l lexer
		toks := lex(&l, tt.input)
		require.NotEmpty(t, toks, tt.name)
		last := toks[len(toks)-1]
		assert.Contains(t, []tokenKind{tokEOF, tokError}, last.kind, "lex(%q) ends with %v", tt.input, last)
		for _, tok := range toks[:len(toks)-1] {
			assert.NotContains(t, []tokenKind{tokEOF, tokError}, tok.kind, "lex(%q): %v before the end", tt.input, tok)
		}
	}
}

func TestTokenKindString(t *testing.T) {
	assert.Equal(t, "param", tokParam.String())
	assert.Equal(t, "EOF", tokEOF.String())
	assert.Equal(t, "tokenKind(99)", tokenKind(99).String())
	assert.Equal(t, `7:flag("json")`, token{kind: tokFlag, pos: 7, val: "json"}.String())
}
