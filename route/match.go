package route

import (
	"strings"

	"github.com/wsroute/wsroute/parser"
)

// node is one level of the route tree. Children are tried in precedence order: the
// static child, then parameter children (number, uuid, then string), then the wildcard.
// The first branch that matches the whole path wins.
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
	vals  [16]string
	n     int
	rest  string // what the wildcard matched
	lower [256]byte
}

// lookup matches path (escaped, slashes anywhere) and returns the entries of the route
// that matched, or nil.
func (n *node) lookup(path string, st *matchState) []*entry {
	for len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	if path == "" {
		if len(n.routes) > 0 {
			return n.routes
		}
		if len(n.wildcard) > 0 {
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
		if child := n.static[st.lowerKey(seg)]; child != nil {
			if r := child.lookup(rest, st); r != nil {
				return r
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
	if len(n.wildcard) > 0 {
		st.rest = strings.TrimRight(path, "/")
		return n.wildcard
	}
	return nil
}

// lowerKey returns seg lower-cased. A segment without upper-case letters is returned as
// it is; the other kind is lowered into st.lower, and the map index expression with
// string(bytes) does not allocate.
func (st *matchState) lowerKey(seg string) string {
	upper := false
	for i := 0; i < len(seg); i++ {
		if 'A' <= seg[i] && seg[i] <= 'Z' {
			upper = true
			break
		}
	}
	if !upper || len(seg) > len(st.lower) {
		return seg
	}
	b := st.lower[:len(seg)]
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return unsafeString(b)
}

// validParam reports whether the raw segment satisfies the parameter type.
func validParam(t parser.ParamType, seg string) bool {
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
				if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
					return false
				}
			}
		}
		return true
	}
	return seg != ""
}

// normalize returns the controller key of a request path: slashes collapsed, lower-cased,
// one leading and one trailing slash ("/Chat//Room1" -> "/chat/room1/").
func normalize(path string) string {
	var b strings.Builder
	b.Grow(len(path) + 2)
	b.WriteByte('/')
	for _, seg := range strings.Split(path, "/") {
		if seg == "" {
			continue
		}
		b.WriteString(strings.ToLower(seg))
		b.WriteByte('/')
	}
	return b.String()
}
