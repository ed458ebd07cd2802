package main

import (
	"math"
	"math/bits"
	"slices"
	"sync/atomic"
	"time"
)

// hist is a latency histogram with log-linear buckets: values below 128 ns are exact, and
// above that every power of two is split into 128 buckets, so a quantile read from it is
// within 1% of the true value. Record is safe for concurrent use; it is one atomic add.
type hist struct {
	counts [histBuckets]atomic.Uint64
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits             // 128 buckets per power of two
	histBuckets = (64 - histSubBits) * histSub // enough for any uint64
)

func histIndex(v uint64) int {
	if v < 2*histSub {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits - 1 // keep the top 8 bits: mantissa in [128, 256)
	return shift*histSub + int(v>>shift)
}

// histValue is the middle of bucket i.
func histValue(i int) uint64 {
	if i < 2*histSub {
		return uint64(i)
	}
	shift := i/histSub - 1
	m := uint64(i - shift*histSub)
	return m<<shift + (uint64(1)<<shift)/2
}

// Record adds one observation of d (negative counts as zero).
func (h *hist) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histIndex(uint64(d))].Add(1)
}

// Count is the number of observations.
func (h *hist) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Quantile returns the value below which the fraction q of the observations fall
// (0 when the histogram is empty).
func (h *hist) Quantile(q float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = max(rank, 1)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(histValue(i))
		}
	}
	return time.Duration(histValue(histBuckets - 1))
}

// latencyMetrics adds the usual percentiles of h to m, in microseconds, under prefix.
func latencyMetrics(m metrics, prefix string, h *hist) {
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p999", 0.999}, {"max", 1}} {
		m[prefix+"_"+p.name+"_us"] = float64(h.Quantile(p.q)) / float64(time.Microsecond)
	}
}

// metrics are the figures of one run, by name.
type metrics map[string]float64

// median returns the median of xs (the mean of the middle two for an even count) and NaN
// for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medians returns, for every metric name present in any run, the median over the runs
// that have it.
func medians(runs []metrics) metrics {
	byName := map[string][]float64{}
	for _, r := range runs {
		for k, v := range r {
			byName[k] = append(byName[k], v)
		}
	}
	out := metrics{}
	for k, vs := range byName {
		out[k] = median(vs)
	}
	return out
}
