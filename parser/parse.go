package parser

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// Options adjusts [ParseWith]. The zero Options accepts every well-formed route, like [Parse].
type Options struct {
	// Flag, when non-nil, is asked about every custom flag (any @word other than @json, @text,
	// @binary and @csrf), with the lower-cased name and without the "@". When it returns false the
	// route is refused with ErrUnknownFlag at the "@". Nil accepts every custom flag.
	Flag func(name string) bool
	// Middleware, when non-nil, is asked about every #name, as written and without the "#". When
	// it returns false the route is refused with ErrUnknownMiddleware at the "#". Nil accepts every
	// middleware name.
	Middleware func(name string) bool
}

// Parse parses a route string such as "SOCKET /chat/{room}/ @json <1MB" into a Spec. The grammar
// is in the package documentation. Every error is an [*Error]; Parse(s) is ParseWith(s, Options{}).
func Parse(route string) (Spec, error) {
	return ParseWith(route, Options{})
}

// MustParse is like Parse but panics with the [*Error] if the route is malformed. It is meant for
// tests and package-level variables.
func MustParse(route string) Spec {
	s, err := Parse(route)
	if err != nil {
		panic(err)
	}
	return s
}

// ParseWith is like [Parse], and also asks opts about every custom flag and middleware name.
func ParseWith(route string, opts Options) (Spec, error) {
	p := parser{input: route, opts: opts, modeAt: -1, csrfAt: -1, sizeAt: -1, timeoutAt: -1, rateAt: -1}
	l := lexers.Get().(*lexer)
	p.toks = lex(l, route)
	p.lexErr = l.err
	err := p.parse()
	l.release()
	if err != nil {
		return Spec{}, err
	}
	return p.spec, nil
}

// parser is a recursive-descent parser over the tokens of one route string.
type parser struct {
	input  string
	opts   Options
	toks   []token // always ends with tokEOF or tokError
	lexErr error   // the lexer's error, with the final tokError
	i      int     // index of the next token
	spec   Spec

	// Offsets of the options already seen, -1 when unset, to refuse a second one.
	modeAt, csrfAt, sizeAt, timeoutAt, rateAt int
	modeText                                  string // the mode flag's name as written, such as "TEXT"
}

// next consumes and returns the next token. The final token is returned again at the end.
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

// peek returns the next token without consuming it.
func (p *parser) peek() token {
	return p.toks[p.i]
}

// errorf returns an *Error at offset pos wrapping sentinel with the formatted message.
func (p *parser) errorf(pos int, sentinel error, format string, args ...any) error {
	return &Error{Route: p.input, Offset: pos, Err: wrapf(sentinel, format, args...)}
}

// lexError turns a tokError into an *Error.
func (p *parser) lexError(t token) error {
	return &Error{Route: p.input, Offset: t.pos, Err: p.lexErr}
}

// parse parses the whole route into p.spec.
func (p *parser) parse() error {
	t := p.next()
	if t.kind == tokSpace {
		t = p.next()
	}
	switch t.kind {
	case tokEOF:
		return p.errorf(0, ErrEmpty, `expected a route such as "SOCKET /chat/{room}/"`)
	case tokError:
		return p.lexError(t)
	}
	if err := p.method(t); err != nil {
		return err
	}
	if err := p.path(); err != nil {
		return err
	}
	return p.options()
}

// method parses the optional auth prefix and the method.
func (p *parser) method(t token) error {
	if t.kind == tokAuth {
		if t.val == "+" {
			p.spec.Auth = AuthAuthorized
		} else {
			p.spec.Auth = AuthUnauthorized
		}
		t = p.next()
		if t.val == "" {
			return p.errorf(t.pos, ErrMethod, `expected SOCKET or WEBSOCKET right after %q, found %s`, p.input[t.pos-1:t.pos], found(p.input, t.pos))
		}
	}
	switch {
	case strings.EqualFold(t.val, "SOCKET"):
		p.spec.Method = "SOCKET"
	case strings.EqualFold(t.val, "WEBSOCKET"):
		p.spec.Method = "WEBSOCKET"
	default:
		return p.errorf(t.pos, ErrMethod, "unknown method %q: expected SOCKET or WEBSOCKET", t.val)
	}
	return nil
}

// path parses the path, which starts after the space that follows the method.
func (p *parser) path() error {
	t := p.next()
	if t.kind == tokSpace {
		t = p.peek()
	}
	switch t.kind {
	case tokEOF, tokFlag, tokMiddleware, tokSize, tokRate:
		return p.errorf(t.pos, ErrPath, "missing path: expected a path such as /chat/ after %q, found %s", p.spec.Method, p.foundToken(t))
	case tokError:
		return p.lexError(t)
	}

	// Count the segments first so that Segments is allocated once, at its final size.
	n := 0
	for _, u := range p.toks[p.i:] {
		if u.kind == tokLiteral || u.kind == tokParam || u.kind == tokWildcard || u.kind == tokAPI {
			n++
		} else if u.kind != tokSlash {
			break
		}
	}
	if n > 0 {
		p.spec.Segments = make([]Segment, 0, n)
	}

	inSeg := -1    // index of the token that started the current segment, -1 after a slash
	wildcard := -1 // offset of the "*", once seen
	for {
		t := p.peek()
		switch t.kind {
		case tokSlash:
			inSeg = -1
		case tokAPI:
			if wildcard >= 0 {
				return p.errorf(wildcard, ErrWildcard, `"*" must be the last segment, found "?" (/api/) after it`)
			}
			inSeg = -1
			p.spec.Segments = append(p.spec.Segments, Segment{Kind: Static, Value: "api"})
		case tokLiteral, tokParam, tokWildcard:
			if inSeg >= 0 {
				return p.glued(p.toks[inSeg], t)
			}
			if wildcard >= 0 {
				return p.errorf(wildcard, ErrWildcard, `"*" must be the last segment, found %q after it`, segmentText(p.input, t.pos))
			}
			inSeg = p.i
			seg, err := p.segment(t)
			if err != nil {
				return err
			}
			if t.kind == tokWildcard {
				wildcard = t.pos
			}
			p.spec.Segments = append(p.spec.Segments, seg)
		case tokError:
			return p.lexError(t)
		default: // tokSpace or tokEOF: the options follow
			return nil
		}
		p.next()
	}
}

// glued reports two path items in one segment, such as "x*" or "chat{room}".
func (p *parser) glued(first, second token) error {
	seg := segmentText(p.input, first.pos)
	switch {
	case first.kind == tokWildcard:
		return p.errorf(first.pos, ErrWildcard, `"*" must be a whole segment, found %q`, seg)
	case second.kind == tokWildcard:
		return p.errorf(second.pos, ErrWildcard, `"*" must be a whole segment, found %q`, seg)
	case first.kind == tokParam:
		return p.errorf(first.pos, ErrParam, "a parameter must be a whole segment, found %q", seg)
	default:
		return p.errorf(second.pos, ErrParam, "a parameter must be a whole segment, found %q", seg)
	}
}

// segmentText returns the path segment that starts at pos: the text up to the next slash, "?",
// space or the end.
func segmentText(input string, pos int) string {
	end := pos
	for end < len(input) {
		c := input[end]
		if c == '/' || c == '?' || c == ' ' || c == '\t' {
			break
		}
		end++
	}
	return input[pos:end]
}

// segment turns a literal, param or wildcard token into a Segment.
func (p *parser) segment(t token) (Segment, error) {
	switch t.kind {
	case tokWildcard:
		return Segment{Kind: Wildcard}, nil
	case tokLiteral:
		v := foldStatic(t.val)
		if v == "." || v == ".." {
			return Segment{}, p.errorf(t.pos, ErrPath, "dot segment %q is not allowed: a path is matched as written, without resolving dots", t.val)
		}
		return Segment{Kind: Static, Value: v}, nil
	}
	return p.param(t)
}

// foldStatic returns the value of a static segment as written in a route (its
// percent-escapes checked by the lexer): escapes decoded, ASCII letters lower-cased.
func foldStatic(lit string) string {
	if strings.IndexByte(lit, '%') < 0 {
		return strings.ToLower(lit) // ASCII only: the lexer accepts nothing else
	}
	b := make([]byte, 0, len(lit))
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		if c == '%' {
			c = unhex(lit[i+1])<<4 | unhex(lit[i+2])
			i += 2
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// param parses the inside of "{name}" or "{name:type}".
func (p *parser) param(t token) (Segment, error) {
	name, typ, hasType := strings.Cut(t.val, ":")
	namePos := t.pos + 1
	if name == "" {
		return Segment{}, p.errorf(namePos, ErrParam, `empty parameter name in "{%s}": expected a name such as {room}`, t.val)
	}
	for i := 0; i < len(name); i++ {
		c := int(name[i])
		switch {
		case i == 0 && isDigit(c):
			return Segment{}, p.errorf(namePos, ErrParam, `parameter name %q starts with a digit: expected a letter or "_" first`, name)
		case !isWord(c):
			return Segment{}, p.errorf(namePos+i, ErrParam, `unexpected %s in parameter name %q: expected letters, digits or "_"`, found(p.input, namePos+i), name)
		}
	}
	for _, s := range p.spec.Segments {
		if s.Kind == Param && s.Value == name {
			return Segment{}, p.errorf(t.pos, ErrDupParam, "parameter %q appears twice (first at offset %d): expected a different name", name, p.firstParam(name))
		}
	}
	seg := Segment{Kind: Param, Value: name}
	if !hasType {
		return seg, nil
	}
	typePos := namePos + len(name) + 1
	switch {
	case typ == "":
		return Segment{}, p.errorf(typePos, ErrParamType, `missing type after ":" in "{%s}": expected string, number or uuid`, t.val)
	case strings.EqualFold(typ, "string"):
		seg.Type = TypeString
	case strings.EqualFold(typ, "number"):
		seg.Type = TypeNumber
	case strings.EqualFold(typ, "uuid"):
		seg.Type = TypeUUID
	default:
		return Segment{}, p.errorf(typePos, ErrParamType, `%q in "{%s}": expected string, number or uuid`, typ, t.val)
	}
	return seg, nil
}

// foundToken describes token t for an error message.
func (p *parser) foundToken(t token) string {
	if t.kind == tokEOF {
		return "end of route"
	}
	return `"` + word(p.input, t.pos) + `"`
}

// options parses the options after the path, then fills in the defaults.
func (p *parser) options() error {
	// Count custom flags and middleware first so that each slice is allocated once.
	flags, mws := 0, 0
	for _, t := range p.toks[p.i:] {
		switch {
		case t.kind == tokFlag && !builtin(t.val):
			flags++
		case t.kind == tokMiddleware:
			mws++
		}
	}
	if flags > 0 {
		p.spec.Flags = make([]string, 0, flags)
	}
	if mws > 0 {
		p.spec.Middleware = make([]string, 0, mws)
	}
	for {
		t := p.next()
		var err error
		switch t.kind {
		case tokSpace:
		case tokEOF:
			p.finish()
			return nil
		case tokError:
			return p.lexError(t)
		case tokFlag:
			err = p.flag(t)
		case tokMiddleware:
			err = p.middleware(t)
		case tokSize:
			err = p.sizeOrTimeout(t)
		case tokRate:
			err = p.rate(t)
		default:
			err = p.errorf(t.pos, ErrSyntax, "unexpected %s: expected an option (@flag, #middleware, <size>, <timeout> or ~rate)", p.foundToken(t))
		}
		if err != nil {
			return err
		}
	}
}

// builtin reports whether a flag name is a mode or csrf, in any case.
func builtin(name string) bool {
	switch len(name) {
	case 4:
		return strings.EqualFold(name, "json") || strings.EqualFold(name, "text") || strings.EqualFold(name, "csrf")
	case 6:
		return strings.EqualFold(name, "binary")
	}
	return false
}

// finish fills in the defaults and puts the flags in canonical order.
func (p *parser) finish() {
	if p.sizeAt < 0 {
		p.spec.MaxBytes = DefaultMaxBytes
	}
	slices.Sort(p.spec.Flags)
}

// first returns the offset of the first token of kind k whose value is val (compared
// case-insensitively when fold is set), or -1.
func (p *parser) first(k tokenKind, val string, fold bool) int {
	for _, t := range p.toks {
		if t.kind == k && (t.val == val || fold && strings.EqualFold(t.val, val)) {
			return t.pos
		}
	}
	return -1
}

// firstParam returns the offset of the "{" of the first parameter called name.
func (p *parser) firstParam(name string) int {
	for _, t := range p.toks {
		if n, _, _ := strings.Cut(t.val, ":"); t.kind == tokParam && n == name {
			return t.pos
		}
	}
	return -1
}

// flag parses "@word": a mode, @csrf or a custom flag.
func (p *parser) flag(t token) error {
	name := strings.ToLower(t.val)
	var mode Mode
	switch name {
	case "json":
		mode = ModeJSON
	case "text":
		mode = ModeText
	case "binary":
		mode = ModeBinary
	case "csrf":
		if p.csrfAt >= 0 {
			return p.errorf(t.pos, ErrDuplicate, `found "@%s" again: @csrf was already given at offset %d`, t.val, p.csrfAt)
		}
		p.csrfAt = t.pos
		p.spec.CSRF = true
		return nil
	default:
		if p.opts.Flag != nil && !p.opts.Flag(name) {
			return p.errorf(t.pos, ErrUnknownFlag, `found "@%s": expected a declared flag, @json, @text, @binary or @csrf`, t.val)
		}
		if slices.Contains(p.spec.Flags, name) {
			return p.errorf(t.pos, ErrDuplicate, `found "@%s" again: it was already given at offset %d`, t.val, p.first(tokFlag, name, true))
		}
		p.spec.Flags = append(p.spec.Flags, name)
		return nil
	}
	if p.modeAt >= 0 {
		return p.errorf(t.pos, ErrMode, `found "@%s", but the mode is already "@%s" (offset %d): expected one of @json, @text or @binary`, t.val, p.modeText, p.modeAt)
	}
	p.modeAt, p.modeText = t.pos, t.val
	p.spec.Mode = mode
	return nil
}

// middleware parses "#name".
func (p *parser) middleware(t token) error {
	if p.opts.Middleware != nil && !p.opts.Middleware(t.val) {
		return p.errorf(t.pos, ErrUnknownMiddleware, `found "#%s": expected a registered middleware`, t.val)
	}
	if slices.Contains(p.spec.Middleware, t.val) {
		return p.errorf(t.pos, ErrDuplicate, `found "#%s" again: it was already given at offset %d`, t.val, p.first(tokMiddleware, t.val, false))
	}
	p.spec.Middleware = append(p.spec.Middleware, t.val)
	return nil
}

// Units of sizes, timeouts and rates.
const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

const unitsExpected = "expected B, KB, MB, GB, KiB, MiB or GiB for a size, or s, m or h for a timeout"

// sizeOrTimeout parses "<value": a size ("1MB", "1.5MB") or an idle timeout ("30s", "5m", "1h").
func (p *parser) sizeOrTimeout(t token) error {
	tok := p.input[t.pos : t.pos+1+len(t.val)] // "<1MB"
	num, frac, unit, err := p.number(t, ErrSize, `"<"`)
	if err != nil {
		return err
	}
	unitPos := t.pos + 1 + len(t.val) - len(unit)
	var mult uint64
	timeout := false
	switch {
	case unit == "":
		return p.errorf(t.pos, ErrSize, "%q has no unit: %s", tok, unitsExpected)
	case strings.EqualFold(unit, "B"):
		mult = 1
	case strings.EqualFold(unit, "KB"), strings.EqualFold(unit, "KiB"):
		mult = kib
	case strings.EqualFold(unit, "MB"), strings.EqualFold(unit, "MiB"):
		mult = mib
	case strings.EqualFold(unit, "GB"), strings.EqualFold(unit, "GiB"):
		mult = gib
	case unit == "s" || unit == "S":
		mult, timeout = 1, true
	case unit == "m":
		mult, timeout = 60, true
	case unit == "h" || unit == "H":
		mult, timeout = 3600, true
	case unit == "M":
		return p.errorf(unitPos, ErrSize, `ambiguous unit "M" in %q: write "MB" for a size or "m" for minutes`, tok)
	case strings.EqualFold(unit, "K"), strings.EqualFold(unit, "G"):
		return p.errorf(unitPos, ErrSize, "unknown unit %q in %q: did you mean %sB? %s", unit, tok, strings.ToUpper(unit), unitsExpected)
	default:
		return p.errorf(unitPos, ErrSize, "unknown unit %q in %q: %s", unit, tok, unitsExpected)
	}

	if timeout {
		if p.timeoutAt >= 0 {
			return p.errorf(t.pos, ErrDuplicate, "second timeout %q: the idle timeout was already given at offset %d", tok, p.timeoutAt)
		}
		secs, err := p.scale(t, num, frac, mult, ErrTimeout, "second", math.MaxInt64/uint64(time.Second))
		if err != nil {
			return err
		}
		p.timeoutAt = t.pos
		p.spec.IdleTimeout = time.Duration(secs) * time.Second
		return nil
	}
	if p.sizeAt >= 0 {
		return p.errorf(t.pos, ErrDuplicate, "second size %q: the size was already given at offset %d", tok, p.sizeAt)
	}
	n, err := p.scale(t, num, frac, mult, ErrSize, "byte", math.MaxInt64)
	if err != nil {
		return err
	}
	p.sizeAt = t.pos
	p.spec.MaxBytes = int64(n)
	return nil
}

// number splits the value of token t into its integer digits, its fraction digits (after a ".")
// and the rest, the unit. sigil names the option's sigil for messages.
func (p *parser) number(t token, sentinel error, sigil string) (num, frac, unit string, err error) {
	v := t.val
	i := 0
	for i < len(v) && isDigit(int(v[i])) {
		i++
	}
	if i == 0 {
		return "", "", "", p.errorf(t.pos+1, sentinel, "expected a number after %s, found %s", sigil, found(p.input, t.pos+1))
	}
	num = v[:i]
	if i < len(v) && v[i] == '.' {
		j := i + 1
		for j < len(v) && isDigit(int(v[j])) {
			j++
		}
		if j == i+1 {
			return "", "", "", p.errorf(t.pos+1+j, sentinel, `expected digits after "." in %q, found %s`, p.input[t.pos:t.pos+1+len(v)], found(p.input, t.pos+1+j))
		}
		frac = v[i+1 : j]
		i = j
	}
	return num, frac, v[i:], nil
}

var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// scale computes num.frac × mult exactly. The result must be a whole number of units (bytes or
// seconds), at least 1 and at most max.
func (p *parser) scale(t token, num, frac string, mult uint64, sentinel error, unit string, max uint64) (uint64, error) {
	tok := p.input[t.pos : t.pos+1+len(t.val)]
	num = strings.TrimLeft(num, "0")
	frac = strings.TrimRight(frac, "0")
	if len(num)+len(frac) > 18 {
		return 0, p.errorf(t.pos, sentinel, "%q has too many digits: expected at most 18 significant digits", tok)
	}
	var n uint64
	for _, s := range [2]string{num, frac} {
		for i := 0; i < len(s); i++ {
			n = n*10 + uint64(s[i]-'0')
		}
	}
	if n == 0 {
		return 0, p.errorf(t.pos, sentinel, "%q is zero: expected at least 1 %s", tok, unit)
	}
	hi, lo := bits.Mul64(n, mult)
	d := pow10[len(frac)]
	if hi >= d {
		return 0, p.errorf(t.pos, sentinel, "%q is too large", tok)
	}
	q, r := bits.Div64(hi, lo, d)
	if r != 0 {
		return 0, p.errorf(t.pos, sentinel, "%q is not a whole number of %ss", tok, unit)
	}
	if q > max {
		return 0, p.errorf(t.pos, sentinel, "%q is too large", tok)
	}
	return q, nil
}

// rate parses "~N/s", "~N/10s", "~N/m", "~N/h".
func (p *parser) rate(t token) error {
	tok := p.input[t.pos : t.pos+1+len(t.val)] // "~50/s"
	if p.rateAt >= 0 {
		return p.errorf(t.pos, ErrDuplicate, "second rate %q: the rate was already given at offset %d", tok, p.rateAt)
	}
	v := t.val
	i := 0
	for i < len(v) && isDigit(int(v[i])) {
		i++
	}
	if i == 0 {
		return p.errorf(t.pos+1, ErrRate, `expected a message count after "~", found %s`, found(p.input, t.pos+1))
	}
	max, ok := atoi(v[:i])
	if !ok {
		return p.errorf(t.pos+1, ErrRate, "count in %q is too large", tok)
	}
	if max == 0 {
		return p.errorf(t.pos+1, ErrRate, "count in %q is zero: expected at least 1 message", tok)
	}
	if i == len(v) || v[i] != '/' {
		return p.errorf(t.pos+1+i, ErrRate, `expected "/" and a window such as /s, /10s, /m or /h after the count in %q, found %s`, tok, found(p.input, t.pos+1+i))
	}
	i++
	j := i
	for j < len(v) && isDigit(int(v[j])) {
		j++
	}
	count := 1
	if j > i {
		count, ok = atoi(v[i:j])
		if !ok {
			return p.errorf(t.pos+1+i, ErrRate, "window in %q is too large", tok)
		}
		if count == 0 {
			return p.errorf(t.pos+1+i, ErrRate, "window in %q is zero: expected at least 1", tok)
		}
	}
	var unit time.Duration
	switch strings.ToLower(v[j:]) {
	case "s":
		unit = time.Second
	case "m":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "":
		return p.errorf(t.pos+1+j, ErrRate, "missing window unit in %q: expected s, m or h, found %s", tok, found(p.input, t.pos+1+j))
	default:
		return p.errorf(t.pos+1+j, ErrRate, "unknown window unit %q in %q: expected s, m or h", v[j:], tok)
	}
	if count > int(math.MaxInt64/int64(unit)) {
		return p.errorf(t.pos+1+i, ErrRate, "window in %q is too large", tok)
	}
	p.rateAt = t.pos
	p.spec.Rate = &Rate{Max: max, Per: time.Duration(count) * unit}
	return nil
}

// atoi parses a run of ASCII digits into an int; ok is false when it overflows.
func atoi(s string) (n int, ok bool) {
	for i := 0; i < len(s); i++ {
		d := int(s[i] - '0')
		if n > (math.MaxInt-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
