package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lxzan/gws"
	"github.com/wsroute/wsroute/internal/rawio"
)

// clientParams say what one load client does. The orchestrator passes them as flags.
type clientParams struct {
	Scenario string
	Addr     string        // the server, host:port on loopback
	Conns    int           // connections (echo, idle), receivers (broadcast, slow), connections in all (churn)
	Msgs     int           // messages per connection (echo) or published (broadcast, slow)
	Window   int           // messages in flight per connection (echo) or in all (broadcast, slow)
	Size     int           // message size in bytes, a JSON document of exactly that size
	Workers  int           // connections opened at once (churn); dials at once (the others)
	SrcFirst int           // source addresses are 127.0.0.SrcFirst ...
	SrcCount int           // ... and the SrcCount-1 after it
	Timeout  time.Duration // bound on each phase: setup, load
	Deflate  bool          // offer permessage-deflate as browsers do, and insist on it
	Payload  string        // what pads the messages: "pad" or "text" (payload.go)
}

func (p *clientParams) flags(fs *flag.FlagSet) {
	fs.StringVar(&p.Scenario, "scenario", "echo", "echo, broadcast, idle, slow or churn")
	fs.StringVar(&p.Addr, "addr", "", "server address host:port (loopback)")
	fs.IntVar(&p.Conns, "conns", 100, "connections or receivers")
	fs.IntVar(&p.Msgs, "msgs", 1000, "messages per connection (echo) or published (broadcast, slow)")
	fs.IntVar(&p.Window, "window", 8, "messages in flight")
	fs.IntVar(&p.Size, "size", 64, "message size in bytes")
	fs.IntVar(&p.Workers, "workers", 64, "connections opened concurrently")
	fs.IntVar(&p.SrcFirst, "src-first", 2, "first source address 127.0.0.N")
	fs.IntVar(&p.SrcCount, "src-count", 64, "number of source addresses")
	fs.DurationVar(&p.Timeout, "timeout", 2*time.Minute, "bound on each phase")
	fs.BoolVar(&p.Deflate, "deflate", false, "offer permessage-deflate (\"permessage-deflate; client_max_window_bits\", as browsers do); fail if the server does not accept it")
	fs.StringVar(&p.Payload, "payload", payloadPad, "message padding: pad (one repeated letter) or text (JSON-like records, about 3:1 under deflate)")
}

// args is the inverse of flags.
func (p clientParams) args() []string {
	return []string{
		"-scenario=" + p.Scenario, "-addr=" + p.Addr,
		fmt.Sprintf("-conns=%d", p.Conns), fmt.Sprintf("-msgs=%d", p.Msgs),
		fmt.Sprintf("-window=%d", p.Window), fmt.Sprintf("-size=%d", p.Size),
		fmt.Sprintf("-workers=%d", p.Workers),
		fmt.Sprintf("-src-first=%d", p.SrcFirst), fmt.Sprintf("-src-count=%d", p.SrcCount),
		"-timeout=" + p.Timeout.String(),
		fmt.Sprintf("-deflate=%t", p.Deflate), "-payload=" + p.Payload,
	}
}

func (p clientParams) validate() error {
	if err := checkLoopback(p.Addr); err != nil {
		return err
	}
	switch {
	case p.Conns < 1, p.Msgs < 1, p.Window < 1, p.Workers < 1:
		return errors.New("conns, msgs, window and workers must be at least 1")
	case p.SrcFirst < 1 || p.SrcCount < 1 || p.SrcFirst+p.SrcCount > 255:
		return errors.New("source addresses must lie in 127.0.0.1-127.0.0.254")
	case p.Msgs > 9_999_999:
		return errors.New("msgs must be below 10,000,000")
	case p.Timeout <= 0:
		return errors.New("timeout must be positive")
	case p.Payload != payloadPad && p.Payload != payloadText:
		return fmt.Errorf("payload %q: want %s or %s", p.Payload, payloadPad, payloadText)
	}
	return nil
}

// load is a scenario's client side, set up and ready to run.
type load interface {
	// run applies the load and returns its figures; it gives up at deadline.
	run(deadline time.Time) (metrics, error)
	// close drops every connection.
	close()
}

func setup(p clientParams) (load, error) {
	d, err := newDialer(p)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(p.Timeout)
	switch p.Scenario {
	case "echo":
		return setupEcho(p, d, deadline)
	case "broadcast":
		return setupBroadcast(p, d, deadline, false)
	case "slow":
		return setupBroadcast(p, d, deadline, true)
	case "idle":
		return setupIdle(p, d, deadline)
	case "churn":
		return &churnLoad{p: p, d: d}, nil
	}
	return nil, fmt.Errorf("unknown scenario %q", p.Scenario)
}

// workerReport is what a client prints after "ready" and "result".
type workerReport struct {
	Metrics metrics `json:"metrics,omitempty"`
	Error   string  `json:"error,omitempty"`
}

// clientMain is "wsbench client": the client side of one scenario in a process of its own.
// It sets up its connections and prints "ready {...}", waits for the line "go" on its
// standard input, applies the load and prints "result {...}", then waits for "stop" (or the
// end of its input) and exits. Its input ending early aborts it.
func clientMain(args []string) error {
	fs := flag.NewFlagSet("wsbench client", flag.ContinueOnError)
	var p clientParams
	p.flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := p.validate(); err != nil {
		return err
	}
	return serveWorker(p, os.Stdin, os.Stdout)
}

func serveWorker(p clientParams, in io.Reader, out io.Writer) error {
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- strings.TrimSpace(sc.Text())
		}
		close(lines)
	}()
	report := func(kind string, r workerReport) {
		b, _ := json.Marshal(r)
		fmt.Fprintf(out, "%s %s\n", kind, b)
	}
	wait := func(want string) error {
		select {
		case l, ok := <-lines:
			if !ok {
				return errors.New("input closed")
			}
			if l != want {
				return fmt.Errorf("got %q, want %q", l, want)
			}
			return nil
		case <-time.After(p.Timeout + time.Minute):
			return fmt.Errorf("no %q within %s", want, p.Timeout+time.Minute)
		}
	}

	l, err := setup(p)
	if err != nil {
		report("ready", workerReport{Error: err.Error()})
		return err
	}
	defer l.close()
	report("ready", workerReport{})
	if err := wait("go"); err != nil {
		return err
	}
	m, err := l.run(time.Now().Add(p.Timeout))
	r := workerReport{Metrics: m}
	if err != nil {
		r.Error = err.Error()
	}
	report("result", r)
	if err := wait("stop"); err != nil && err.Error() != "input closed" {
		return err
	}
	return nil
}

// dialer opens client connections from a rotating set of loopback source addresses, so
// that tens of thousands of connections never run out of ports.
type dialer struct {
	addr    string
	srcs    []net.IP
	next    atomic.Uint32
	header  http.Header
	workers int
	deflate bool
	// read counts the bytes every connection has read from its socket: with the
	// messages' count, what a message weighs on the wire.
	read atomic.Int64
}

func newDialer(p clientParams) (*dialer, error) {
	d := &dialer{addr: p.Addr, workers: p.Workers, deflate: p.Deflate}
	for i := range p.SrcCount {
		d.srcs = append(d.srcs, net.IPv4(127, 0, 0, byte(p.SrcFirst+i)))
	}
	// The headers of a browser's handshake, so that what a server keeps of the request
	// weighs what it weighs in production. Origin is the server's own, which wsroute's
	// default origin policy allows.
	d.header = http.Header{
		"Origin":          {"http://" + p.Addr},
		"User-Agent":      {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
		"Accept-Language": {"en-US,en;q=0.9"},
		"Accept-Encoding": {"gzip, deflate, br, zstd"},
		"Cache-Control":   {"no-cache"},
		"Pragma":          {"no-cache"},
	}
	return d, nil
}

// dial opens one connection to path with handler h and returns it without starting its
// read loop. rcvbuf > 0 shrinks the socket's receive buffer before the handshake.
func (d *dialer) dial(path string, h gws.Event, rcvbuf int) (*gws.Conn, error) {
	src := d.srcs[int(d.next.Add(1))%len(d.srcs)]
	nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	if rcvbuf > 0 {
		nd.Control = func(_, _ string, rc syscall.RawConn) error {
			return rawio.SetReceiveBuffer(rc, rcvbuf)
		}
	}
	nc, err := nd.Dial("tcp", d.addr)
	if err != nil {
		return nil, err
	}
	opt := &gws.ClientOption{
		Addr:               "ws://" + d.addr + path,
		RequestHeader:      d.header,
		ReadMaxPayloadSize: 16 << 20,
		HandshakeTimeout:   10 * time.Second,
	}
	if d.deflate {
		// With both context takeovers allowed and 15-bit windows, gws offers
		// "permessage-deflate; client_max_window_bits", which is what Chrome and Firefox
		// send; the server's answer decides. Its own messages of 512 bytes and more
		// (gws's threshold) go out compressed.
		opt.PermessageDeflate = gws.PermessageDeflate{Enabled: true, ServerContextTakeover: true, ClientContextTakeover: true}
	}
	conn, resp, err := gws.NewClientFromConn(h, opt, &countingConn{Conn: nc, n: &d.read})
	if err != nil {
		return nil, fmt.Errorf("handshake %s from %s: %w", path, src, err)
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); d.deflate && !strings.Contains(ext, "permessage-deflate") {
		_ = nc.Close()
		return nil, fmt.Errorf("handshake %s: the server did not accept permessage-deflate (Sec-WebSocket-Extensions %q)", path, ext)
	}
	return conn, nil
}

// countingConn adds what it reads to n.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// dialMany calls open(i) for i in [0, n) on d.workers goroutines and returns the first
// error. It gives up at deadline.
func (d *dialer) dialMany(n int, deadline time.Time, open func(i int) error) error {
	var (
		next  atomic.Int64
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	for range min(d.workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				mu.Lock()
				stop := first != nil
				mu.Unlock()
				if stop {
					return
				}
				err := open(i)
				if err == nil && time.Now().After(deadline) {
					err = fmt.Errorf("setup: %d of %d connections after the deadline", i, n)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// waitChan waits for ch to close until deadline.
func waitChan(ch <-chan struct{}, deadline time.Time, what string) error {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-t.C:
		return fmt.Errorf("timeout waiting for %s", what)
	}
}

// serverStatsOf fetches the server's /bench/stats (after a forced GC with gc).
func serverStatsOf(addr string, gc bool) (serverStats, error) {
	url := "http://" + addr + pathStats
	if gc {
		url += "?gc=1"
	}
	c := http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return serverStats{}, err
	}
	defer resp.Body.Close()
	var s serverStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return serverStats{}, err
	}
	return s, nil
}

// waitOnline polls the server until it counts n clients.
func waitOnline(addr string, n int, deadline time.Time) error {
	for {
		s, err := serverStatsOf(addr, false)
		if err != nil {
			return err
		}
		if s.Online >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server counts %d clients, want %d", s.Online, n)
		}
		time.Sleep(20 * time.Millisecond) // polling a count the server exposes
	}
}
