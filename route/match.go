package route

import (
	"net/url"
	"strings"

	"github.com/wsroute/wsroute/parser"
)

// node is one level of the route tree. Children are tried in precedence order: the
// static child, then parameter children (number, uuid, then string), then the wildcard.
// A lookup walks the branches that match the whole path in that order; the registry takes
// the first whose routes fit the client's auth (see choose).
type node struct {
	static   map[string]*node
	params   [3]*node // indexed by paramOrder
	routes   []*entry // routes that end at this node, one per auth prefix
	wildcard []*entry // routes that end with "*" at this node
}

// paramOrder is the order in which parameter types are tried: the stricter first.
var paramOrder = [3]parser.ParamType{parser.TypeNumber, parser.TypeUUID, parser.TypeString}

func paramSlot(t parser.ParamType) int {
	for i, p := range paramOrder {
		if p == t {
			return i
		}
	}
	return 2
}

// insert adds e under the path of its spec and returns the entries already there with
// the same shape, for the conflict check.
func (n *node) insert(e *entry) []*entry {
	cur := n
	for _, s := range e.spec.Segments {
		switch s.Kind {
		case parser.Static:
			if cur.static == nil {
				cur.static = make(map[string]*node)
			}
			next := cur.static[s.Value]
			if next == nil {
				next = new(node)
				cur.static[s.Value] = next
			}
			cur = next
		case parser.Param:
			i := paramSlot(s.Type)
			if cur.params[i] == nil {
				cur.params[i] = new(node)
			}
			cur = cur.params[i]
		case parser.Wildcard:
			cur.wildcard = append(cur.wildcard, e)
			return cur.wildcard[:len(cur.wildcard)-1]
		}
	}
	cur.routes = append(cur.routes, e)
	return cur.routes[:len(cur.routes)-1]
}

// matchState collects what a lookup captured. Its arrays keep a match free of
// allocations until parameters have to be returned.
type matchState struct {
	vals [16]string // the raw (escaped) segments captured by parameters
	n    int
	rest string    // what the wildcard matched, raw
	skip int       // matches to pass over before returning one: the skip-th match, from 0
	key  [256]byte // a static segment, decoded and folded, for the map lookup
}

// lookup matches path (escaped, slashes anywhere) and returns the entries of the
// st.skip-th route node that matches it in precedence order, or nil when there are no
// more. Each call starts afresh: pass a zeroed state with skip set.
func (n *node) lookup(path string, st *matchState) []*entry {
	for len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	if path == "" {
		if len(n.routes) > 0 && st.take() {
			return n.routes
		}
		if len(n.wildcard) > 0 && st.take() {
			st.rest = ""
			return n.wildcard
		}
		return nil
	}
	seg, rest := path, ""
	if i := strings.IndexByte(path, '/'); i >= 0 {
		seg, rest = path[:i], path[i:]
	}
	if n.static != nil {
		if key, ok := st.staticKey(seg); ok {
			if child := n.static[key]; child != nil {
				if r := child.lookup(rest, st); r != nil {
					return r
				}
			}
		}
	}
	for i, child := range n.params {
		if child == nil || !validParam(paramOrder[i], seg) || st.n == len(st.vals) {
			continue
		}
		st.vals[st.n] = seg
		st.n++
		if r := child.lookup(rest, st); r != nil {
			return r
		}
		st.n--
	}
	if len(n.wildcard) > 0 && st.take() {
		st.rest = strings.TrimRight(path, "/")
		return n.wildcard
	}
	return nil
}

// take reports whether the match just found is the one wanted, counting down skip.
func (st *matchState) take() bool {
	if st.skip > 0 {
		st.skip--
		return false
	}
	return true
}

// staticKey returns seg as a static child is keyed: percent-escapes decoded and ASCII
// letters lower-cased, as the parser stores a static segment. A segment with neither is
// returned as it is; the others are decoded into st.key, and the map index expression
// with string(bytes) does not allocate. ok is false for a malformed escape, which no
// static segment matches.
func (st *matchState) staticKey(seg string) (key string, ok bool) {
	plain := true
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; c == '%' || 'A' <= c && c <= 'Z' {
			plain = false
			break
		}
	}
	if plain {
		return seg, true
	}
	b := st.key[:0]
	if len(seg) > len(st.key) {
		b = make([]byte, 0, len(seg))
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			if i+2 >= len(seg) || !ishex(seg[i+1]) || !ishex(seg[i+2]) {
				return "", false
			}
			c = unhex(seg[i+1])<<4 | unhex(seg[i+2])
			i += 2
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return unsafeString(b), true
}

func ishex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// validParam reports whether a segment satisfies the parameter type; a segment with
// percent-escapes is checked decoded, and one with a malformed escape is not valid.
func validParam(t parser.ParamType, seg string) bool {
	if t != parser.TypeString && strings.IndexByte(seg, '%') >= 0 {
		v, err := url.PathUnescape(seg)
		if err != nil {
			return false
		}
		seg = v
	}
	switch t {
	case parser.TypeNumber:
		for i := 0; i < len(seg); i++ {
			if seg[i] < '0' || seg[i] > '9' {
				return false
			}
		}
		return seg != ""
	case parser.TypeUUID:
		if len(seg) != 36 {
			return false
		}
		for i := 0; i < 36; i++ {
			c := seg[i]
			switch i {
			case 8, 13, 18, 23:
				if c != '-' {
					return false
				}
			default:
				if !ishex(c) {
					return false
				}
			}
		}
		return true
	}
	return seg != ""
}

// bind returns what a match of e captured: the parameters as name, value pairs,
// percent-decoded (the wildcard's with doubled slashes collapsed), and the controller key of the concrete URL. The key is the route's
// static segments as the parser prints them (folded) and the parameter values with their
// case kept, re-escaped canonically, each followed by a slash: "/Chat/%41b//" on
// "/chat/{room}/" is "/chat/Ab/". ok is false for a malformed escape.
func (e *entry) bind(st *matchState) (params []string, key string, ok bool) {
	if len(e.params) == 0 && !e.wild {
		return nil, e.key, true
	}
	params = make([]string, 0, 2*len(e.params)+2)
	var buf [128]byte
	b := append(buf[:0], '/')
	p := 0
	for _, seg := range e.spec.Segments {
		switch seg.Kind {
		case parser.Static:
			b = append(b, seg.String()...)
			b = append(b, '/')
		case parser.Param:
			v, err := url.PathUnescape(st.vals[p])
			if err != nil {
				return nil, "", false
			}
			params = append(params, seg.Value, v)
			b = appendEscaped(b, v)
			b = append(b, '/')
			p++
		case parser.Wildcard:
			var rest strings.Builder // decoded, doubled slashes collapsed
			for part := range strings.SplitSeq(st.rest, "/") {
				if part == "" {
					continue
				}
				d, err := url.PathUnescape(part)
				if err != nil {
					return nil, "", false
				}
				if rest.Len() > 0 {
					rest.WriteByte('/')
				}
				rest.WriteString(d)
				b = appendEscaped(b, d)
				b = append(b, '/')
			}
			params = append(params, "*", rest.String())
		}
	}
	return params, string(b), true
}

// appendEscaped writes a decoded path segment canonically: the RFC 3986 pchars but "*"
// and "%" as themselves (":" and "@" not first), every other byte as a percent-escape with
// upper-case hexadecimal digits, as the parser prints a static segment. Two spellings of
// one value ("%41", "A") give one key.
func appendEscaped(b []byte, v string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!$&'()+,;=", c) >= 0, i > 0 && (c == ':' || c == '@'):
			b = append(b, c)
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}
