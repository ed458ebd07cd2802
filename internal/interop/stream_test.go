package interop_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

// The stream of TestNodeWS.
const (
	nodeClients = 6
	bursts      = 30
	maxSize     = 64 << 10
	streamSeed  = 10 // the stream is the same on every run
	// largeCompressible is the size from which a compressible message must go out
	// compressed; below it either way is right (the threshold is the server's choice).
	largeCompressible = 4 << 10
)

// msgKind is what a message holds and how it is sent.
type msgKind int

const (
	kindJSON       msgKind = iota // a JSON document, json.RawMessage: compressible
	kindText                      // words from a small vocabulary, socket.Text: compressible
	kindRandomText                // random letters and digits, socket.Text
	kindBinary                    // random bytes, socket.Binary: incompressible
	kindPattern                   // a repeated byte pattern, socket.Binary: compressible
)

// message is one message of the stream as the server sends it. A broadcast's payload is
// the same for every client; a personal one (sent with Client.Send to each) names its
// client.
type message struct {
	seq, burst   int
	kind         msgKind
	size         int
	personal     bool
	ack          bool // the clients answer it, and the next burst waits for their answers
	compressible bool
	payload      [][]byte // by client index; one shared slice for a broadcast
}

// value is what the server passes to Send for client i.
func (m *message) value(i int) any {
	p := m.payload[i]
	switch m.kind {
	case kindJSON:
		return json.RawMessage(p)
	case kindBinary, kindPattern:
		return socket.Binary(p)
	}
	return socket.Text(p)
}

// entry is one message as client.mjs expects it (the manifest's streams[i][k]).
type entry struct {
	Seq    int    `json:"seq"`
	Burst  int    `json:"burst"`
	Binary bool   `json:"binary"`
	Len    int    `json:"len"`
	SHA256 string `json:"sha256"`
	Ack    bool   `json:"ack"`
}

type manifest struct {
	URL       string    `json:"url"`
	TimeoutMs int       `json:"timeoutMs"`
	Streams   [][]entry `json:"streams"`
}

// report is what client.mjs prints.
type report struct {
	Node    string         `json:"node"`
	Error   string         `json:"error"`
	Clients []clientReport `json:"clients"`
}

type clientReport struct {
	Client       int        `json:"client"`
	Negotiated   string     `json:"negotiated"` // the server's Sec-WebSocket-Extensions
	Extensions   string     `json:"extensions"` // ws's view of it
	Received     int        `json:"received"`
	PayloadBytes int        `json:"payloadBytes"`
	Errors       []string   `json:"errors"`
	Close        *closeInfo `json:"close"`
	Raw          struct {
		Bytes            int        `json:"bytes"`
		Reads            int        `json:"reads"`
		Frames           int        `json:"frames"`
		MaxFramesPerRead int        `json:"maxFramesPerRead"`
		Compressed       []int      `json:"compressed"`
		WireSizes        []int      `json:"wireSizes"`
		Close            *closeInfo `json:"close"`
		Problems         []string   `json:"problems"`
		Pending          int        `json:"pending"`
	} `json:"raw"`
}

type closeInfo struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// TestNodeWS has Node's ws package, offering permessage-deflate as browsers do, receive a
// stream of broadcasts and per-client sends in bursts (so that a client's frames queue
// and are written together), then a close right behind the last burst: by the
// controller with a code of the application's, or by the registry's Shutdown. It checks
// what a peer sees, not how the server writes: every message, in order, byte for byte;
// that compression was negotiated and that large compressible messages arrived
// compressed; the close code and reason, as ws reports them and as they are on the wire.
func TestNodeWS(t *testing.T) {
	node := wstest.NeedCommand(t, "node", "apt-get install -y nodejs npm")
	if _, err := os.Stat(filepath.Join("node_modules", "ws", "package.json")); err != nil {
		wstest.Missing(t, "the npm package ws is not installed in internal/interop (run: npm ci --prefix internal/interop; ./test.sh does)")
	}
	stream := makeStream(rand.New(rand.NewPCG(streamSeed, 0)), nodeClients)
	checkStreamShape(t, stream)

	t.Run("close-4000", func(t *testing.T) {
		// Not ASCII: the reason is checked byte for byte.
		want := closeInfo{Code: 4000, Reason: "stream complete ✓"}
		runNodeStream(t, node, stream, want, func(_ *route.Registry, ctl *controller.Controller) {
			ctl.Close(socket.StatusCode(want.Code), want.Reason)
		})
	})
	t.Run("shutdown-1001", func(t *testing.T) {
		want := closeInfo{Code: 1001, Reason: "going away"}
		runNodeStream(t, node, stream, want, func(reg *route.Registry, _ *controller.Controller) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := reg.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
		})
	})
}

// runNodeStream serves the stream to node's clients, ends it with closeAll, and checks
// their report.
func runNodeStream(t *testing.T, node string, stream []*message, wantClose closeInfo, closeAll func(*route.Registry, *controller.Controller)) {
	srv := newStreamServer(nodeClients)
	reg := route.New(route.Config{})
	reg.ROUTE("SOCKET /stream/ @json <1MB", srv.setup)
	hs := httptest.NewServer(reg)
	defer hs.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = reg.Shutdown(ctx)
	}()

	man := manifest{URL: "ws" + strings.TrimPrefix(hs.URL, "http") + "/stream/", TimeoutMs: 150_000}
	for i := range nodeClients {
		man.Streams = append(man.Streams, expected(stream, i))
	}
	manPath := filepath.Join(t.TempDir(), "manifest.json")
	b, err := json.Marshal(man)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manPath, b, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs", manPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitNode := sync.OnceValue(cmd.Wait)
	defer func() { _ = waitNode() }()
	defer cancel() // on a failure below, node is killed before it is waited for

	if err := srv.send(ctx, stream, func(ctl *controller.Controller) { closeAll(reg, ctl) }); err != nil {
		cancel()
		t.Fatalf("%v\nnode's stderr:\n%s", err, stderr.String())
	}
	if err := waitNode(); err != nil {
		t.Fatalf("node: %v\nstderr:\n%s", err, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("node's report: %v\nstdout: %.2000s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if rep.Error != "" {
		t.Errorf("node: %s", rep.Error)
	}
	srv.checkOffers(t)
	checkReports(t, stream, man.Streams, rep, wantClose)
}

// makeStream returns the stream: bursts of 4 to 20 messages of mixed kinds and sizes, a
// sixth of them personal, each burst but the last ending with a message the clients
// answer. The close follows the last burst at once, behind whatever is still queued.
func makeStream(rng *rand.Rand, clients int) []*message {
	var out []*message
	for b := range bursts {
		n := 4 + rng.IntN(17)
		for k := range n {
			m := &message{seq: len(out), burst: b, personal: rng.IntN(6) == 0}
			m.size = pickSize(rng)
			switch r := rng.IntN(100); {
			case r < 40:
				m.kind = kindJSON
			case r < 65:
				m.kind = kindText
			case r < 75:
				m.kind = kindRandomText
			case r < 90:
				m.kind = kindBinary
			default:
				m.kind = kindPattern
			}
			if m.kind == kindJSON && m.size < 96 {
				m.kind = kindText // too small for the document's fields
			}
			m.compressible = m.kind == kindJSON || m.kind == kindText || m.kind == kindPattern
			m.ack = k == n-1 && b < bursts-1
			gen := rand.New(rand.NewPCG(streamSeed, uint64(m.seq)+1))
			if m.personal {
				for i := range clients {
					m.payload = append(m.payload, m.makePayload(gen, i))
				}
			} else {
				p := m.makePayload(gen, -1)
				for range clients {
					m.payload = append(m.payload, p)
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// pickSize returns a message size: the frame-length boundaries (125/126, 65535/65536),
// the compression threshold's neighbours, and small, medium and large sizes up to 64 KiB.
func pickSize(rng *rand.Rand) int {
	edges := []int{0, 1, 2, 125, 126, 127, 511, 512, 513, 4096, 65535, 65536}
	switch r := rng.IntN(100); {
	case r < 12:
		return edges[rng.IntN(len(edges))]
	case r < 45:
		return rng.IntN(600)
	case r < 85:
		return 600 + rng.IntN(8000)
	default:
		return 8<<10 + rng.IntN(maxSize-8<<10+1)
	}
}

var words = strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa")

// makePayload returns the message's payload of exactly m.size bytes for client i (-1 for
// a broadcast). Text payloads start with "#seq" where they have room, so that a message
// out of place is named in the failure.
func (m *message) makePayload(rng *rand.Rand, i int) []byte {
	b := make([]byte, 0, m.size+64)
	head := "#" + strconv.Itoa(m.seq)
	if i >= 0 {
		head += "@" + strconv.Itoa(i)
	}
	switch m.kind {
	case kindJSON:
		b = fmt.Appendf(b, `{"type":"tick","seq":%d,"burst":%d,"client":%d,"items":[`, m.seq, m.burst, i)
		for n := 0; len(b) < m.size-160; n++ {
			if n > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"id":%d,"name":%q,"tags":[%q,%q],"price":%d.%02d,"stock":%t}`,
				n, words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))],
				rng.IntN(1000), rng.IntN(100), rng.IntN(2) == 0)
		}
		b = append(b, `],"pad":"`...)
		for len(b) < m.size-2 {
			b = append(b, ' ')
		}
		b = append(b, `"}`...)
	case kindText:
		b = append(b, head...)
		for len(b) < m.size {
			b = append(b, ' ')
			b = append(b, words[rng.IntN(len(words))]...)
		}
	case kindRandomText:
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		b = append(b, head...)
		for len(b) < m.size {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
	case kindBinary:
		for len(b) < m.size {
			b = append(b, byte(rng.Uint32()))
		}
	case kindPattern:
		pat := fmt.Appendf(nil, "\x00\x01%d:%d\xff", m.seq, i)
		for len(b) < m.size {
			b = append(b, pat...)
		}
	}
	return b[:m.size:m.size]
}

// checkStreamShape makes sure the stream holds what the test claims to cover.
func checkStreamShape(t *testing.T, stream []*message) {
	t.Helper()
	var empty, large, personal, binary, largest int
	for _, m := range stream {
		if m.size == 0 {
			empty++
		}
		if m.compressible && m.size >= largeCompressible {
			large++
		}
		if m.personal {
			personal++
		}
		if m.kind == kindBinary || m.kind == kindPattern {
			binary++
		}
		largest = max(largest, m.size)
	}
	if len(stream) < 200 || empty == 0 || large < 20 || personal < 10 || binary < 10 || largest != maxSize {
		t.Fatalf("stream of %d messages: %d empty, %d compressible of 4 KiB or more, %d personal, %d binary, largest %d B; the generator no longer covers the cases",
			len(stream), empty, large, personal, binary, largest)
	}
	t.Logf("stream: %d messages in %d bursts (%d empty, %d compressible ≥ 4 KiB, %d personal, %d binary) to %d clients",
		len(stream), bursts, empty, large, personal, binary, nodeClients)
}

// expected is client i's stream as the manifest lists it.
func expected(stream []*message, i int) []entry {
	out := make([]entry, len(stream))
	for k, m := range stream {
		sum := sha256.Sum256(m.payload[i])
		out[k] = entry{
			Seq: m.seq, Burst: m.burst, Binary: m.kind == kindBinary || m.kind == kindPattern,
			Len: len(m.payload[i]), SHA256: hex.EncodeToString(sum[:]), Ack: m.ack,
		}
	}
	return out
}

// streamServer is the route's side: it learns each client's index from its query, counts
// the answers to each burst, and sends the stream.
type streamServer struct {
	n      int
	opened chan struct{}
	acks   chan int // the burst of each answer

	mu      sync.Mutex
	ctl     *controller.Controller
	clients []*socket.Client // by index
	offers  []string         // each handshake's Sec-WebSocket-Extensions
	bad     []string
}

func newStreamServer(n int) *streamServer {
	return &streamServer{n: n, opened: make(chan struct{}), acks: make(chan int, n*bursts), clients: make([]*socket.Client, n)}
}

func (s *streamServer) setup(ctl *controller.Controller) {
	ctl.OnOpen(func(c *socket.Client) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ctl = ctl
		s.offers = append(s.offers, c.Header().Get("Sec-WebSocket-Extensions"))
		i, err := strconv.Atoi(c.Query("client"))
		if err != nil || i < 0 || i >= s.n || s.clients[i] != nil {
			s.bad = append(s.bad, "client "+c.Query("client"))
			return
		}
		s.clients[i] = c
		if len(s.offers) == s.n {
			close(s.opened)
		}
	})
	ctl.OnMessage(func(c *socket.Client, m socket.Message) {
		var ack struct {
			Type  string `json:"type"`
			Burst int    `json:"burst"`
			Pad   string `json:"pad"`
		}
		if err := json.Unmarshal(m.Bytes(), &ack); err != nil || ack.Type != "ack" || ack.Pad != strings.Repeat("ack ", 400) {
			s.mu.Lock()
			s.bad = append(s.bad, fmt.Sprintf("answer %.80q (%v)", m.Bytes(), err))
			s.mu.Unlock()
			return
		}
		s.acks <- ack.Burst
	})
}

// send waits for every client, sends the stream burst by burst, waiting after each for
// every client's answer, and closes the clients with closeAll right after the last burst.
func (s *streamServer) send(ctx context.Context, stream []*message, closeAll func(*controller.Controller)) error {
	select {
	case <-s.opened:
	case <-ctx.Done():
		return fmt.Errorf("%d clients did not connect: %w", s.n, ctx.Err())
	}
	s.mu.Lock()
	ctl, clients := s.ctl, s.clients
	s.mu.Unlock()
	if n := ctl.Online(); n != s.n {
		return fmt.Errorf("controller counts %d clients, want %d", n, s.n)
	}
	for _, m := range stream {
		if m.personal {
			for i, c := range clients {
				if err := c.Send(m.value(i)); err != nil {
					return fmt.Errorf("message %d to client %d: %w", m.seq, i, err)
				}
			}
		} else if err := ctl.Send(m.value(0)); err != nil {
			return fmt.Errorf("broadcast %d: %w", m.seq, err)
		}
		if !m.ack {
			continue
		}
		for got := 0; got < s.n; {
			select {
			case b := <-s.acks:
				if b != m.burst {
					return fmt.Errorf("an answer to burst %d while waiting for burst %d", b, m.burst)
				}
				got++
			case <-ctx.Done():
				return fmt.Errorf("burst %d: %d of %d clients answered: %w", m.burst, got, s.n, ctx.Err())
			}
		}
	}
	closeAll(ctl)
	return nil
}

// checkOffers checks what the clients offered and what the route received from them.
func (s *streamServer) checkOffers(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bad {
		t.Errorf("server: unexpected %s", b)
	}
	for _, o := range s.offers {
		if !strings.Contains(o, "permessage-deflate") || !strings.Contains(o, "client_max_window_bits") {
			t.Errorf("a client offered %q, not permessage-deflate with client_max_window_bits as browsers do", o)
		}
	}
}

// checkReports asserts what each ws client saw.
func checkReports(t *testing.T, stream []*message, want [][]entry, rep report, wantClose closeInfo) {
	t.Helper()
	if len(rep.Clients) != len(want) {
		t.Fatalf("node reported %d clients, want %d", len(rep.Clients), len(want))
	}
	for i, c := range rep.Clients {
		if c.Client != i {
			t.Errorf("report %d is of client %d", i, c.Client)
		}
		if c.Extensions != "permessage-deflate" || !strings.HasPrefix(c.Negotiated, "permessage-deflate") {
			t.Errorf("client %d: extensions %q (response header %q), want permessage-deflate", i, c.Extensions, c.Negotiated)
		}
		for _, e := range c.Errors {
			t.Errorf("client %d: %s", i, e)
		}
		if c.Received != len(want[i]) {
			t.Errorf("client %d: received %d messages, want %d", i, c.Received, len(want[i]))
		}
		if c.Close == nil || *c.Close != wantClose {
			t.Errorf("client %d: ws reports close %+v, want %+v", i, c.Close, wantClose)
		}
		if c.Raw.Close == nil || *c.Raw.Close != wantClose {
			t.Errorf("client %d: close frame on the wire %+v, want %+v", i, c.Raw.Close, wantClose)
		}
		for _, p := range c.Raw.Problems {
			t.Errorf("client %d: on the wire: %s", i, p)
		}
		if c.Raw.Pending != 0 {
			t.Errorf("client %d: %d bytes of an unfinished frame at the end", i, c.Raw.Pending)
		}
		if len(c.Raw.Compressed) != len(want[i]) || len(c.Raw.WireSizes) != len(want[i]) {
			t.Errorf("client %d: %d data messages on the wire, want %d", i, len(c.Raw.Compressed), len(want[i]))
			continue
		}
		compressedSmall := 0
		for k, m := range stream {
			size, wire := want[i][k].Len, c.Raw.WireSizes[k]
			switch {
			case m.compressible && size >= largeCompressible:
				if c.Raw.Compressed[k] != 1 || wire > size/2 {
					t.Errorf("client %d: message %d (%d B, compressible) went out with RSV1=%d as %d B", i, k, size, c.Raw.Compressed[k], wire)
				}
			case c.Raw.Compressed[k] == 0 && wire != size:
				t.Errorf("client %d: message %d: %d B uncompressed, but %d B on the wire", i, k, size, wire)
			case c.Raw.Compressed[k] == 1 && size < 512:
				compressedSmall++
			}
		}
		if c.Raw.Bytes >= c.PayloadBytes {
			t.Errorf("client %d: %d bytes on the wire for %d bytes of messages: nothing was saved by compression", i, c.Raw.Bytes, c.PayloadBytes)
		}
		if i == 0 {
			t.Logf("node %s, client 0: %s; %d messages, %d B, %d B on the wire (%.0f%%) in %d frames, %d reads, up to %d frames per read, %d messages under 512 B compressed",
				rep.Node, c.Negotiated, c.Received, c.PayloadBytes, c.Raw.Bytes, 100*float64(c.Raw.Bytes)/float64(max(c.PayloadBytes, 1)),
				c.Raw.Frames, c.Raw.Reads, c.Raw.MaxFramesPerRead, compressedSmall)
		}
	}
}
