// Command wsroute checks wsroute route strings and prints what they mean.
//
// Usage:
//
//	wsroute parse ROUTE
//	wsroute parse -
//
// "wsroute parse ROUTE" parses one route string and prints its spec as one JSON object:
//
//	$ go run ./cmd/wsroute parse 'SOCKET /chat/{room}/ @json <1MB'
//	{"method":"SOCKET","path":"/chat/{room}/","params":["room"],"mode":"json","max_bytes":1048576,"auth":"any","middleware":[],"flags":[],"csrf":false,"idle_timeout_ms":0,"rate":null,"canonical":"SOCKET /chat/{room}/ @json <1MB"}
//
// The keys are always these: method; path (the canonical path pattern); params (the parameter
// names in order); mode ("json", "text" or "binary"); max_bytes; auth ("any", "authorized" or
// "unauthorized"); middleware (in order); flags (the custom flags, sorted); csrf; idle_timeout_ms
// (0 when none); rate (null, or {"max":N,"per_ms":M}); canonical (the canonical route string).
// Lists are [] when empty. The exit status is 0.
//
// A malformed route exits with status 1 and writes the route, a caret under the offending byte
// and the error to standard error:
//
//	$ go run ./cmd/wsroute parse 'SOCKET /chat/{room/'
//	SOCKET /chat/{room/
//	             ^
//	parser: "SOCKET /chat/{room/": offset 13: syntax error: unclosed "{": expected "}" before "/"
//
// "wsroute parse -" reads one route per line from standard input (a trailing "\r" is dropped)
// and prints one JSON line per input line, in order: the object above for a good route, or
// {"error":"…","offset":N} for a bad one, including an empty line. It exits with status 0 even
// when some routes are bad, so it can check route strings in bulk; it exits with status 1 only
// if standard input cannot be read.
//
// Any other usage prints a usage message and exits with status 2.
package main
