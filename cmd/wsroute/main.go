package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wsroute/wsroute/parser"
)

const usage = `usage:
  wsroute parse ROUTE      print the spec of one route string as JSON
  wsroute parse -          read one route per line from standard input, print one JSON line each
  wsroute routes SOURCE    print a registry's snapshot (Registry.InspectHandler's JSON) as tables;
                           SOURCE is an http(s) URL, a file, or - for standard input
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command, with its arguments (without the program name) and streams; it
// returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "routes" {
		return routes(args[1], stdin, stdout, stderr)
	}
	if len(args) != 2 || args[0] != "parse" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[1] == "-" {
		return parseLines(stdin, stdout, stderr)
	}
	route := args[1]
	spec, err := parser.Parse(route)
	if err != nil {
		fmt.Fprint(stderr, caret(route, err))
		return 1
	}
	if err := writeJSON(stdout, toJSON(spec)); err != nil {
		fmt.Fprintln(stderr, "wsroute:", err)
		return 1
	}
	return 0
}

// parseLines parses one route per line of r and writes one JSON line per route to w.
func parseLines(r io.Reader, w, stderr io.Writer) int {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	bw := bufio.NewWriter(w)
	for sc.Scan() {
		route := strings.TrimSuffix(sc.Text(), "\r")
		var v any
		if spec, err := parser.Parse(route); err != nil {
			v = errorJSON{Error: err.Error(), Offset: offset(err)}
		} else {
			v = toJSON(spec)
		}
		if err := writeJSON(bw, v); err != nil {
			fmt.Fprintln(stderr, "wsroute:", err)
			return 1
		}
	}
	if err := sc.Err(); err != nil {
		bw.Flush()
		fmt.Fprintln(stderr, "wsroute: reading standard input:", err)
		return 1
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(stderr, "wsroute:", err)
		return 1
	}
	return 0
}

// specJSON is the JSON form of a parser.Spec. The field order is the output's key order.
type specJSON struct {
	Method        string    `json:"method"`
	Path          string    `json:"path"`
	Params        []string  `json:"params"`
	Mode          string    `json:"mode"`
	MaxBytes      int64     `json:"max_bytes"`
	Auth          string    `json:"auth"`
	Middleware    []string  `json:"middleware"`
	Flags         []string  `json:"flags"`
	CSRF          bool      `json:"csrf"`
	IdleTimeoutMS int64     `json:"idle_timeout_ms"`
	Rate          *rateJSON `json:"rate"`
	Canonical     string    `json:"canonical"`
}

type rateJSON struct {
	Max   int   `json:"max"`
	PerMS int64 `json:"per_ms"`
}

// errorJSON is the line printed for a bad route in bulk mode.
type errorJSON struct {
	Error  string `json:"error"`
	Offset int    `json:"offset"`
}

func toJSON(s parser.Spec) specJSON {
	out := specJSON{
		Method:        s.Method,
		Path:          s.Path(),
		Params:        nonNil(s.Params()),
		Mode:          s.Mode.String(),
		MaxBytes:      s.MaxBytes,
		Auth:          s.Auth.String(),
		Middleware:    nonNil(s.Middleware),
		Flags:         nonNil(s.Flags),
		CSRF:          s.CSRF,
		IdleTimeoutMS: s.IdleTimeout.Milliseconds(),
		Canonical:     s.String(),
	}
	if s.Rate != nil {
		out.Rate = &rateJSON{Max: s.Rate.Max, PerMS: s.Rate.Per.Milliseconds()}
	}
	return out
}

// nonNil makes an absent list print as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeJSON writes v as one line of JSON, without escaping "<", ">" and "&" (sizes are "<1MB").
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// offset returns the byte offset of a *parser.Error, or 0.
func offset(err error) int {
	var perr *parser.Error
	if errors.As(err, &perr) {
		return perr.Offset
	}
	return 0
}

// caret renders a parse error for a terminal: the route, a line with a caret under the offending
// byte, and the message. Control characters and invalid UTF-8 are shown as "�" so the columns line
// up; tabs are kept in both lines.
func caret(route string, err error) string {
	off := offset(err)
	var line, mark strings.Builder
	for i, r := range route {
		if i == off {
			mark.WriteByte('^')
		} else if i < off {
			if r == '\t' {
				mark.WriteByte('\t')
			} else {
				mark.WriteByte(' ')
			}
		}
		switch {
		case r == '\t':
			line.WriteByte('\t')
		case r == utf8.RuneError || !unicode.IsPrint(r):
			line.WriteRune('\uFFFD')
		default:
			line.WriteRune(r)
		}
	}
	if off >= len(route) {
		mark.WriteByte('^')
	}
	return line.String() + "\n" + mark.String() + "\n" + err.Error() + "\n"
}
