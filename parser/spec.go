package parser

import (
	"strconv"
	"strings"
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
	Static   SegmentKind = iota // "chat": matched case-insensitively; Value is lower-cased
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
	Value string    // Static: the lower-cased text; Param: the name; Wildcard: ""
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
	Segments    []Segment     // "/chat/{room}/" -> [{Static chat} {Param room}]; the root "/" has none
	Mode        Mode          // ModeJSON unless @text or @binary
	MaxBytes    int64         // maximum message size; DefaultMaxBytes unless "<size>"
	Middleware  []string      // "#name" in order of appearance
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
	var b strings.Builder
	s.write(&b)
	return b.String()
}

func (s Segment) write(b *strings.Builder) {
	switch s.Kind {
	case Param:
		b.WriteByte('{')
		b.WriteString(s.Value)
		if s.Type != TypeString {
			b.WriteByte(':')
			b.WriteString(s.Type.String())
		}
		b.WriteByte('}')
	case Wildcard:
		b.WriteByte('*')
	default:
		b.WriteString(s.Value)
	}
}

// Path returns the path pattern in canonical form: "/" for the root, otherwise each segment
// followed by a slash, except a final wildcard: "/chat/{room}/", "/files/{id:number}/*".
func (s Spec) Path() string {
	var b strings.Builder
	b.Grow(pathLen(s.Segments))
	s.writePath(&b)
	return b.String()
}

func pathLen(segs []Segment) int {
	n := 1
	for _, seg := range segs {
		n += len(seg.Value) + 10
	}
	return n
}

func (s Spec) writePath(b *strings.Builder) {
	b.WriteByte('/')
	for _, seg := range s.Segments {
		seg.write(b)
		if seg.Kind != Wildcard {
			b.WriteByte('/')
		}
	}
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
	var b strings.Builder
	b.Grow(40 + pathLen(s.Segments) + 8*(len(s.Flags)+len(s.Middleware)))
	switch s.Auth {
	case AuthAuthorized:
		b.WriteByte('+')
	case AuthUnauthorized:
		b.WriteByte('-')
	}
	b.WriteString(s.Method)
	b.WriteByte(' ')
	s.writePath(&b)
	b.WriteString(" @")
	b.WriteString(s.Mode.String())
	if s.CSRF {
		b.WriteString(" @csrf")
	}
	for _, f := range s.Flags {
		b.WriteString(" @")
		b.WriteString(f)
	}
	for _, m := range s.Middleware {
		b.WriteString(" #")
		b.WriteString(m)
	}
	b.WriteString(" <")
	b.WriteString(formatSize(s.MaxBytes))
	if s.IdleTimeout > 0 {
		b.WriteString(" <")
		b.WriteString(formatDuration(s.IdleTimeout, false))
	}
	if s.Rate != nil {
		b.WriteString(" ~")
		b.WriteString(strconv.Itoa(s.Rate.Max))
		b.WriteByte('/')
		b.WriteString(formatDuration(s.Rate.Per, true))
	}
	return b.String()
}

// formatSize writes n bytes in the largest unit that divides it exactly: 1048576 → "1MB",
// 1572864 → "1536KB".
func formatSize(n int64) string {
	switch {
	case n > 0 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GB"
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KB"
	}
	return strconv.FormatInt(n, 10) + "B"
}

// formatDuration writes d in the largest of h, m and s that divides it exactly: 90s → "90s",
// 2m → "2m". With omitOne (rate windows), a count of 1 is left out: "s", "m", "h". A duration
// that is not a whole number of seconds, which Parse never returns, is written as Go writes it.
func formatDuration(d time.Duration, omitOne bool) string {
	var n int64
	var unit string
	switch {
	case d <= 0 || d%time.Second != 0:
		return d.String()
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "h"
	case d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "m"
	default:
		n, unit = int64(d/time.Second), "s"
	}
	if omitOne && n == 1 {
		return unit
	}
	return strconv.FormatInt(n, 10) + unit
}
