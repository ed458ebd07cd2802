package parser_test

import (
	"testing"

	"github.com/wsroute/wsroute/parser"
)

var benchRoutes = []struct {
	name  string
	route string
}{
	{"typical", "SOCKET /chat/{room}/ @json <1MB"},
	{"root", "SOCKET /"},
	{"full", "+SOCKET ?/{id:number}/files/* @binary @csrf @api #auth #rate-limit <1.5MB <5m ~100/10s"},
	{"error", "SOCKET /chat/{room/ @json"},
}

// BenchmarkParse measures Parse; the target is at most 1 µs for the typical route string.
//
//	go test -run='^$' -bench=. -benchmem ./parser
func BenchmarkParse(b *testing.B) {
	for _, bb := range benchRoutes {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = parser.Parse(bb.route)
			}
		})
	}
}

// BenchmarkString measures the canonical form of a parsed Spec.
func BenchmarkString(b *testing.B) {
	for _, bb := range benchRoutes[:3] {
		spec := parser.MustParse(bb.route)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = spec.String()
			}
		})
	}
}
