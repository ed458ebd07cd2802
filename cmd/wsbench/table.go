package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// row is one line of a scenario's table: a metric, how to show it, and the target the
// ratio (first implementation over second) or the first implementation's own figure must
// meet, if any.
type row struct {
	key    string
	label  string
	scale  float64 // the figure shown is the metric divided by scale
	digits int
	target string
	// ok says whether the target is met; nil for none.
	ok func(ratio, first float64) bool
	// deflate and deflateOK replace target and ok in the tables with permessage-deflate,
	// when set.
	deflate   string
	deflateOK func(ratio, first float64) bool
}

// atLeast is a target on the ratio.
func atLeast(x float64) func(r, _ float64) bool { return func(r, _ float64) bool { return r >= x } }

var tableRows = map[string][]row{
	"echo": {
		{key: "msgs_per_s", label: "throughput (msg/s)", scale: 1, target: "ratio ≥ 1.10", ok: atLeast(1.10), deflate: "ratio ≥ 1.15", deflateOK: atLeast(1.15)},
		{key: "cpu_us_per_op", label: "server CPU per message (µs)", scale: 1, digits: 2, target: "ratio ≤ 1.10", ok: func(r, _ float64) bool { return r <= 1.10 }},
		{key: "rtt_p50_us", label: "round trip p50 (µs)", scale: 1},
		{key: "rtt_p99_us", label: "round trip p99 (µs)", scale: 1},
		{key: "client_cpu_us_per_op", label: "clients' CPU per message (µs)", scale: 1, digits: 2},
		{key: "wire_bytes_per_op", label: "bytes on the wire per reply", scale: 1},
		{key: "peak_rss_delta_bytes", label: "server peak RSS growth (MiB)", scale: 1 << 20, digits: 1},
	},
	"broadcast": {
		{key: "deliveries_per_s", label: "deliveries/s", scale: 1, target: "ratio ≥ 1.70", ok: atLeast(1.70), deflate: "ratio ≥ 1.50", deflateOK: atLeast(1.50)},
		{key: "lat_p50_us", label: "latency p50 (µs)", scale: 1},
		{key: "lat_p99_us", label: "latency p99 (µs)", scale: 1, target: "ratio ≤ 1.00", ok: func(r, _ float64) bool { return r <= 1.0 }},
		{key: "cpu_us_per_op", label: "server CPU per delivery (µs)", scale: 1, digits: 2},
		{key: "client_cpu_us_per_op", label: "clients' CPU per delivery (µs)", scale: 1, digits: 2},
		{key: "wire_bytes_per_op", label: "bytes on the wire per delivery", scale: 1},
		{key: "peak_rss_delta_bytes", label: "server peak RSS growth (MiB)", scale: 1 << 20, digits: 1},
	},
	"idle": {
		{key: "rss_per_conn", label: "server RSS per connection (B)", scale: 1, target: "≤ 7168 B", ok: func(_, f float64) bool { return f <= 7168 }},
		{key: "rss_per_conn_nogc", label: "  the same before a forced GC (B)", scale: 1, target: "ratio ≤ 1.00", ok: func(r, _ float64) bool { return r <= 1.0 }},
		{key: "heap_per_conn", label: "  Go heap per connection (B)", scale: 1},
		{key: "stack_per_conn", label: "  goroutine stacks per connection (B)", scale: 1},
		{key: "goroutines_per_conn", label: "  goroutines per connection", scale: 1, digits: 2},
		{key: "rss_bytes", label: "server RSS (MiB)", scale: 1 << 20, digits: 1},
		{key: "rss_100k_mib", label: "server RSS at 100,000 (MiB, extrapolated)", scale: 1},
	},
	"slow": {
		{key: "deliveries_per_s", label: "healthy deliveries/s", scale: 1},
		{key: "lat_p99_us", label: "healthy latency p99 (µs)", scale: 1},
		{key: "peak_rss_delta_bytes", label: "server peak RSS growth (MiB)", scale: 1 << 20, digits: 1},
		{key: "held_heap_bytes", label: "server heap held at the end (MiB)", scale: 1 << 20, digits: 1},
		{key: "slow_received", label: "messages the slow consumer got", scale: 1},
		{key: "slow_dropped", label: "server dropped it (1: yes, 0: still connected)", scale: 1},
		{key: "slow_close_code", label: "its close code (0: none reached it)", scale: 1},
	},
	"churn": {
		{key: "conns_per_s", label: "connections/s (open+close)", scale: 1},
		{key: "cpu_us_per_op", label: "server CPU per connection (µs)", scale: 1},
		{key: "connect_p50_us", label: "connect to hello p50 (µs)", scale: 1},
		{key: "connect_p99_us", label: "connect to hello p99 (µs)", scale: 1},
		{key: "peak_rss_delta_bytes", label: "server peak RSS growth (MiB)", scale: 1 << 20, digits: 1},
	},
}

// printTable writes the medians of one setting as a Markdown table: one column per
// implementation, then the ratio of the first to the second and the target.
func printTable(w io.Writer, o runOptions, res []result) {
	if len(res) == 0 {
		return
	}
	r0 := res[0]
	var how string
	if r0.Deflate {
		how += ", permessage-deflate"
	}
	if r0.Payload == payloadText {
		how += ", text payload"
	}
	fmt.Fprintf(w, "\n%s: conns=%d msgs=%d window=%d size=%d%s, median of %d runs\n\n", r0.Scenario, r0.Conns, r0.Msgs, r0.Window, r0.Size, how, len(r0.Runs))
	head := []string{"metric"}
	for _, r := range res {
		head = append(head, r.Impl)
	}
	cmp := len(res) >= 2
	if cmp {
		head = append(head, "ratio", "target")
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, rw := range tableRows[o.Scenario] {
		cells := []string{rw.label}
		for _, r := range res {
			cells = append(cells, formatFigure(r.Median[rw.key]/rw.scale, rw.digits))
		}
		if cmp {
			a, b := res[0].Median[rw.key], res[1].Median[rw.key]
			ratio := math.NaN()
			if b != 0 {
				ratio = a / b
			}
			cells = append(cells, fmt.Sprintf("%.2f×", ratio))
			t, ok := rw.target, rw.ok
			if r0.Deflate && rw.deflateOK != nil {
				t, ok = rw.deflate, rw.deflateOK
			}
			if ok != nil {
				if ok(ratio, a) {
					t += " ✔"
				} else {
					t += " ✘"
				}
			}
			cells = append(cells, t)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// formatFigure prints v with digits decimals and thousands separators.
func formatFigure(v float64, digits int) string {
	if math.IsNaN(v) {
		return "–"
	}
	s := fmt.Sprintf("%.*f", digits, v)
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if neg {
		out = "-" + out
	}
	if frac != "" {
		out += "." + frac
	}
	return out
}
