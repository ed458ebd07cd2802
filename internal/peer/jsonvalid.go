package peer

import "encoding/binary"

// maxJSONDepth is encoding/json's nesting limit: a document nested deeper is invalid.
const maxJSONDepth = 10000

// validJSON reports whether data is exactly one JSON value with optional whitespace around
// it. It answers as encoding/json.Valid does, byte for byte (FuzzDecode holds the two
// together, nesting limit included), but scans strings eight bytes at a time and keeps its
// state in a bit stack instead of calling a function per byte: several times faster on
// the messages of a @json route, and without allocating below 512 levels of nesting.
// Like encoding/json it does not check the UTF-8 inside strings; text frames are checked
// for UTF-8 before.
func validJSON(data []byte) bool {
	var small [8]uint64
	stack := small[:] // bit d-1 is set when nesting level d is an object
	depth := 0
	n := len(data)
	i := skipSpace(data, 0)
	for {
		// A value starts at i.
		if i >= n {
			return false
		}
		switch c := data[i]; c {
		case '{', '[':
			depth++
			if depth > maxJSONDepth {
				return false
			}
			d := uint(depth - 1)
			if d/64 >= uint(len(stack)) {
				grown := make([]uint64, (maxJSONDepth+63)/64)
				copy(grown, stack)
				stack = grown
			}
			bit := uint64(1) << (d % 64)
			i = skipSpace(data, i+1)
			if c == '[' {
				stack[d/64] &^= bit
				if i < n && data[i] == ']' {
					i++
					depth--
					break // an empty array is a complete value
				}
				continue // the first element
			}
			stack[d/64] |= bit
			if i < n && data[i] == '}' {
				i++
				depth--
				break // an empty object is a complete value
			}
			if i = objectKey(data, i); i < 0 {
				return false
			}
			continue // the member's value
		case '"':
			if i = scanString(data, i+1); i < 0 {
				return false
			}
		case 't':
			if !hasWord(data, i, "true") {
				return false
			}
			i += 4
		case 'f':
			if !hasWord(data, i, "false") {
				return false
			}
			i += 5
		case 'n':
			if !hasWord(data, i, "null") {
				return false
			}
			i += 4
		default:
			if i = scanNumber(data, i); i < 0 {
				return false
			}
		}
		// After a value: close containers, or find the next element.
		for {
			i = skipSpace(data, i)
			if depth == 0 {
				return i == n
			}
			if i >= n {
				return false
			}
			d := uint(depth - 1)
			inObject := stack[d/64]&(1<<(d%64)) != 0
			c := data[i]
			if c == ',' {
				i = skipSpace(data, i+1)
				if inObject {
					if i = objectKey(data, i); i < 0 {
						return false
					}
				}
				break // the next value
			}
			if inObject && c == '}' || !inObject && c == ']' {
				i++
				depth--
				continue
			}
			return false
		}
	}
}

// objectKey scans `"key" :` starting at i and returns the offset after the colon and any
// whitespace, or -1.
func objectKey(data []byte, i int) int {
	if i >= len(data) || data[i] != '"' {
		return -1
	}
	if i = scanString(data, i+1); i < 0 {
		return -1
	}
	i = skipSpace(data, i)
	if i >= len(data) || data[i] != ':' {
		return -1
	}
	return skipSpace(data, i+1)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func hasWord(data []byte, i int, w string) bool {
	return len(data)-i >= len(w) && string(data[i:i+len(w)]) == w
}

// The SWAR constants: one byte of each, repeated.
const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	quotes = '"' * ones
	slashs = '\\' * ones
)

// scanString scans the rest of a string whose opening quote is at i-1 and returns the
// offset after the closing quote, or -1.
func scanString(data []byte, i int) int {
	n := len(data)
	for {
		// Skip eight plain bytes at a time: a quote, a backslash or a control character
		// (below 0x20) sets the high bit of its byte in one of the three terms.
		for i+8 <= n {
			v := binary.LittleEndian.Uint64(data[i:])
			q, s := v^quotes, v^slashs
			if ((q-ones)&^q|(s-ones)&^s|(v-0x20*ones)&^v)&highs != 0 {
				break
			}
			i += 8
		}
		if i >= n {
			return -1
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 >= n {
				return -1
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if n-i < 6 {
					return -1
				}
				for _, h := range data[i+2 : i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 6
			default:
				return -1
			}
		case c < 0x20:
			return -1
		default:
			i++
		}
	}
}

// scanNumber scans a number starting at i (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
// and returns the offset after it, or -1.
func scanNumber(data []byte, i int) int {
	n := len(data)
	if i < n && data[i] == '-' {
		i++
	}
	switch {
	case i < n && data[i] == '0':
		i++
	case i < n && '1' <= data[i] && data[i] <= '9':
		i = digits(data, i+1)
	default:
		return -1
	}
	if i < n && data[i] == '.' {
		if i+1 >= n || !isDigit(data[i+1]) {
			return -1
		}
		i = digits(data, i+1)
	}
	if i < n && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < n && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= n || !isDigit(data[i]) {
			return -1
		}
		i = digits(data, i)
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}
