package main

import (
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var quietLog = slog.New(slog.DiscardHandler)

// TestHistQuantiles checks the histogram against exact quantiles of random latencies
// spread over six orders of magnitude: within 1%.
func TestHistQuantiles(t *testing.T) {
	var h hist
	vals := make([]float64, 20000)
	for i := range vals {
		d := time.Duration(math.Exp(rand.Float64()*math.Log(1e9))) + 1 // 1 ns to 1 s
		vals[i] = float64(d)
		h.Record(d)
	}
	slices.Sort(vals)
	assert.EqualValues(t, len(vals), h.Count())
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		want := vals[int(math.Ceil(q*float64(len(vals))))-1]
		got := float64(h.Quantile(q))
		assert.InEpsilon(t, want, got, 0.01, "quantile %v", q)
	}
}

func TestHistEdges(t *testing.T) {
	var h hist
	assert.Zero(t, h.Quantile(0.5), "empty")
	h.Record(-time.Second)
	h.Record(0)
	h.Record(127)
	h.Record(time.Duration(math.MaxInt64))
	assert.EqualValues(t, 4, h.Count())
	assert.Zero(t, h.Quantile(0.5))
	assert.EqualValues(t, 127, h.Quantile(0.75))
	assert.InEpsilon(t, float64(math.MaxInt64), float64(h.Quantile(1)), 0.01)
	for i := range histBuckets - 1 {
		require.Less(t, histValue(i), histValue(i+1), "bucket %d", i)
	}
}

func TestMedian(t *testing.T) {
	assert.True(t, math.IsNaN(median(nil)))
	assert.Equal(t, 3.0, median([]float64{5, 1, 3}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
	in := []float64{3, 1, 2}
	median(in)
	assert.Equal(t, []float64{3, 1, 2}, in, "median leaves its input alone")
	m := medians([]metrics{{"a": 1, "b": 10}, {"a": 3}, {"a": 2, "b": 30}})
	assert.Equal(t, metrics{"a": 2, "b": 20}, m)
}

func TestParseStatCPU(t *testing.T) {
	// A command name with spaces and parentheses; utime 1234 and stime 56 ticks.
	stat := "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 3 0 100 1000000 200"
	d, err := parseStatCPU([]byte(stat))
	require.NoError(t, err)
	assert.Equal(t, 12900*time.Millisecond, d)
	_, err = parseStatCPU([]byte("4242 (x) S 1"))
	assert.Error(t, err)
	d, err = procCPU(os.Getpid())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, d, time.Duration(0))
}

func TestParseStatus(t *testing.T) {
	status := "Name:\twsbench\nVmPeak:\t  100 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nThreads:\t4\n"
	m, err := parseStatus([]byte(status))
	require.NoError(t, err)
	assert.Equal(t, procMem{RSS: 1 << 20, HWM: 2 << 20}, m)
	_, err = parseStatus([]byte("Name:\tx\n"))
	assert.Error(t, err)
	m, err = procMemory(os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, m.RSS)
	assert.GreaterOrEqual(t, m.HWM, m.RSS)
}

func TestFormatFigure(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234", math.NaN(): "–"} {
		assert.Equal(t, want, formatFigure(in, 0), "%v", in)
	}
	assert.Equal(t, "1,234.57", formatFigure(1234.567, 2))
}
