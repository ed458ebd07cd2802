package peer

import (
	"fmt"
	"testing"
)

// benchHub returns a hub holding n fake clients (registered directly: no connection, no
// sweeper), the first members of them in room "r".
func benchHub(n, members int) (*Hub, []*Client) {
	h := NewHub(HubConfig{})
	cs := make([]*Client, n)
	for i := range cs {
		c := &Client{id: fmt.Sprint("c", i), hub: h}
		h.idx.Add(c, "/")
		cs[i] = c
	}
	for _, c := range cs[:members] {
		if err := c.Join("r"); err != nil {
			panic(err)
		}
	}
	return h, cs
}

// BenchmarkRoomMembers measures the snapshot a room send starts with: it costs the
// room's size, not the number of clients in the registry.
func BenchmarkRoomMembers(b *testing.B) {
	for _, tc := range []struct{ clients, members int }{{1000, 100}, {100000, 100}, {100000, 10000}} {
		b.Run(fmt.Sprintf("clients=%d/members=%d", tc.clients, tc.members), func(b *testing.B) {
			h, _ := benchHub(tc.clients, tc.members)
			buf := make([]*Client, 0, tc.members)
			b.ReportAllocs()
			for b.Loop() {
				buf = h.Room("r", buf[:0])
			}
			if len(buf) != tc.members {
				b.Fatal(len(buf))
			}
		})
	}
}

// BenchmarkJoinLeave measures joining and leaving a room that has other members.
func BenchmarkJoinLeave(b *testing.B) {
	h, cs := benchHub(1000, 100)
	c := cs[500]
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Join("r")
		c.Leave("r")
	}
	_ = h
}

func TestRoomIndexCleanup(t *testing.T) {
	h, cs := benchHub(10, 5)
	for _, c := range cs {
		_ = c.Join("all")
	}
	for _, c := range cs {
		h.remove(c)
	}
	if len(h.Rooms()) != 0 {
		t.Fatalf("rooms left in the index: %v", h.Rooms())
	}
	for _, c := range cs {
		if len(c.Rooms()) != 0 {
			t.Fatalf("client %s keeps rooms %v", c.id, c.Rooms())
		}
	}
}
