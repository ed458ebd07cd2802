package route

import "testing"

// benchRoutes is a registry of the size and shape of a real application: chat rooms,
// typed parameters, a wildcard, an API prefix and statics around them.
var benchRoutes = []string{
	"SOCKET /",
	"SOCKET /chat/",
	"SOCKET /chat/lobby/",
	"SOCKET /chat/{room}/",
	"SOCKET /chat/{room}/{user}/",
	"SOCKET /game/{id:uuid}/",
	"SOCKET /game/{id:uuid}/spectate/",
	"SOCKET /item/{id:number}/",
	"SOCKET /item/{name}/",
	"SOCKET /files/*",
	"SOCKET ?/notify/",
	"SOCKET ?/{topic}/",
	"SOCKET /admin/metrics/",
	"SOCKET /admin/logs/{level}/",
	"SOCKET /v1/stream/{symbol}/ticks/",
	"SOCKET /v1/stream/{symbol}/depth/",
}

// BenchmarkMatch measures what ServeHTTP does to find a request's route: the tree
// lookup, and the parameter values when the route has any.
//
//	go test -run='^$' -bench=Match -benchmem ./route
func BenchmarkMatch(b *testing.B) {
	r := New(Config{})
	for _, s := range benchRoutes {
		if err := r.Register(s, nil); err != nil {
			b.Fatal(err)
		}
	}
	for _, bb := range []struct{ name, path string }{
		{"static", "/chat/lobby/"},
		{"static-upper-case", "/Chat/Lobby/"},
		{"param", "/chat/room42/"},
		{"two-params", "/chat/room42/alice/"},
		{"uuid", "/game/123e4567-e89b-12d3-a456-426614174000/spectate/"},
		{"number", "/item/1234567/"},
		{"wildcard", "/files/docs/2024/report.pdf"},
		{"param-deep", "/v1/stream/BTCUSD/depth/"},
		{"miss", "/nothing/here/"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			var st matchState
			if entries := r.root.lookup(bb.path, &st); entries == nil && bb.name != "miss" {
				b.Fatalf("%s does not match", bb.path)
			}
			b.ReportAllocs()
			for b.Loop() {
				st = matchState{}
				if entries := r.root.lookup(bb.path, &st); entries != nil {
					_, _, _ = entries[0].bind(&st)
				}
			}
		})
	}
}
