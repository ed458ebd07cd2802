package route_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// benchBroadcast is one broadcast of a chat application.
type benchBroadcast struct {
	Type string `json:"type"`
	From string `json:"from"`
	Text string `json:"text"`
	N    int    `json:"n"`
}

// BenchmarkBroadcast sends one message to the 1,000 clients of a controller per
// operation and waits until every client has read it: encoded once (Controller.Send,
// the shared frame written to each) against encoded for each client (Client.Send in a
// loop), which is what encode-once saves. The clients are in-memory pipes that discard
// what they read, so the figure is the server's work, without the kernel's; ns/delivery
// is ns/op divided by the clients.
//
//	go test -run='^$' -bench=Broadcast -benchmem ./route
func BenchmarkBroadcast(b *testing.B) {
	const clients = 1000
	reg := newReg(route.Config{PingInterval: -1})
	ready := make(chan *controller.Controller, 1)
	reg.ROUTE("SOCKET /room/ @json", func(ctl *controller.Controller) {
		ready <- ctl
	})
	msg := benchBroadcast{Type: "msg", From: "Ab3dEf6hIj9kLmNo", Text: "hello, everyone in the room"}
	frame, _ := json.Marshal(msg)
	frameSize := int64(len(frame) + 2) // an unmasked frame under 126 bytes: 2 header bytes

	var read atomic.Int64 // bytes every client has read, in all
	progress := make(chan struct{}, 1)
	var conns []*wstest.Raw
	for range clients {
		r := wstest.RawPipe(reg, wstest.HandshakeRequest("/room/", nil))
		conns = append(conns, r)
		if resp := r.Response(b); resp.StatusCode != http.StatusSwitchingProtocols {
			b.Fatalf("handshake: HTTP %d", resp.StatusCode)
		}
		go func() {
			buf := make([]byte, 4096)
			for {
				n, err := r.Read(buf)
				if n > 0 {
					read.Add(int64(n))
					select {
					case progress <- struct{}{}:
					default:
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
	ctl := <-ready
	deadline := time.Now().Add(time.Minute)
	for ctl.Online() < clients {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d clients joined", ctl.Online(), clients)
		}
		time.Sleep(time.Millisecond) // polling a count while the pipes connect
	}
	b.Cleanup(func() {
		for _, r := range conns {
			_ = r.Close()
		}
		_ = reg.Shutdown(b.Context())
	})

	var sent int64
	waitAll := func() {
		want := sent * clients * frameSize
		for read.Load() < want {
			select {
			case <-progress:
			case <-time.After(10 * time.Second):
				b.Fatalf("clients read %d of %d bytes", read.Load(), want)
			}
		}
	}
	b.Run(fmt.Sprintf("encode-once/clients=%d", clients), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := ctl.Send(msg); err != nil {
				b.Fatal(err)
			}
			sent++
			waitAll()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*clients), "ns/delivery")
	})
	b.Run(fmt.Sprintf("encode-each/clients=%d", clients), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range ctl.Clients() {
				if err := c.Send(msg); err != nil && err != socket.ErrClosed {
					b.Fatal(err)
				}
			}
			sent++
			waitAll()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*clients), "ns/delivery")
	})
}
