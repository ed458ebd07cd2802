package parser_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/wsroute/wsroute/parser"
)

// FuzzParse checks, for any input: Parse does not panic; an error is a *parser.Error for the
// input, with 0 <= Offset <= len(input), wrapping exactly one sentinel; a success round-trips
// through String, and String is a fixed point. ParseWith agrees with Parse.
//
// Plain go test runs the seeds (every fixture input). Fuzz with
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=10m -parallel=1 ./parser
func FuzzParse(f *testing.F) {
	for _, fx := range readFixtures(f, "valid.txt", 2) {
		f.Add(fx.fields[0])
		f.Add(fx.fields[1])
	}
	for _, fx := range readFixtures(f, "invalid.txt", 4) {
		f.Add(fx.fields[0])
	}
	refuse := parser.Options{
		Flag:       func(string) bool { return false },
		Middleware: func(string) bool { return false },
	}

	f.Fuzz(func(t *testing.T, in string) {
		spec, err := parser.Parse(in)
		with, werr := parser.ParseWith(in, parser.Options{})
		if !reflect.DeepEqual(spec, with) || (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("Parse(%q) = %v, %v; ParseWith(Options{}) = %v, %v", in, spec, err, with, werr)
		}
		strict, serr := parser.ParseWith(in, refuse)

		if err != nil {
			checkError(t, in, err)
			checkError(t, in, serr)
			if !reflect.DeepEqual(spec, parser.Spec{}) {
				t.Fatalf("Parse(%q) returned %#v with its error", in, spec)
			}
			return
		}

		// Refusing every custom flag and middleware changes the result only by refusing.
		if serr != nil {
			checkError(t, in, serr)
			if !errors.Is(serr, parser.ErrUnknownFlag) && !errors.Is(serr, parser.ErrUnknownMiddleware) {
				t.Fatalf("ParseWith(%q, refuse) = %v, but Parse accepts it", in, serr)
			}
			if len(spec.Flags)+len(spec.Middleware) == 0 {
				t.Fatalf("ParseWith(%q, refuse) = %v for a route without custom flags or middleware", in, serr)
			}
		} else if !reflect.DeepEqual(spec, strict) || len(spec.Flags)+len(spec.Middleware) != 0 {
			t.Fatalf("ParseWith(%q, refuse) = %#v, want %#v and an error when there are flags or middleware", in, strict, spec)
		}

		canonical := spec.String()
		again, err := parser.Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", in, canonical, err)
		}
		if !reflect.DeepEqual(spec, again) {
			t.Fatalf("round trip of %q through %q:\n got %#v\nwant %#v", in, canonical, again, spec)
		}
		if s := again.String(); s != canonical {
			t.Fatalf("String is not a fixed point: %q -> %q -> %q", in, canonical, s)
		}
		if spec.MaxBytes < 1 || spec.IdleTimeout < 0 || spec.Rate != nil && (spec.Rate.Max < 1 || spec.Rate.Per <= 0) {
			t.Fatalf("Parse(%q) = %#v: limits out of range", in, spec)
		}
	})
}

// checkError checks the shape of an error from Parse or ParseWith.
func checkError(t *testing.T, in string, err error) {
	t.Helper()
	var perr *parser.Error
	if !errors.As(err, &perr) {
		t.Fatalf("Parse(%q) error %T %v is not a *parser.Error", in, err, err)
	}
	if perr.Route != in {
		t.Fatalf("Parse(%q).Route = %q", in, perr.Route)
	}
	if perr.Offset < 0 || perr.Offset > len(in) {
		t.Fatalf("Parse(%q).Offset = %d, outside [0, %d]: %v", in, perr.Offset, len(in), err)
	}
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("Parse(%q) error wraps %d sentinels, want 1: %v", in, n, err)
	}
}
