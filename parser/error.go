package parser

import (
	"errors"
	"fmt"
)

// The sentinels of the parser. Every error Parse returns is an [*Error] whose Err wraps exactly
// one of them, so callers branch with errors.Is(err, parser.ErrMode).
var (
	// ErrEmpty: the route string is empty or only spaces.
	ErrEmpty = errors.New("empty route")
	// ErrMethod: the method is missing or is not SOCKET or WEBSOCKET (in any case).
	ErrMethod = errors.New("bad method")
	// ErrPath: the path is missing, has a character outside the allowed set, or has a "." or ".."
	// segment.
	ErrPath = errors.New("bad path")
	// ErrSyntax: text that is not a token, an unclosed "{", an empty "@" or "#".
	ErrSyntax = errors.New("syntax error")
	// ErrMode: a second message mode (@json, @text, @binary).
	ErrMode = errors.New("conflicting modes")
	// ErrSize: a malformed "<size>": no number, no unit, an unknown or ambiguous unit, zero, a
	// fraction of a byte, or too large.
	ErrSize = errors.New("bad size")
	// ErrTimeout: a malformed "<timeout>": zero, a fraction of a second, or too large.
	ErrTimeout = errors.New("bad timeout")
	// ErrRate: a malformed "~rate".
	ErrRate = errors.New("bad rate")
	// ErrDuplicate: an option given twice: a second size, timeout or rate, or the same flag,
	// @csrf or #middleware again.
	ErrDuplicate = errors.New("duplicate option")
	// ErrParam: a malformed "{param}": a bad name, or braces that are not a whole segment.
	ErrParam = errors.New("bad parameter")
	// ErrDupParam: two parameters with the same name.
	ErrDupParam = errors.New("duplicate parameter")
	// ErrParamType: "{name:type}" with a type other than string, number or uuid.
	ErrParamType = errors.New("unknown parameter type")
	// ErrWildcard: "*" that is not the whole last segment.
	ErrWildcard = errors.New("misplaced wildcard")
	// ErrUnknownFlag: a custom @flag that [Options.Flag] refused.
	ErrUnknownFlag = errors.New("unknown flag")
	// ErrUnknownMiddleware: a #name that [Options.Middleware] refused.
	ErrUnknownMiddleware = errors.New("unknown middleware")
)

// Error reports a malformed route and where in it the problem starts.
//
// Use errors.Is with the sentinels to branch on the kind of problem, and errors.As to get the
// offset:
//
//	var perr *parser.Error
//	if errors.As(err, &perr) {
//		fmt.Println(perr.Offset)
//	}
type Error struct {
	Route  string // the input, verbatim
	Offset int    // byte offset into Route of the offending text; len(Route) when something is missing at the end
	Err    error  // one of the Err* sentinels, wrapped with what was found and what was expected
}

// Error formats the error as
//
//	parser: "SOCKET /chat/{room/": offset 13: syntax error: unclosed "{": expected "}" before "/"
func (e *Error) Error() string {
	return fmt.Sprintf("parser: %q: offset %d: %v", e.Route, e.Offset, e.Err)
}

// Unwrap returns the wrapped sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// detailError is a sentinel with a message. It is cheaper than fmt.Errorf's %w and unwraps to the
// sentinel.
type detailError struct {
	sentinel error
	msg      string
}

func (e *detailError) Error() string { return e.sentinel.Error() + ": " + e.msg }

func (e *detailError) Unwrap() error { return e.sentinel }

// wrapf wraps sentinel with a formatted message.
func wrapf(sentinel error, format string, args ...any) error {
	return &detailError{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}
