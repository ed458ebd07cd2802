package parser

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// token is one lexical item of a route string.
type token struct {
	kind tokenKind // what was scanned
	pos  int       // byte offset of the token's first byte in the input
	val  string    // the token's text, without its sigil ('@', '#', '<', '~', '{…}'); tokError: the message
}

// tokenKind identifies the kind of a token.
type tokenKind uint8

const (
	tokError      tokenKind = iota // val holds the message, lexer.err the error; pos says where
	tokEOF                         // end of input; pos is len(input)
	tokSpace                       // a run of spaces and tabs
	tokAuth                        // "+" or "-" glued before the method
	tokMethod                      // SOCKET: the word up to the next space
	tokSlash                       // a run of "/"
	tokAPI                         // "?": the API prefix, /api/
	tokLiteral                     // chat, $tms, a%20b: a static segment
	tokParam                       // {room}: val is "room", pos points at '{'
	tokWildcard                    // *
	tokFlag                        // @json: val is "json", pos points at '@'
	tokMiddleware                  // #auth: val is "auth", pos points at '#'
	tokSize                        // <1MB: val is "1MB", pos points at '<'; a size or a timeout
	tokRate                        // ~50/s: val is "50/s", pos points at '~'
)

var tokenNames = [...]string{
	tokError:      "error",
	tokEOF:        "EOF",
	tokSpace:      "space",
	tokAuth:       "auth",
	tokMethod:     "method",
	tokSlash:      "slash",
	tokAPI:        "api",
	tokLiteral:    "literal",
	tokParam:      "param",
	tokWildcard:   "wildcard",
	tokFlag:       "flag",
	tokMiddleware: "middleware",
	tokSize:       "size",
	tokRate:       "rate",
}

// String returns the name of the token kind, for test failures and debugging.
func (k tokenKind) String() string {
	if int(k) < len(tokenNames) {
		return tokenNames[k]
	}
	return fmt.Sprintf("tokenKind(%d)", k)
}

// String formats a token for test failures and debugging.
func (t token) String() string {
	return fmt.Sprintf("%d:%s(%q)", t.pos, t.kind, t.val)
}

const eof = -1

// stateFn is a state of the lexer: it scans and returns the next state, or nil when done.
type stateFn func(*lexer) stateFn

// lexer holds the state of the scanner. It runs synchronously (no goroutine, no channel) and
// collects every token into toks; the parser then walks the slice.
type lexer struct {
	input string    // the route string being scanned
	start int       // start of the current token
	pos   int       // current position in the input
	toks  []token   // the tokens scanned so far
	err   error     // the error of the final tokError, wrapping a sentinel
	buf   [32]token // backing store of toks, enough for most routes
}

// lexers recycles lexers: a lexer with its token buffer is about 1.5 KB, and allocating one per
// Parse costs more than the parse itself.
var lexers = sync.Pool{New: func() any { return new(lexer) }}

// release clears the tokens, so that the pool holds no reference to the input, and returns l to
// the pool.
func (l *lexer) release() {
	clear(l.toks)
	l.toks, l.input, l.err = nil, "", nil
	lexers.Put(l)
}

// lex scans the whole input. The last token is always tokEOF or tokError.
func lex(l *lexer, input string) []token {
	l.input = input
	l.start, l.pos = 0, 0
	l.toks = l.buf[:0]
	l.err = nil
	for state := lexStart; state != nil; {
		state = state(l)
	}
	return l.toks
}

// next returns the next byte of the input, or eof. Every byte the grammar accepts is ASCII,
// so the lexer works on bytes; runes matter only in error messages.
func (l *lexer) next() int {
	if l.pos >= len(l.input) {
		return eof
	}
	c := l.input[l.pos]
	l.pos++
	return int(c)
}

// peek returns the next byte without consuming it.
func (l *lexer) peek() int {
	if l.pos >= len(l.input) {
		return eof
	}
	return int(l.input[l.pos])
}

// backup steps back one byte; call it only once per call of next.
func (l *lexer) backup() {
	l.pos--
}

// acceptRun consumes a run of bytes for which ok is true.
func (l *lexer) acceptRun(ok func(c int) bool) {
	for l.pos < len(l.input) && ok(int(l.input[l.pos])) {
		l.pos++
	}
}

// emit appends a token of kind k whose text is input[start+skip:pos].
func (l *lexer) emit(k tokenKind, skip int) {
	l.toks = append(l.toks, token{kind: k, pos: l.start, val: l.input[l.start+skip : l.pos]})
	l.start = l.pos
}

// errorf records the error, wrapping the sentinel with the message, appends an error token at
// offset pos, and stops the scan.
func (l *lexer) errorf(pos int, sentinel error, format string, args ...any) stateFn {
	l.err = wrapf(sentinel, format, args...)
	l.toks = append(l.toks, token{kind: tokError, pos: pos, val: l.err.Error()})
	return nil
}

func isSpace(c int) bool { return c == ' ' || c == '\t' }

func isNotSpace(c int) bool { return c != eof && !isSpace(c) }

func isDigit(c int) bool { return '0' <= c && c <= '9' }

func isLetter(c int) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isUnreserved reports whether c is one of RFC 3986's unreserved characters (letters,
// digits, "-", ".", "_", "~").
func isUnreserved(c int) bool {
	return isLetter(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// isSubDelim reports whether c is one of RFC 3986's sub-delimiters that the route grammar
// does not use: every one but "*", the wildcard.
func isSubDelim(c int) bool {
	switch c {
	case '!', '$', '&', '\'', '(', ')', '+', ',', ';', '=':
		return true
	}
	return false
}

// isLiteralStart reports whether c may start a static path segment: an unreserved
// character, a sub-delimiter other than "*", or "%" (a percent-escape).
func isLiteralStart(c int) bool { return isUnreserved(c) || isSubDelim(c) || c == '%' }

// isLiteral reports whether c may appear in a static path segment after its first byte:
// every RFC 3986 pchar but "*", that is also ":" and "@".
func isLiteral(c int) bool { return isLiteralStart(c) || c == ':' || c == '@' }

// isLiteralByte reports whether b may be written as itself, unescaped, in a canonical
// static segment: an RFC 3986 pchar other than "*" and "%". first says whether b is the
// segment's first byte, where ":" and "@" are escaped too (they would read as a parameter
// in another syntax, or as a flag).
func isLiteralByte(b byte, first bool) bool {
	c := int(b)
	return c != '%' && (isLiteralStart(c) || !first && (c == ':' || c == '@'))
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isWord reports whether c may appear in a flag name.
func isWord(c int) bool { return isLetter(c) || isDigit(c) || c == '_' }

// isName reports whether c may appear in a middleware name.
func isName(c int) bool { return isWord(c) || c == '-' }

// isValue reports whether c may appear in a size, timeout or rate value.
func isValue(c int) bool { return isLetter(c) || isDigit(c) || c == '.' || c == '/' }

// isOptionStart reports whether c starts an option.
func isOptionStart(c int) bool { return c == '@' || c == '#' || c == '<' || c == '~' }

// found describes the text at offset pos for an error message: the rune there, quoted, or
// "end of route".
func found(input string, pos int) string {
	if pos >= len(input) {
		return "end of route"
	}
	r, _ := utf8.DecodeRuneInString(input[pos:])
	if r == utf8.RuneError {
		return strconv.Quote(input[pos : pos+1])
	}
	return strconv.Quote(string(r))
}

// word returns the text from pos up to the next space or the end of the input.
func word(input string, pos int) string {
	end := pos
	for end < len(input) && !isSpace(int(input[end])) {
		end++
	}
	return input[pos:end]
}

// lexStart scans leading spaces and the optional auth prefix.
func lexStart(l *lexer) stateFn {
	l.acceptRun(isSpace)
	if l.pos > l.start {
		l.emit(tokSpace, 0)
	}
	switch l.peek() {
	case eof:
		l.emit(tokEOF, 0)
		return nil
	case '+', '-':
		l.next()
		l.emit(tokAuth, 0)
	}
	return lexMethod
}

// lexMethod scans the method: everything up to the next space. The parser checks the word.
func lexMethod(l *lexer) stateFn {
	l.acceptRun(isNotSpace)
	l.emit(tokMethod, 0)
	l.acceptRun(isSpace)
	if l.pos > l.start {
		l.emit(tokSpace, 0)
	}
	if l.peek() == eof {
		l.emit(tokEOF, 0)
		return nil
	}
	if isOptionStart(l.peek()) {
		return lexOptions // no path; the parser says so
	}
	return lexPath
}

// lexPath scans the path up to the next space.
func lexPath(l *lexer) stateFn {
	for {
		c := l.peek()
		switch {
		case c == eof:
			l.emit(tokEOF, 0)
			return nil
		case isSpace(c):
			return lexOptions
		case c == '/':
			l.acceptRun(func(c int) bool { return c == '/' })
			l.emit(tokSlash, 0)
		case c == '?':
			l.next()
			l.emit(tokAPI, 0)
		case c == '*':
			l.next()
			l.emit(tokWildcard, 0)
		case c == '{':
			if !lexParam(l) {
				return nil
			}
		case isLiteralStart(c):
			if !lexLiteral(l) {
				return nil
			}
		case c == '}':
			return l.errorf(l.pos, ErrSyntax, `unexpected "}" in path: no "{" to close`)
		case c == ':':
			return l.errorf(l.pos, ErrPath, `unexpected ":" in path: write a parameter as {%s}, not :%[1]s`, word(l.input, l.pos+1))
		case isOptionStart(c):
			return l.errorf(l.pos, ErrPath, "unexpected %q in path: expected a space before %q", rune(c), word(l.input, l.pos))
		default:
			return l.errorf(l.pos, ErrPath, `unexpected %s in path: expected letters, digits, one of "-._~!$&'()+,;=:@", a %%XX escape, "/", "{", "*" or "?"`, found(l.input, l.pos))
		}
	}
}

// lexLiteral scans a static segment: a run of pchars. A "%" must start a percent-escape of
// two hexadecimal digits. A segment holding "@" must end with "/" or "?", so that an option
// glued to the path ("/chat@json") stays an error rather than a literal. It reports false
// after emitting an error token.
func lexLiteral(l *lexer) bool {
	l.acceptRun(isLiteral)
	lit := l.input[l.start:l.pos]
	for i := 0; i < len(lit); i++ {
		if lit[i] == '%' && (i+2 >= len(lit) || !isHex(lit[i+1]) || !isHex(lit[i+2])) {
			end := min(i+3, len(lit))
			l.errorf(l.start+i, ErrPath, `malformed percent-escape %q in path: expected "%%" and two hexadecimal digits`, lit[i:end])
			return false
		}
	}
	if at := strings.IndexByte(lit, '@'); at >= 0 {
		if c := l.peek(); c != '/' && c != '?' {
			l.pos = l.start + at
			l.emit(tokLiteral, 0)
			l.errorf(l.pos, ErrPath, `unexpected "@" in path: expected a space before %q, or a "/" after %q`, word(l.input, l.pos), lit)
			return false
		}
	}
	l.emit(tokLiteral, 0)
	return true
}

// lexParam scans "{…}" up to the closing brace; the braces may not enclose a slash, a space or
// another brace. It reports false after emitting an error token.
func lexParam(l *lexer) bool {
	open := l.pos
	l.next()
	for {
		switch c := l.next(); c {
		case '}':
			l.toks = append(l.toks, token{kind: tokParam, pos: open, val: l.input[open+1 : l.pos-1]})
			l.start = l.pos
			return true
		case eof:
			l.errorf(open, ErrSyntax, `unclosed "{": expected "}" before end of route`)
			return false
		case '/':
			l.backup()
			if end := strings.IndexAny(l.input[l.pos:], "} \t"); end >= 0 && l.input[l.pos+end] == '}' {
				inner := l.input[open+1 : l.pos+end]
				hint := "a parameter is one path segment"
				if name := strings.TrimRight(inner, "/"); strings.IndexByte(name, '/') < 0 {
					hint = "write {" + name + "}/"
				}
				l.errorf(open, ErrSyntax, `unclosed "{": "/" inside "{%s}": %s`, inner, hint)
				return false
			}
			l.errorf(open, ErrSyntax, `unclosed "{": expected "}" before %s`, found(l.input, l.pos))
			return false
		case ' ', '\t', '{':
			l.backup()
			l.errorf(open, ErrSyntax, `unclosed "{": expected "}" before %s`, found(l.input, l.pos))
			return false
		}
	}
}

// lexOptions scans the options after the path: spaces, then one option at a time.
func lexOptions(l *lexer) stateFn {
	l.acceptRun(isSpace)
	if l.pos > l.start {
		l.emit(tokSpace, 0)
	}
	switch l.peek() {
	case eof:
		l.emit(tokEOF, 0)
		return nil
	case '@':
		return lexFlag
	case '#':
		return lexMiddleware
	case '<':
		return lexSize
	case '~':
		return lexRate
	}
	return l.errorf(l.pos, ErrSyntax, "unexpected %q: expected an option (@flag, #middleware, <size>, <timeout> or ~rate)", word(l.input, l.pos))
}

// lexFlag scans "@word".
func lexFlag(l *lexer) stateFn {
	l.next()
	l.acceptRun(isWord)
	if l.pos == l.start+1 {
		return l.errorf(l.pos, ErrSyntax, `expected a flag name after "@", found %s`, found(l.input, l.pos))
	}
	l.emit(tokFlag, 1)
	return lexAfterOption
}

// lexMiddleware scans "#name".
func lexMiddleware(l *lexer) stateFn {
	l.next()
	if c := l.peek(); !isWord(c) {
		return l.errorf(l.pos, ErrSyntax, `expected a middleware name after "#", found %s`, found(l.input, l.pos))
	}
	l.acceptRun(isName)
	l.emit(tokMiddleware, 1)
	return lexAfterOption
}

// lexSize scans "<value", a size or a timeout; the parser checks the value.
func lexSize(l *lexer) stateFn {
	return l.value(tokSize)
}

// lexRate scans "~value"; the parser checks the value.
func lexRate(l *lexer) stateFn {
	return l.value(tokRate)
}

// value scans a sigil and the run of value characters after it.
func (l *lexer) value(k tokenKind) stateFn {
	l.next()
	l.acceptRun(isValue)
	l.emit(k, 1)
	return lexAfterOption
}

// lexAfterOption checks that an option ends at a space, the end, or the start of another option
// ("@text@binary" is two flags).
func lexAfterOption(l *lexer) stateFn {
	c := l.peek()
	if c == eof || isSpace(c) || isOptionStart(c) {
		return lexOptions
	}
	prev := l.toks[len(l.toks)-1]
	if c == '>' && (prev.kind == tokSize) {
		return l.errorf(l.pos, ErrSyntax, `unexpected ">" after %q: write <%s without ">"`, l.input[prev.pos:l.pos], prev.val)
	}
	return l.errorf(l.pos, ErrSyntax, "unexpected %s after %q: expected a space", found(l.input, l.pos), l.input[prev.pos:l.pos])
}
