package parser

import (
	"strconv"
	"time"
)

// Mode is how a route encodes and decodes messages.
type Mode uint8

// The message modes, chosen with @json, @text or @binary. ModeJSON is the default.
const (
	ModeJSON Mode = iota
	ModeText
	ModeBinary
)

// Auth says which clients a route accepts, from its + or - prefix.
type Auth uint8

// The auth prefixes: none, "+" and "-".
const (
	AuthAny          Auth = iota // no prefix: every client
	AuthAuthorized               // "+": only clients the authorizer accepts
	AuthUnauthorized             // "-": only clients the authorizer does not accept
)

// SegmentKind tells a static path segment from a parameter and the wildcard.
type SegmentKind uint8

// The kinds of path segment.
const (
	Static   SegmentKind = iota // "chat", "$tms": matched case-insensitively; Value is decoded and lower-cased
	Param                       // "{room}" or "{id:number}": Value is the name, case kept
	Wildcard                    // "*": only ever the last segment; matches the rest of the path, even nothing
)

// ParamType is the type a {name:type} parameter is validated against.
type ParamType uint8

// The parameter types. TypeString (the default) accepts any non-empty segment.
const (
	TypeString ParamType = iota
	TypeNumber           // digits only: 0-9, at least one
	TypeUUID             // 8-4-4-4-12 hexadecimal digits, any case
)

// Segment is one part of a route's path between slashes.
type Segment struct {
	Kind  SegmentKind
	Value string    // Static: the text, percent-escapes decoded, ASCII letters lower-cased; Param: the name; Wildcard: ""
	Type  ParamType // Param only
}

// Rate is a per-connection message rate limit, from "~Max/Per".
type Rate struct {
	Max int           // messages allowed per Per
	Per time.Duration // the window
}

// Spec is a parsed route string. The zero Spec is not valid; use Parse.
// Two Specs parsed from equivalent strings are equal with reflect.DeepEqual.
type Spec struct {
	Method      string        // "SOCKET" or "WEBSOCKET", upper-cased
	Auth        Auth          // from the "+" or "-" prefix
	Segments    []Segment     // "/chat/{room}/" -> [{Static chat} {Param room}]; the root "/" has none (nil)
	Mode        Mode          // ModeJSON unless @text or @binary
	MaxBytes    int64         // maximum message size; DefaultMaxBytes unless "<size>"
	Middleware  []string      // "#name" in order of appearance, case kept; nil when none
	CSRF        bool          // "@csrf"
	Flags       []string      // the other "@word" flags, lower-cased, sorted, without duplicates; nil when none
	IdleTimeout time.Duration // "<30s", "<5m", "<1h"; 0 when none
	Rate        *Rate         // "~50/s"; nil when none
}

// DefaultMaxBytes is the message size limit of a route without "<size>": 256 KiB, as in Total.js.
const DefaultMaxBytes = 256 << 10

// String returns "json", "text" or "binary".
func (m Mode) String() string {
	switch m {
	case ModeJSON:
		return "json"
	case ModeText:
		return "text"
	case ModeBinary:
		return "binary"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// String returns "any", "authorized" or "unauthorized".
func (a Auth) String() string {
	switch a {
	case AuthAny:
		return "any"
	case AuthAuthorized:
		return "authorized"
	case AuthUnauthorized:
		return "unauthorized"
	}
	return "Auth(" + strconv.Itoa(int(a)) + ")"
}

// String returns "static", "param" or "wildcard".
func (k SegmentKind) String() string {
	switch k {
	case Static:
		return "static"
	case Param:
		return "param"
	case Wildcard:
		return "wildcard"
	}
	return "SegmentKind(" + strconv.Itoa(int(k)) + ")"
}

// String returns "string", "number" or "uuid", the names used in "{name:type}".
func (t ParamType) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeNumber:
		return "number"
	case TypeUUID:
		return "uuid"
	}
	return "ParamType(" + strconv.Itoa(int(t)) + ")"
}

// String returns the segment as it appears in a canonical path: "chat", "{room}",
// "{id:number}" or "*". The type of a parameter is written only when it is not string.
func (s Segment) String() string {
	return string(s.append(nil))
}

func (s Segment) append(b []byte) []byte {
	switch s.Kind {
	case Param:
		b = append(b, '{')
		b = append(b, s.Value...)
		if s.Type != TypeString {
			b = append(b, ':')
			b = append(b, s.Type.String()...)
		}
		return append(b, '}')
	case Wildcard:
		return append(b, '*')
	}
	return appendEscaped(b, s.Value)
}

// appendEscaped writes a static segment's value: every byte that may not stand for itself
// (see isLiteralByte) as a percent-escape with upper-case hexadecimal digits.
func appendEscaped(b []byte, v string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		if c := v[i]; isLiteralByte(c, i == 0) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// Path returns the path pattern in canonical form: "/" for the root, otherwise each segment
// followed by a slash, except a final wildcard: "/chat/{room}/", "/files/{id:number}/*".
func (s Spec) Path() string {
	var buf [64]byte
	return string(s.appendPath(buf[:0]))
}

func (s Spec) appendPath(b []byte) []byte {
	b = append(b, '/')
	for _, seg := range s.Segments {
		b = seg.append(b)
		if seg.Kind != Wildcard {
			b = append(b, '/')
		}
	}
	return b
}

// Params returns the names of the path parameters in order, or nil when there are none.
func (s Spec) Params() []string {
	var names []string
	for _, seg := range s.Segments {
		if seg.Kind == Param {
			names = append(names, seg.Value)
		}
	}
	return names
}

// String returns the route in canonical form:
//
//	[+|-]METHOD /path/ @mode [@csrf] [@flag…] [#middleware…] <size> [<timeout>] [~rate]
//
// The mode and the size are always written; the custom flags are sorted, the middleware keep
// their order; the size is written in the largest of B, KB, MB and GB that divides it exactly, the
// timeout and the rate window in the largest of s, m and h. For a Spec returned by Parse,
// Parse(s.String()) returns a Spec equal to s (reflect.DeepEqual), and String is a fixed point.
func (s Spec) String() string {
	var buf [128]byte
	b := buf[:0]
	switch s.Auth {
	case AuthAuthorized:
		b = append(b, '+')
	case AuthUnauthorized:
		b = append(b, '-')
	}
	b = append(b, s.Method...)
	b = append(b, ' ')
	b = s.appendPath(b)
	b = append(b, " @"...)
	b = append(b, s.Mode.String()...)
	if s.CSRF {
		b = append(b, " @csrf"...)
	}
	for _, f := range s.Flags {
		b = append(b, " @"...)
		b = append(b, f...)
	}
	for _, m := range s.Middleware {
		b = append(b, " #"...)
		b = append(b, m...)
	}
	b = append(b, " <"...)
	b = appendSize(b, s.MaxBytes)
	if s.IdleTimeout > 0 {
		b = append(b, " <"...)
		b = appendDuration(b, s.IdleTimeout, false)
	}
	if s.Rate != nil {
		b = append(b, " ~"...)
		b = strconv.AppendInt(b, int64(s.Rate.Max), 10)
		b = append(b, '/')
		b = appendDuration(b, s.Rate.Per, true)
	}
	return string(b)
}

// appendSize writes n bytes in the largest unit that divides it exactly: 1048576 → "1MB",
// 1572864 → "1536KB".
func appendSize(b []byte, n int64) []byte {
	switch {
	case n > 0 && n%(1<<30) == 0:
		return append(strconv.AppendInt(b, n>>30, 10), "GB"...)
	case n > 0 && n%(1<<20) == 0:
		return append(strconv.AppendInt(b, n>>20, 10), "MB"...)
	case n > 0 && n%(1<<10) == 0:
		return append(strconv.AppendInt(b, n>>10, 10), "KB"...)
	}
	return append(strconv.AppendInt(b, n, 10), 'B')
}

// appendDuration writes d in the largest of h, m and s that divides it exactly: 90s → "90s",
// 2m → "2m". With omitOne (rate windows), a count of 1 is left out: "s", "m", "h". A duration
// that is not a positive whole number of seconds, which Parse never returns, is written as
// time.Duration.String writes it.
func appendDuration(b []byte, d time.Duration, omitOne bool) []byte {
	var n int64
	var unit byte
	switch {
	case d <= 0 || d%time.Second != 0:
		return append(b, d.String()...)
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), 'h'
	case d%time.Minute == 0:
		n, unit = int64(d/time.Minute), 'm'
	default:
		n, unit = int64(d/time.Second), 's'
	}
	if !omitOne || n != 1 {
		b = strconv.AppendInt(b, n, 10)
	}
	return append(b, unit)
}
