// Package parser turns Total.js-style WebSocket route strings into typed specs.
//
//	spec, err := parser.Parse("SOCKET /chat/{room}/ @json <1MB")
//
// It is a strict dialect of that syntax: the tokens keep their meaning, and what a lenient
// reader would silently misread (two modes, a size without a unit, "*" in the middle of a
// path, ...) is refused with an [*Error] that names
// the byte offset, what was found and what was expected. Nothing is ever silently ignored.
// The package depends on the standard library only. Parse is a pure function of its input and is
// safe for concurrent use.
//
// # Grammar
//
// In EBNF, with sp a run of spaces and tabs (leading and trailing ones are allowed):
//
//	route      = [ sp ] [ auth ] method sp path { sp option } [ sp ] .
//	auth       = "+" | "-" .                            glued to the method
//	method     = "SOCKET" | "WEBSOCKET" .               any case
//	path       = pathitem { pathitem } .                two segments need a "/" or "?" between them
//	pathitem   = "/" | "?" | segment .
//	segment    = literal | param | "*" .
//	literal    = first { first | ":" | "@" } .         not "." or ".." once decoded
//	first      = unreserved | subdelim | escape .
//	unreserved = letter | digit | "-" | "." | "_" | "~" .
//	subdelim   = "!" | "$" | "&" | "'" | "(" | ")" | "+" | "," | ";" | "=" .
//	escape     = "%" hexdigit hexdigit .
//	param      = "{" name [ ":" type ] "}" .
//	name       = ( letter | "_" ) { letter | digit | "_" } .
//	type       = "string" | "number" | "uuid" .         any case
//	option     = flag | middleware | size | timeout | rate .
//	flag       = "@" ( letter | digit | "_" ) { letter | digit | "_" } .
//	middleware = "#" ( letter | digit | "_" ) { letter | digit | "_" | "-" } .
//	size       = "<" number sizeunit .
//	timeout    = "<" number timeunit .
//	number     = digit { digit } [ "." digit { digit } ] .
//	rate       = "~" digit { digit } "/" [ digit { digit } ] timeunit .
//
// Options may come in any order. They are separated by spaces, or glued to each other
// ("@text@binary" is two flags); an option glued to the path is an error.
//
// # Meaning
//
//	token            syntax                  meaning                                          default
//	auth             +SOCKET, -SOCKET        "+" authorized clients only, "-" unauthorized     any client
//	method           SOCKET, websocket       a WebSocket route; stored upper-cased            —
//	static segment   /chat/, /$tms/          matched case-insensitively; stored lower-cased   —
//	param            {room}, {id:number}     captures one segment; the name keeps its case    type string
//	wildcard         /files/*                the rest of the path, even nothing; last only    —
//	API prefix       ?                       stands for /api/, anywhere in the path           —
//	mode             @json, @text, @binary   how messages are encoded; names in any case      @json
//	CSRF             @csrf                   the route requires a CSRF token                  off
//	custom flag      @api, @setup            any other @word, lower-cased, for middleware     none
//	middleware       #auth, #rate-limit      run in order after the upgrade; case kept        none
//	size             <1MB, <1.5MB, <512KiB   the maximum message size                         256 KiB
//	idle timeout     <30s, <5m, <1h          close a connection idle that long                none
//	rate             ~50/s, ~100/10s, ~600/m messages allowed per connection per window       none
//
// The path is normalised: "//" collapses, the leading and the trailing slash are optional
// ("SOCKET x/y" is "/x/y/"), "?" expands to "/api/" ("SOCKET ?{id}" is "/api/{id}/"). A static
// segment may hold every RFC 3986 path character that cannot be mistaken for the grammar:
// letters, digits, "-._~", the sub-delimiters "!$&'()+,;=" (so "/$tms/" and
// "/$flow/" are routes), and ":" and "@" after its first character; "*" is the
// wildcard, and a segment holding "@" must end with "/" ("/chat@json" is an option glued to
// the path, an error). Anything else is written as a percent-escape ("%20", "%C3%A9"): escapes
// are decoded, so "/%24tms/" is "/$tms/", and the request path is decoded the same way before
// it is compared. Static segments are compared with ASCII letters folded; other bytes must be
// equal. A literal such as "v1.2" or ".well-known" is allowed, but the dot segments "." and ".." (also escaped) are not.
//
// "#middleware" runs after the WebSocket upgrade and before the route's setup and events, so
// that a refusal reaches a browser as a close code it can read (4003, or 4000 with the
// middleware's error) rather than a failed handshake.
//
// Parameter types: string accepts any non-empty segment; number accepts the digits 0-9 only;
// uuid accepts 8-4-4-4-12 hexadecimal digits in any case. Parameter names are case-sensitive:
// {id} and {ID} are two parameters.
//
// # Units
//
// Sizes are 1024-based, and units are case-insensitive. The number may have decimals, but the
// result must be a whole number of bytes, at least 1 (<0.5KB is 512 bytes, <1.3B is an error):
//
//	unit         bytes
//	B            1
//	KB, KiB      1024
//	MB, MiB      1024² = 1,048,576        <1.5MB = 1,572,864
//	GB, GiB      1024³ = 1,073,741,824
//
// Timeouts and rate windows: s (seconds), m (minutes), h (hours); s and h in any
// case. A timeout must be a whole number of seconds, at least 1 (<1.5m is 90s, <1.5s is an error).
// A lone "M" is refused as ambiguous in a size: write MB for megabytes or m for minutes. A rate
// window is an optional whole count and a unit (/s, /10s, /m, /2h; here M means minutes); the
// message count is a whole number, at least 1.
//
// # Refusals
//
// Every error is an [*Error]; errors.Is finds exactly one of these sentinels:
//
//	ErrEmpty              empty input, or only spaces
//	ErrMethod             no method after "+" or "-"; a method other than SOCKET or WEBSOCKET
//	                      ("WS", "WSS", "GET", "+-SOCKET")
//	ErrPath               no path ("SOCKET", "SOCKET @json"); a character outside the path
//	                      alphabet (":room", "é", "@" glued to the path, "[", "\"); a
//	                      malformed percent-escape ("%2", "%zz"); "." or ".."
//	ErrSyntax             any text that is not a token ("SOCKET / json"); an unclosed "{" or a
//	                      stray "}"; "@" or "#" without a name; text glued to an option
//	                      ("@json-x", "<1MB>")
//	ErrParam              an empty or malformed parameter name ("{}", "{1a}", "{ro-om}"); a
//	                      parameter that is not a whole segment ("chat{room}")
//	ErrDupParam           two parameters with the same name
//	ErrParamType          a type other than string, number, uuid; an empty type ("{id:}")
//	ErrWildcard           "*" that is not a whole segment ("/x*", "/**") or not the last one
//	                      ("/x/*/y", "/*?")
//	ErrMode               a second mode, even the same one ("@text @binary", "@json @json")
//	ErrSize               no number ("<MB", "< 1MB"); no unit ("<1024"); an unknown unit
//	                      ("<1XB", "<1k", "<1TB"); the ambiguous "<1M"; zero; a fraction of a
//	                      byte ("<1.3B"); more than 2⁶³-1 bytes or more than 18 digits
//	ErrTimeout            zero; a fraction of a second ("<1.5s"); too large
//	ErrRate               no count, no "/", no or an unknown window unit ("~50", "~50/ms"); a
//	                      count or window of zero; a decimal count; too large
//	ErrDuplicate          a second size, timeout or rate; the same
//	                      custom flag, @csrf or #middleware twice
//	ErrUnknownFlag        ParseWith only: a custom flag that Options.Flag refused
//	ErrUnknownMiddleware  ParseWith only: a middleware name that Options.Middleware refused
//
// Offsets point at the first byte of the offending text: the "{" of an unclosed or duplicate
// parameter, the bad character in a name, the "@" of a flag, the "<" of a size (or its number or
// unit when that is what is wrong), and len(route) when something is missing at the end.
//
// How this dialect differs from the original is in docs/migrate-totaljs.md.
//
// # Canonical form
//
// [Spec.String] prints
//
//	[+|-]METHOD /path/ @mode [@csrf] [@flag ...] [#middleware ...] <size> [<timeout>] [~rate]
//
// The mode and the size are always printed; custom flags are sorted, middleware keep their order.
// The path has a leading slash and a slash after every segment but a final "*" ("/" for the
// root); a parameter's type is printed when it is not string. A static segment is printed
// decoded and lower-cased where that reads back the same, and percent-escaped (upper-case
// hexadecimal digits) where it would not: "/%24TMS/" is "/$tms/", "/a%2fb/" is "/a%2Fb/". The size is printed in the largest
// of B, KB, MB and GB that divides it exactly (1 MiB is <1MB, 1.5 MiB is <1536KB), the timeout and
// the rate window in the largest of s, m and h (~100/10s, ~600/m). Parsing the canonical form
// gives back an equal Spec (reflect.DeepEqual), and printing it again gives the same string.
package parser
