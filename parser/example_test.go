package parser_test

import (
	"errors"
	"fmt"

	"github.com/wsroute/wsroute/parser"
)

func ExampleParse() {
	spec, err := parser.Parse("+SOCKET /Chat/{room}/ @text #auth <1.5MB ~50/s")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Method, spec.Auth, spec.Path(), spec.Params())
	fmt.Println(spec.Mode, spec.MaxBytes, spec.Middleware, spec.Rate.Max, spec.Rate.Per)
	fmt.Println(spec)
	// Output:
	// SOCKET authorized /chat/{room}/ [room]
	// text 1572864 [auth] 50 1s
	// +SOCKET /chat/{room}/ @text #auth <1536KB ~50/s
}

func ExampleParseWith() {
	declared := map[string]bool{"api": true}
	opts := parser.Options{
		Flag: func(name string) bool { return declared[name] },
	}
	for _, route := range []string{"SOCKET /data/ @api", "SOCKET /data/ @jsn"} {
		_, err := parser.ParseWith(route, opts)
		fmt.Println(errors.Is(err, parser.ErrUnknownFlag), err)
	}
	// Output:
	// false <nil>
	// true parser: "SOCKET /data/ @jsn": offset 14: unknown flag: found "@jsn": expected a declared flag, @json, @text, @binary or @csrf
}

func ExampleError() {
	route := "SOCKET /chat/ @text @binary"
	_, err := parser.Parse(route)

	var perr *parser.Error
	if errors.As(err, &perr) {
		fmt.Println(errors.Is(err, parser.ErrMode))
		fmt.Println(perr.Route)
		fmt.Printf("%*s^\n", perr.Offset, "")
		fmt.Println(perr.Err)
	}
	// Output:
	// true
	// SOCKET /chat/ @text @binary
	//                     ^
	// conflicting modes: found "@binary", but the mode is already "@text" (offset 14): expected one of @json, @text or @binary
}

func ExampleSpec_String() {
	for _, route := range []string{
		"socket   chat//{room}",
		"SOCKET ?{id:NUMBER} <1024KB @Binary @csrf @zeta @api #b #a <90s ~600/60s",
	} {
		fmt.Println(parser.MustParse(route))
	}
	// Output:
	// SOCKET /chat/{room}/ @json <256KB
	// SOCKET /api/{id:number}/ @binary @csrf @api @zeta #b #a <1MB <90s ~600/m
}
