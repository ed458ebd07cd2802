package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runOptions say what "wsbench run" measures.
type runOptions struct {
	Scenario   string
	Conns      []int
	Msgs       int // 0: the scenario's default (echo: Total/conns)
	Total      int // echo: messages per run in all
	Window     int
	Size       int
	Workers    int
	PerProcess int // idle: connections per client process
	Runs       int
	Impls      []string
	ReadBuffer int
	Timeout    time.Duration
	JSON       string
	Settle     time.Duration
	Deflate    []bool // one table each: clients offer permessage-deflate, gws enables it
	Payload    string // message padding (payload.go)
}

// scenarioDefaults are each scenario's default parameters.
var scenarioDefaults = map[string]runOptions{
	"echo":      {Conns: []int{100}, Total: 200_000, Window: 8, Size: 64, Workers: 64},
	"broadcast": {Conns: []int{1000}, Total: 500_000, Window: 8, Size: 64, Workers: 64},
	"idle":      {Conns: []int{10_000, 19_000}, Msgs: 1, Window: 1, Size: 64, Workers: 64, PerProcess: 5000},
	"slow":      {Conns: []int{100}, Msgs: 5000, Window: 8, Size: 4096, Workers: 64},
	"churn":     {Conns: []int{5000}, Msgs: 1, Window: 1, Size: 64, Workers: 32},
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(f), "_", ""))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// runMain is "wsbench run": it measures one scenario for each implementation, alternating
// them, -runs times each, and prints the medians and their ratio.
func runMain(args []string) error {
	fs := flag.NewFlagSet("wsbench run", flag.ContinueOnError)
	scenario := fs.String("scenario", "echo", "echo, broadcast, idle, slow or churn")
	conns := fs.String("conns", "", "comma-separated connection counts, one table each (default: the scenario's)")
	var o runOptions
	fs.IntVar(&o.Msgs, "msgs", 0, "messages per connection (echo) or published (broadcast, slow); 0: the scenario's default")
	fs.IntVar(&o.Total, "total", 0, "messages per run in all: echo spreads them over the connections (default 200000), broadcast divides them by the receivers (default 500000 deliveries)")
	fs.IntVar(&o.Window, "window", 0, "messages in flight (default 8)")
	fs.IntVar(&o.Size, "size", 0, "message size in bytes (default 64; slow: 4096)")
	fs.IntVar(&o.Workers, "workers", 0, "connections opened at once (default 64; churn: 32)")
	fs.IntVar(&o.PerProcess, "per-process", 0, "idle: connections per client process (default 5000)")
	fs.IntVar(&o.Runs, "runs", 5, "runs of each implementation; the report gives the median")
	impls := fs.String("impls", strings.Join(implNames, ","), "implementations to compare, the first being the subject of the ratio")
	fs.IntVar(&o.ReadBuffer, "read-buffer", 0, "servers' per-connection read buffer (0: each implementation's default)")
	fs.DurationVar(&o.Timeout, "timeout", 2*time.Minute, "bound on each phase of a run")
	fs.StringVar(&o.JSON, "json", "", "write the results to this file as JSON (for the plots)")
	fs.DurationVar(&o.Settle, "settle", time.Second, "idle: pause before measuring memory")
	deflate := fs.String("deflate", "off", "permessage-deflate: off, on (clients offer it as browsers do, the gws server enables it), or off,on for both, one table each")
	fs.StringVar(&o.Payload, "payload", payloadPad, "message padding: pad (one letter repeated) or text (JSON-like records, about 3:1 under deflate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, f := range strings.Split(*deflate, ",") {
		switch strings.TrimSpace(f) {
		case "off":
			o.Deflate = append(o.Deflate, false)
		case "on":
			o.Deflate = append(o.Deflate, true)
		default:
			return fmt.Errorf("-deflate=%s: want off, on or off,on", *deflate)
		}
	}
	if o.Payload != payloadPad && o.Payload != payloadText {
		return fmt.Errorf("-payload=%s: want %s or %s", o.Payload, payloadPad, payloadText)
	}
	def, ok := scenarioDefaults[*scenario]
	if !ok {
		return fmt.Errorf("unknown scenario %q", *scenario)
	}
	o.Scenario = *scenario
	o.Impls = strings.Split(*impls, ",")
	for _, name := range o.Impls {
		if !slices.Contains(implNames, name) && name != "wsroute+metrics" {
			return fmt.Errorf("unknown implementation %q", name)
		}
	}
	var err error
	if *conns == "" {
		o.Conns = def.Conns
	} else if o.Conns, err = parseInts(*conns); err != nil {
		return err
	}
	fill := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	fill(&o.Total, max(def.Total, 1))
	fill(&o.Window, def.Window)
	fill(&o.Size, def.Size)
	fill(&o.Workers, def.Workers)
	fill(&o.PerProcess, cmp.Or(def.PerProcess, 1<<30))
	if o.Runs < 1 {
		return errors.New("runs must be at least 1")
	}
	rep := newReport(os.Args)
	rep.print(os.Stdout)
	for _, n := range o.Conns {
		for _, deflate := range o.Deflate {
			res, err := measure(o, def, n, deflate)
			if err != nil {
				return err
			}
			rep.Results = append(rep.Results, res...)
			printTable(os.Stdout, o, res)
		}
	}
	if o.JSON != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(o.JSON, append(b, '\n'), 0o644)
	}
	return nil
}

// result is one implementation's figures at one setting.
type result struct {
	Scenario string    `json:"scenario"`
	Impl     string    `json:"impl"`
	Conns    int       `json:"conns"`
	Msgs     int       `json:"msgs"`
	Window   int       `json:"window"`
	Size     int       `json:"size"`
	Deflate  bool      `json:"deflate"`
	Payload  string    `json:"payload"`
	Runs     []metrics `json:"runs"`
	Median   metrics   `json:"median"`
}

// report is what -json writes.
type report struct {
	Command string   `json:"command"`
	Date    string   `json:"date"`
	Go      string   `json:"go"`
	CPUs    int      `json:"cpus"`
	CPU     string   `json:"cpu"`
	LoadAvg string   `json:"loadavg"`
	Results []result `json:"results"`
}

func newReport(args []string) *report {
	r := &report{
		Command: "wsbench " + strings.Join(args[1:], " "),
		Date:    time.Now().UTC().Format(time.RFC3339),
		Go:      runtime.Version(),
		CPUs:    runtime.NumCPU(),
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				r.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.LoadAvg = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return r
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "%s\n%s, %d CPUs (%s), load average %s, %s\n", r.Command, r.Go, r.CPUs, r.CPU, r.LoadAvg, r.Date)
}

// measure runs the scenario at n connections, with or without permessage-deflate:
// o.Runs rounds, each running every implementation once, in an order that alternates
// from round to round.
func measure(o runOptions, def runOptions, n int, deflate bool) ([]result, error) {
	p := clientParams{
		Scenario: o.Scenario, Conns: n, Msgs: o.Msgs, Window: o.Window, Size: o.Size,
		Workers: o.Workers, SrcFirst: 2, SrcCount: 64, Timeout: o.Timeout,
		Deflate: deflate, Payload: o.Payload,
	}
	if p.Msgs == 0 {
		p.Msgs = def.Msgs
		if def.Total > 0 { // echo: messages per connection; broadcast: messages published
			p.Msgs = max(o.Total/n, 10)
		}
	}
	runs := make(map[string][]metrics)
	for round := range o.Runs {
		order := slices.Clone(o.Impls)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, name := range order {
			m, err := runOnce(o, name, p)
			if err != nil {
				return nil, fmt.Errorf("%s %s conns=%d deflate=%t run %d: %w", o.Scenario, name, n, deflate, round+1, err)
			}
			fmt.Fprintf(os.Stderr, "  %s conns=%d deflate=%t run %d/%d %-7s %s\n", o.Scenario, n, deflate, round+1, o.Runs, name, headline(o.Scenario, m))
			runs[name] = append(runs[name], m)
		}
	}
	var out []result
	for _, name := range o.Impls {
		out = append(out, result{
			Scenario: o.Scenario, Impl: name, Conns: n, Msgs: p.Msgs, Window: p.Window, Size: p.Size,
			Deflate: deflate, Payload: p.Payload, Runs: runs[name], Median: medians(runs[name]),
		})
	}
	return out, nil
}

// runOnce starts a server of impl and the clients, applies the load once, and returns the
// clients' figures with the server's CPU and memory added.
func runOnce(o runOptions, impl string, p clientParams) (metrics, error) {
	srvArgs := []string{"server", "-impl=" + impl, "-addr=127.0.0.1:0"}
	if o.ReadBuffer > 0 {
		srvArgs = append(srvArgs, fmt.Sprintf("-read-buffer=%d", o.ReadBuffer))
	}
	if p.Deflate {
		srvArgs = append(srvArgs, "-deflate")
	}
	srv, err := startChild(srvArgs...)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	line, err := srv.expect("listening ", 10*time.Second)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	p.Addr = strings.TrimPrefix(line, "listening ")
	pid := srv.cmd.Process.Pid

	base, err := serverStatsOf(p.Addr, true)
	if err != nil {
		return nil, err
	}

	// The clients: one process, or for idle as many as it takes to stay far from the
	// per-process limit on open files, each with source addresses of its own.
	procs := 1
	if o.Scenario == "idle" {
		procs = (p.Conns + o.PerProcess - 1) / o.PerProcess
	}
	var clients []*child
	defer func() {
		for _, c := range clients {
			c.stop()
		}
	}()
	for i := range procs {
		cp := p
		cp.Conns = p.Conns / procs
		if i < p.Conns%procs {
			cp.Conns++
		}
		if procs > 1 {
			cp.SrcCount = min(16, 250/procs)
			cp.SrcFirst = 2 + i*cp.SrcCount
		}
		c, err := startChild(append([]string{"client"}, cp.args()...)...)
		if err != nil {
			return nil, err
		}
		clients = append(clients, c)
	}
	for _, c := range clients {
		if _, err := c.report("ready ", p.Timeout+30*time.Second); err != nil {
			return nil, fmt.Errorf("client setup: %w", err)
		}
	}

	m := metrics{"base_rss_bytes": float64(base.RSS)}
	if o.Scenario == "idle" {
		time.Sleep(o.Settle) // let the last handshakes' goroutines finish
		if err := idleMemory(m, pid, p, base); err != nil {
			return nil, err
		}
	}

	cpu0, err := procCPU(pid)
	if err != nil {
		return nil, err
	}
	// The clients' CPU too: on loopback they share the machine with the server, and when
	// they do more per message than it does (inflating, say) they bound the throughput.
	clientCPU := func() (time.Duration, error) {
		var sum time.Duration
		for _, c := range clients {
			d, err := procCPU(c.cmd.Process.Pid)
			if err != nil {
				return 0, err
			}
			sum += d
		}
		return sum, nil
	}
	ccpu0, err := clientCPU()
	if err != nil {
		return nil, err
	}
	for _, c := range clients {
		c.send("go")
	}
	var got []metrics
	for _, c := range clients {
		r, err := c.report("result ", p.Timeout+30*time.Second)
		if err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
		got = append(got, r.Metrics)
	}
	cpu1, err := procCPU(pid)
	if err != nil {
		return nil, err
	}
	ccpu1, err := clientCPU()
	if err != nil {
		return nil, err
	}
	mem, err := procMemory(pid)
	if err != nil {
		return nil, err
	}
	for _, r := range got {
		for k, v := range r {
			if k == "ops" {
				m[k] += v
			} else {
				m[k] = v
			}
		}
	}
	m["server_cpu_s"] = (cpu1 - cpu0).Seconds()
	if ops := m["ops"]; ops > 0 && o.Scenario != "idle" {
		m["cpu_us_per_op"] = float64((cpu1 - cpu0).Microseconds()) / ops
		m["client_cpu_us_per_op"] = float64((ccpu1 - ccpu0).Microseconds()) / ops
	}
	m["peak_rss_delta_bytes"] = float64(mem.HWM - base.RSS)
	for _, c := range clients {
		c.send("stop")
	}
	return m, nil
}

// idleMemory measures the server holding p.Conns idle connections: RSS as it stands,
// then after a forced GC that returns freed memory to the OS, both per connection above
// the baseline taken the same way before any connection.
func idleMemory(m metrics, pid int, p clientParams, base serverStats) error {
	mem, err := procMemory(pid)
	if err != nil {
		return err
	}
	after, err := serverStatsOf(p.Addr, true)
	if err != nil {
		return err
	}
	if after.Online < p.Conns {
		return fmt.Errorf("server counts %d connections, want %d", after.Online, p.Conns)
	}
	n := float64(p.Conns)
	m["rss_bytes"] = float64(after.RSS)
	m["rss_per_conn_nogc"] = float64(mem.RSS-base.RSS) / n
	m["rss_per_conn"] = float64(after.RSS-base.RSS) / n
	m["heap_per_conn"] = (float64(after.HeapInuse) - float64(base.HeapInuse)) / n
	m["stack_per_conn"] = (float64(after.StackInuse) - float64(base.StackInuse)) / n
	m["goroutines_per_conn"] = float64(after.Goroutines-base.Goroutines) / n
	m["rss_100k_mib"] = (float64(base.RSS) + 100_000*m["rss_per_conn"]) / (1 << 20)
	return nil
}

// headline is the one figure the progress line shows.
func headline(scenario string, m metrics) string {
	switch scenario {
	case "echo":
		return fmt.Sprintf("%.0f msg/s, %.2f µs CPU/msg, rtt p99 %.0f µs", m["msgs_per_s"], m["cpu_us_per_op"], m["rtt_p99_us"])
	case "broadcast":
		return fmt.Sprintf("%.0f deliveries/s, %.2f µs CPU/delivery, p99 %.0f µs", m["deliveries_per_s"], m["cpu_us_per_op"], m["lat_p99_us"])
	case "slow":
		return fmt.Sprintf("%.0f deliveries/s, peak RSS +%.1f MiB, slow consumer got %.0f frames, dropped %.0f, close %.0f",
			m["deliveries_per_s"], m["peak_rss_delta_bytes"]/(1<<20), m["slow_received"], m["slow_dropped"], m["slow_close_code"])
	case "idle":
		return fmt.Sprintf("%.0f B/conn (%.0f B before GC), RSS %.1f MiB", m["rss_per_conn"], m["rss_per_conn_nogc"], m["rss_bytes"]/(1<<20))
	case "churn":
		return fmt.Sprintf("%.0f conns/s, %.0f µs CPU/conn, connect p99 %.0f µs", m["conns_per_s"], m["cpu_us_per_op"], m["connect_p99_us"])
	}
	return ""
}

// child is a wsbench process started by the orchestrator: its standard input carries
// commands, its standard output reports, one per line.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan struct{}
}

func startChild(args ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 16), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	go func() {
		_ = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// expect returns the child's next line, which must start with prefix.
func (c *child) expect(prefix string, timeout time.Duration) (string, error) {
	select {
	case l, ok := <-c.lines:
		if !ok {
			return "", errors.New("process ended")
		}
		if !strings.HasPrefix(l, prefix) {
			return "", fmt.Errorf("unexpected line %q", l)
		}
		return l, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("no %q line within %s", strings.TrimSpace(prefix), timeout)
	}
}

// report reads a worker's report line and returns its error, if it has one.
func (c *child) report(prefix string, timeout time.Duration) (workerReport, error) {
	l, err := c.expect(prefix, timeout)
	if err != nil {
		return workerReport{}, err
	}
	var r workerReport
	if err := json.Unmarshal([]byte(strings.TrimPrefix(l, prefix)), &r); err != nil {
		return workerReport{}, err
	}
	if r.Error != "" {
		return r, errors.New(r.Error)
	}
	return r, nil
}

func (c *child) send(line string) { _, _ = io.WriteString(c.stdin, line+"\n") }

// stop closes the child's input, which ends it, and kills it if it is still there 30 s
// later.
func (c *child) stop() {
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}
