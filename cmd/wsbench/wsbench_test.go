package main

import (
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
)

// TestMain lets the test binary stand in for wsbench: the orchestrator test below starts
// copies of the running executable with "server" and "client" arguments, as wsbench
// does with its own binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "server" || os.Args[1] == "client") {
		main()
		os.Exit(0)
	}
	wstest.VerifyNoLeaks(m)
}

// startImpl serves one implementation in-process on loopback, with the stats endpoint,
// as "wsbench server" does.
func startImpl(t *testing.T, name string, o serverOptions) string {
	t.Helper()
	o.Logger = quietLog
	im, err := newImpl(name, o)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(pathStats, statsHandler(name, im))
	mux.Handle("/", im)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		if s, ok := im.(*wsrouteServer); ok {
			ctx, cancel := context.WithTimeout(context.Background(), wstest.Timeout)
			defer cancel()
			require.NoError(t, s.reg.Shutdown(ctx))
		}
	})
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestScenarios runs the client side of every scenario, small, against both
// implementations in this process, and checks that the figures add up.
func TestScenarios(t *testing.T) {
	cases := []struct {
		p     clientParams
		check func(t *testing.T, impl string, m metrics)
	}{
		{clientParams{Scenario: "echo", Conns: 4, Msgs: 50, Window: 4, Size: 64}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 200, m["ops"])
			assert.Positive(t, m["msgs_per_s"])
			assert.Positive(t, m["rtt_p50_us"])
			assert.LessOrEqual(t, m["rtt_p50_us"], m["rtt_p99_us"])
		}},
		{clientParams{Scenario: "echo", Conns: 2, Msgs: 20, Window: 2, Size: 4096}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 40, m["ops"])
		}},
		{clientParams{Scenario: "echo", Conns: 2, Msgs: 20, Window: 2, Size: 4096, Payload: payloadText}, func(t *testing.T, _ string, m metrics) {
			assert.GreaterOrEqual(t, m["wire_bytes_per_op"], 4096.0, "without deflate a reply weighs its size and a header")
		}},
		{clientParams{Scenario: "echo", Conns: 2, Msgs: 20, Window: 2, Size: 4096, Payload: payloadText, Deflate: true}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 40, m["ops"])
			assert.Less(t, m["wire_bytes_per_op"], 4096.0/2, "4 KiB of text replies compressed")
		}},
		{clientParams{Scenario: "echo", Conns: 2, Msgs: 20, Window: 2, Size: 64, Deflate: true}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 40, m["ops"])
		}},
		{clientParams{Scenario: "broadcast", Conns: 5, Msgs: 40, Window: 4, Size: 4096, Payload: payloadText, Deflate: true}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 200, m["ops"], "every receiver got every message")
			assert.Less(t, m["wire_bytes_per_op"], 4096.0/2, "4 KiB of text broadcast compressed")
		}},
		{clientParams{Scenario: "idle", Conns: 20, Deflate: true}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 20, m["ops"])
		}},
		{clientParams{Scenario: "broadcast", Conns: 5, Msgs: 40, Window: 4, Size: 64}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 200, m["ops"], "every receiver got every message")
			assert.Positive(t, m["deliveries_per_s"])
			assert.LessOrEqual(t, m["lat_p50_us"], m["lat_max_us"])
		}},
		{clientParams{Scenario: "idle", Conns: 20}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 20, m["ops"])
		}},
		{clientParams{Scenario: "churn", Conns: 30, Workers: 4}, func(t *testing.T, _ string, m metrics) {
			assert.EqualValues(t, 30, m["ops"])
			assert.Positive(t, m["conns_per_s"])
		}},
		{clientParams{Scenario: "slow", Conns: 3, Msgs: 3000, Window: 8, Size: 4096}, func(t *testing.T, impl string, m metrics) {
			assert.EqualValues(t, 9000, m["ops"], "the healthy receivers got every message")
			if impl == "wsroute" {
				assert.EqualValues(t, 1, m["slow_dropped"], "wsroute drops the consumer that does not read")
				assert.Less(t, m["slow_received"], 3000.0)
			} else {
				assert.EqualValues(t, 0, m["slow_dropped"], "gws keeps it, and everything sent to it")
				assert.EqualValues(t, 3000, m["slow_received"])
			}
		}},
	}
	for _, tc := range cases {
		for _, impl := range implNames {
			name := fmt.Sprintf("%s/%d/%s", tc.p.Scenario, tc.p.Size, impl)
			if tc.p.Deflate {
				name += "/deflate"
			}
			t.Run(name, func(t *testing.T) {
				p := tc.p
				p.Addr = startImpl(t, impl, serverOptions{Deflate: p.Deflate})
				p.Payload = cmp.Or(p.Payload, payloadPad)
				p.Workers = max(p.Workers, 8)
				p.Msgs = max(p.Msgs, 1)
				p.Window = max(p.Window, 1)
				p.Size = max(p.Size, 64)
				p.SrcFirst, p.SrcCount = 2, 4
				p.Timeout = wstest.Timeout
				require.NoError(t, p.validate())
				l, err := setup(p)
				require.NoError(t, err)
				defer l.close()
				m, err := l.run(time.Now().Add(p.Timeout))
				require.NoError(t, err)
				tc.check(t, impl, m)
			})
		}
	}
}

// TestWorkerProtocol drives "wsbench client" through its standard input and output.
func TestWorkerProtocol(t *testing.T) {
	addr := startImpl(t, "gws", serverOptions{})
	in, inW, err := os.Pipe()
	require.NoError(t, err)
	outR, out, err := os.Pipe()
	require.NoError(t, err)
	p := clientParams{Scenario: "echo", Addr: addr, Conns: 2, Msgs: 5, Window: 1, Size: 64, Workers: 2, SrcFirst: 2, SrcCount: 2, Timeout: wstest.Timeout, Payload: payloadPad}
	done := make(chan error, 1)
	go func() { done <- serveWorker(p, in, out); _ = out.Close() }()
	lines := make(chan string, 4)
	go func() {
		buf := make([]byte, 64<<10)
		var acc string
		for {
			n, err := outR.Read(buf)
			acc += string(buf[:n])
			for {
				i := strings.IndexByte(acc, '\n')
				if i < 0 {
					break
				}
				lines <- acc[:i]
				acc = acc[i+1:]
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	assert.Equal(t, "ready {}", <-lines)
	_, _ = inW.WriteString("go\n")
	res := <-lines
	require.True(t, strings.HasPrefix(res, "result "), res)
	var r workerReport
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(res, "result ")), &r))
	assert.Empty(t, r.Error)
	assert.EqualValues(t, 10, r.Metrics["ops"])
	_, _ = inW.WriteString("stop\n")
	require.NoError(t, <-done)
	_ = inW.Close()
}

// TestRun runs the orchestrator end to end, once per implementation, with this test
// binary as its server and client processes, and reads back its JSON.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "echo.json")
	require.NoError(t, runMain([]string{"-scenario=echo", "-conns=3", "-total=300", "-size=4096", "-runs=1", "-deflate=off,on", "-payload=text", "-json=" + out}))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var rep report
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Len(t, rep.Results, 4, "two implementations, without and with deflate")
	for i, r := range rep.Results {
		assert.Equal(t, implNames[i%2], r.Impl)
		assert.Equal(t, i >= 2, r.Deflate)
		assert.Equal(t, payloadText, r.Payload)
		assert.Equal(t, 3, r.Conns)
		assert.Equal(t, 100, r.Msgs)
		require.Len(t, r.Runs, 1)
		assert.EqualValues(t, 300, r.Median["ops"])
		assert.Positive(t, r.Median["base_rss_bytes"], "the server's RSS was read from /proc")
		assert.GreaterOrEqual(t, r.Median["server_cpu_s"], 0.0)
		assert.Contains(t, r.Median, "client_cpu_us_per_op", "the clients' CPU was read from /proc")
		assert.GreaterOrEqual(t, r.Median["client_cpu_us_per_op"], 0.0) // 10 ms clock ticks: may be 0 in so short a run
		if r.Deflate {
			assert.Less(t, r.Median["wire_bytes_per_op"], 2048.0, "compressed")
		} else {
			assert.Greater(t, r.Median["wire_bytes_per_op"], 4096.0)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:0": true, "127.0.0.9:80": true, "localhost:1": true, "[::1]:8080": true,
		"10.0.0.1:80": false, "192.168.1.1:80": false, "example.com:80": false, "0.0.0.0:80": false, "nonsense": false,
	} {
		assert.Equal(t, ok, checkLoopback(addr) == nil, addr)
	}
}

func TestJSONPayload(t *testing.T) {
	for _, kind := range []string{payloadPad, payloadText} {
		for _, n := range []int{24, 64, 4096} {
			p, err := jsonPayload(n, kind)
			require.NoError(t, err)
			assert.Len(t, p, n)
			assert.True(t, json.Valid(p), "%s", p)
		}
		_, err := jsonPayload(10, kind)
		assert.Error(t, err)
	}
	// The text payload compresses as an application's JSON does, not as a run of one
	// letter: deflate at gws's level (BestSpeed) keeps a quarter to a half of 4 KiB.
	ratio := func(kind string) float64 {
		p, err := jsonPayload(4096, kind)
		require.NoError(t, err)
		var buf bytes.Buffer
		w, err := flate.NewWriter(&buf, flate.BestSpeed)
		require.NoError(t, err)
		_, _ = w.Write(p)
		require.NoError(t, w.Close())
		return float64(buf.Len()) / float64(len(p))
	}
	text := ratio(payloadText)
	t.Logf("4 KiB under deflate: text %.2f, pad %.3f", text, ratio(payloadPad))
	assert.Greater(t, text, 0.2)
	assert.Less(t, text, 0.5)
	assert.Less(t, ratio(payloadPad), 0.05)
}

// TestDeflateRequired: a client that offers permessage-deflate refuses a server that does
// not accept it, so that a deflate table never measures uncompressed connections.
func TestDeflateRequired(t *testing.T) {
	p := clientParams{
		Scenario: "echo", Addr: startImpl(t, "gws", serverOptions{}), Conns: 1, Msgs: 1, Window: 1, Size: 64,
		Workers: 1, SrcFirst: 2, SrcCount: 1, Timeout: wstest.Timeout, Payload: payloadPad, Deflate: true,
	}
	_, err := setup(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did not accept permessage-deflate")
}
