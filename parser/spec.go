package parser

import "time"

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
