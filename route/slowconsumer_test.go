package route_test

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// TestSlowConsumer puts 1 stalled and 10 healthy receivers in one room and floods the
// room, for each overflow policy. The stalled one is a raw TCP client that handshakes
// and then reads nothing. The healthy ones must get every message, in order, while the
// stalled one's queue never holds more than its bound; then the policy decides what
// happens to the stalled one.
func TestSlowConsumer(t *testing.T) {
	const (
		healthy  = 10
		msgSize  = 32 << 10
		perRound = 8
		rounds   = 24 // 6 MiB in all: more than loopback's socket buffers (about 4 MiB) and the queue
		queueMsg = 16
		queueB   = 256 << 10
		total    = perRound * rounds
	)
	for _, policy := range []socket.Overflow{socket.OverflowClose, socket.OverflowDropNewest, socket.OverflowDropOldest} {
		t.Run(policyName(policy), func(t *testing.T) {
			reg := newReg(route.Config{QueueMessages: queueMsg, QueueBytes: queueB, Overflow: policy, DisableCompression: true})
			closes := make(chan socket.CloseEvent, 1)
			reg.ROUTE("SOCKET /feed/ @binary", func(ctl *controller.Controller) {
				ctl.OnClose(func(c *socket.Client, e socket.CloseEvent) {
					if c.Header().Get("X-Stalled") != "" {
						closes <- e
					}
				})
			})
			base := serve(t, reg)

			stalled := wstest.OpenRaw(t, base, "/feed/", http.Header{"X-Stalled": {"1"}})
			var sc *socket.Client
			require.Eventually(t, func() bool {
				for _, c := range reg.Clients() {
					if c.Header().Get("X-Stalled") != "" {
						sc = c
					}
				}
				return sc != nil
			}, wstest.Timeout, time.Millisecond)
			clients := make([]*wstest.Conn, healthy)
			for i := range clients {
				clients[i] = wstest.Dial(t, wstest.WSURL(base, "/feed/"), wstest.Options{})
			}
			require.Eventually(t, func() bool { return reg.Online() == healthy+1 }, wstest.Timeout, time.Millisecond)
			ctl := reg.Controller("/feed/")
			require.NotNil(t, ctl)

			maxQueued, maxBytes := 0, 0
			for r := range rounds {
				for i := range perRound {
					require.NoError(t, ctl.Send(seqMsg(r*perRound+i, msgSize)))
				}
				// Pace the producer by the healthy receivers, as a chat is paced by its
				// users: every healthy client gets the round, in order, before the next.
				for k, c := range clients {
					for i := range perRound {
						f := c.Recv(t)
						require.Equal(t, r*perRound+i, seqOf(f.Data), "healthy client %d, round %d", k, r)
						require.Len(t, f.Data, msgSize)
					}
				}
				n, b := sc.Queued()
				maxQueued, maxBytes = max(maxQueued, n), max(maxBytes, b)
				require.LessOrEqual(t, n, queueMsg, "the stalled client's queue stays within QueueMessages")
				require.LessOrEqual(t, b, queueB, "the stalled client's queue stays within QueueBytes")
			}
			t.Logf("stalled client: at most %d messages, %d bytes queued; %d dropped", maxQueued, maxBytes, sc.Dropped())

			if policy == socket.OverflowClose {
				e := <-closes
				assert.Equal(t, socket.CloseEvent{Code: socket.StatusSlowConsumer, Reason: "slow consumer"}, e)
				assert.Equal(t, healthy, reg.Online(), "only the stalled client was dropped")
				return
			}

			peak := reg.Inspect().Queues
			assert.GreaterOrEqual(t, peak.PeakMessages, maxQueued, "Inspect's peak covers what the test saw")
			assert.LessOrEqual(t, peak.PeakMessages, queueMsg)
			assert.GreaterOrEqual(t, peak.PeakBytes, maxBytes)

			// Drop policies: the stalled client stays. Once it reads, it gets the oldest
			// messages for DropNewest, the newest for DropOldest, and exactly the ones that
			// were not dropped.
			assert.Equal(t, healthy+1, reg.Online())
			require.Positive(t, sc.Dropped(), "the flood overflowed the stalled client's queue")
			var mu sync.Mutex // guards got
			var got []int
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					_, p, err := stalled.ReadFrame()
					if err != nil {
						return
					}
					mu.Lock()
					got = append(got, seqOf(p))
					mu.Unlock()
					if seqOf(p) == total { // the sentinel
						return
					}
				}
			}()
			require.Eventually(t, func() bool { n, _ := sc.Queued(); return n == 0 }, wstest.Timeout, time.Millisecond)
			require.NoError(t, sc.Send(socket.Binary(seqMsg(total, 8))))
			select {
			case <-done:
			case <-time.After(wstest.Timeout):
				t.Fatal("the stalled client never got the sentinel")
			}
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, total, got[len(got)-1])
			got = got[:len(got)-1]
			assert.Equal(t, total, len(got)+int(sc.Dropped()), "every message was either delivered or counted as dropped")
			gaps := 0
			for i := 1; i < len(got); i++ {
				require.Greater(t, got[i], got[i-1], "in order")
				if got[i] != got[i-1]+1 {
					gaps++
				}
			}
			assert.Equal(t, 0, got[0], "the first messages were delivered")
			if policy == socket.OverflowDropNewest {
				assert.Zero(t, gaps, "drop newest: a prefix of the stream, no hole")
				assert.Less(t, got[len(got)-1], total-1, "drop newest: the last messages were dropped")
			} else {
				assert.Equal(t, 1, gaps, "drop oldest: one hole, then the newest messages")
				assert.Equal(t, total-1, got[len(got)-1], "drop oldest: the last message was delivered")
			}
		})
	}
}

func policyName(p socket.Overflow) string {
	return [...]string{"close", "drop newest", "drop oldest"}[p]
}

// seqMsg is a binary message of size bytes that starts with seq.
func seqMsg(seq, size int) []byte {
	b := bytes.Repeat([]byte{'x'}, size)
	binary.BigEndian.PutUint32(b, uint32(seq))
	return b
}

func seqOf(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	return int(binary.BigEndian.Uint32(b))
}
