package route_test

import (
	"testing"

	"github.com/wsroute/wsroute/route"
)

// FuzzControllerKey checks, for any request path, that the controller key is canonical:
// the key, requested as a path, selects the same route with the same parameters and is
// its own key. So two spellings of one URL cannot make two controllers.
//
//	go test -run='^$' -fuzz=FuzzControllerKey -fuzztime=20s ./route
func FuzzControllerKey(f *testing.F) {
	reg := route.New(route.Config{Logger: quiet})
	for _, r := range []string{
		"SOCKET /", "SOCKET /chat/{room}/", "SOCKET /chat/lobby/", "SOCKET /item/{id:number}/",
		"SOCKET /item/{key:uuid}/", "SOCKET /files/*", "SOCKET /$tms/", "SOCKET /a%20b/{x}/",
		"SOCKET /user@host/{id}/", "SOCKET /p/{a}/{b}/",
	} {
		if err := reg.Register(r, noop); err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range []string{
		"/chat/AbC/", "/Chat//%41bC", "/chat/a%2Fb/", "/chat/caf%C3%A9/", "/chat/%6Cobby/",
		"/item/%31%32/", "/files/A//b%20c/", "/%24TMS", "/A%20B/x%3F%23/", "/user@host/%40/",
		"/p/./../", "/chat/%zz/", "/chat/a+b;c=d/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if len(path) == 0 || path[0] != '/' {
			path = "/" + path
		}
		r1, p1 := reg.Match(path)
		if r1 == "" {
			return
		}
		key := reg.Key(path)
		r2, p2 := reg.Match(key)
		if r2 != r1 {
			t.Fatalf("Match(%q) = %q, but its key %q matches %q", path, r1, key, r2)
		}
		if len(p1) != len(p2) {
			t.Fatalf("params of %q: %q, of its key %q: %q", path, p1, key, p2)
		}
		for i := range p1 {
			if p1[i] != p2[i] {
				t.Fatalf("params of %q: %q, of its key %q: %q", path, p1, key, p2)
			}
		}
		if again := reg.Key(key); again != key {
			t.Fatalf("key of %q is %q, whose key is %q", path, key, again)
		}
	})
}
