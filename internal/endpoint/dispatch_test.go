package endpoint

import (
	"testing"

	"github.com/wsroute/wsroute/internal/peer"
)

// BenchmarkMessageType measures finding the type of a typed message, the per-message
// cost of On dispatch.
func BenchmarkMessageType(b *testing.B) {
	m := peer.NewMessage([]byte(`{"gameId":"g1","action":{"x":1,"y":[2,3]},"player":"p1","type":"game-action"}`), false)
	typed := map[string]int{"game-action": 1}
	b.ReportAllocs()
	for b.Loop() {
		if typed[string(messageType(m, "type", false))] != 1 {
			b.Fatal("not found")
		}
	}
}

func TestMessageTypeAllocatesNothing(t *testing.T) {
	m := peer.NewMessage([]byte(`{"gameId":"g1","type":"game-action"}`), false)
	typed := map[string]int{"game-action": 1}
	allocs := testing.AllocsPerRun(100, func() {
		if typed[string(messageType(m, "type", true))] != 1 {
			t.Fatal("not found")
		}
	})
	if allocs != 0 {
		t.Fatalf("On dispatch allocates %v times per message", allocs)
	}
}
