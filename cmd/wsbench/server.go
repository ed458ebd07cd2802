package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/wsroute/wsroute/route"
)

// The paths every server implementation serves, one per job.
const (
	pathEcho  = "/echo/"  // echoes every message back to its sender
	pathBcast = "/bcast/" // receivers of broadcasts; they send nothing
	pathPub   = "/pub/"   // every message from here is broadcast to the receivers
	pathIdle  = "/idle/"  // idle connections
	pathChurn = "/churn/" // connect, hello, close
	pathStats = "/bench/stats"
)

// helloMsg is what every server sends to a client once it has registered it (wsroute: in
// OnOpen, after the client joined its controller): the client's signal that the server
// counts it.
var helloMsg = []byte(`{"type":"hello"}`)

// impl is one server implementation of the benchmark's jobs.
type impl interface {
	http.Handler
	// Online is the number of connected clients.
	Online() int
}

// implNames lists the implementations in the order reports show them.
var implNames = []string{"wsroute", "gws"}

func newImpl(name string, o serverOptions) (impl, error) {
	switch name {
	case "wsroute":
		return newWsrouteServer(o), nil
	case "wsroute+metrics":
		o.Observer = newBenchObserver()
		return newWsrouteServer(o), nil
	case "gws":
		return newGwsServer(o), nil
	}
	return nil, fmt.Errorf("unknown implementation %q (want wsroute or gws)", name)
}

// serverOptions are the knobs of both implementations.
type serverOptions struct {
	ReadBufferSize int // 0: the implementation's default
	Logger         *slog.Logger
	// Deflate enables permessage-deflate on the gws server, for clients that offer it.
	// wsroute negotiates it by default (route.Config.DisableCompression is false), so
	// its server is the same either way.
	Deflate bool
	// Observer is wsroute's metrics observer ("wsroute+metrics"), nil for none.
	Observer route.Observer
}

// serverStats is what GET /bench/stats returns.
type serverStats struct {
	Impl       string `json:"impl"`
	Online     int    `json:"online"`
	Goroutines int    `json:"goroutines"`
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Sys        uint64 `json:"sys"`
	RSS        int64  `json:"rss"`
}

// statsHandler answers GET /bench/stats with the server's figures; with ?gc=1 it first
// runs a garbage collection and returns the freed memory to the OS, so that RSS is
// comparable between implementations.
func statsHandler(name string, im impl) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") == "1" {
			runtime.GC()
			debug.FreeOSMemory()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mem, _ := procMemory(os.Getpid())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(serverStats{
			Impl:       name,
			Online:     im.Online(),
			Goroutines: runtime.NumGoroutine(),
			HeapInuse:  ms.HeapInuse,
			StackInuse: ms.StackInuse,
			Sys:        ms.Sys,
			RSS:        mem.RSS,
		})
	})
}

// serverMain is "wsbench server": it serves one implementation on a loopback address,
// prints "listening ADDR" on stdout, and runs until its standard input ends, a signal
// arrives or -timeout passes.
func serverMain(args []string) error {
	fs := flag.NewFlagSet("wsbench server", flag.ContinueOnError)
	name := fs.String("impl", "wsroute", "implementation: wsroute or gws")
	addr := fs.String("addr", "127.0.0.1:0", "listen address; must be a loopback address")
	readBuf := fs.Int("read-buffer", 0, "per-connection read buffer in bytes (0: the implementation's default)")
	withPprof := fs.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/")
	lifetime := fs.Duration("timeout", 20*time.Minute, "exit after this long, whatever happens")
	memRate := fs.Int("memprofilerate", 0, "runtime.MemProfileRate (1: record every allocation; 0: Go's default)")
	deflate := fs.Bool("deflate", false, "gws: enable permessage-deflate (wsroute negotiates it by default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}
	if err := checkLoopback(*addr); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	im, err := newImpl(*name, serverOptions{ReadBufferSize: *readBuf, Logger: log, Deflate: *deflate})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(pathStats, statsHandler(*name, im))
	if *withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	mux.Handle("/", im)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("listening %s\n", ln.Addr())

	stdinDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		close(stdinDone)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-stdinDone:
	case <-sig:
	case <-time.After(*lifetime):
		return errors.New("server: timeout")
	}
	return nil
}

// checkLoopback refuses any listen or dial address that is not on the loopback network:
// the benchmark's traffic stays on this machine.
func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", hostport)
	}
	return nil
}
