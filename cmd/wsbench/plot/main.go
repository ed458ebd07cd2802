package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// report and result mirror what wsbench writes (cmd/wsbench/run.go).
type report struct {
	Command string   `json:"command"`
	Go      string   `json:"go"`
	CPUs    int      `json:"cpus"`
	Results []result `json:"results"`
}

type result struct {
	Scenario string             `json:"scenario"`
	Impl     string             `json:"impl"`
	Conns    int                `json:"conns"`
	Size     int                `json:"size"`
	Median   map[string]float64 `json:"median"`
}

var implColor = map[string]color.Color{
	"wsroute": color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"gws":     color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
}

var impls = []string{"wsroute", "gws"}

func main() {
	in := flag.String("in", ".", "directory of wsbench JSON results")
	out := flag.String("out", ".", "directory for the PNG files")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	echo, err := load(filepath.Join(in, "echo64.json"))
	if err != nil {
		return err
	}
	bcast, err := load(filepath.Join(in, "broadcast.json"))
	if err != nil {
		return err
	}
	idle, err := load(filepath.Join(in, "idle.json"))
	if err != nil {
		return err
	}
	var panels [][]*plot.Plot
	if echo != nil || bcast != nil {
		row := []*plot.Plot{}
		if echo != nil {
			row = append(row, throughput(echo, "msgs_per_s", "Echo, 64 B JSON messages", "messages/s"))
		}
		if bcast != nil {
			row = append(row, throughput(bcast, "deliveries_per_s", "Broadcast, one publisher", "deliveries/s"))
		}
		panels = append(panels, row)
		if err := save(filepath.Join(out, "throughput.png"), panels); err != nil {
			return err
		}
	}
	var lat []*plot.Plot
	if echo != nil {
		lat = append(lat, percentiles(echo, 100, "rtt", "Echo round trip, 100 connections"))
	}
	if bcast != nil {
		lat = append(lat, percentiles(bcast, 1000, "lat", "Broadcast delivery, 1,000 receivers"))
	}
	if len(lat) > 0 {
		if err := save(filepath.Join(out, "latency.png"), [][]*plot.Plot{lat}); err != nil {
			return err
		}
	}
	if idle != nil {
		if err := save(filepath.Join(out, "memory.png"), [][]*plot.Plot{{memory(idle)}}); err != nil {
			return err
		}
	}
	return nil
}

// load reads one wsbench report, or returns nil when the file does not exist.
func load(path string) (*report, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// series returns, for impl, the (connections, metric) points of r in connection order.
func series(r *report, impl, metric string) plotter.XYs {
	var xy plotter.XYs
	for _, res := range r.Results {
		if res.Impl == impl {
			xy = append(xy, plotter.XY{X: float64(res.Conns), Y: res.Median[metric]})
		}
	}
	sort.Slice(xy, func(i, j int) bool { return xy[i].X < xy[j].X })
	return xy
}

func throughput(r *report, metric, title, unit string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "connections (log scale)"
	p.Y.Label.Text = unit
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min = 0
	p.Legend.Left = true // bottom left, under the lines
	p.Add(plotter.NewGrid())
	for _, impl := range impls {
		xy := series(r, impl, metric)
		if len(xy) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			log.Fatal(err)
		}
		l.Color, pts.Color = implColor[impl], implColor[impl]
		l.Width = vg.Points(2)
		pts.Shape = draw.CircleGlyph{}
		p.Add(l, pts)
		p.Legend.Add(impl, l, pts)
	}
	p.Y.Max *= 1.1
	return p
}

var quantiles = []struct{ key, label string }{{"p50", "p50"}, {"p90", "p90"}, {"p99", "p99"}, {"p999", "p99.9"}}

func percentiles(r *report, conns int, prefix, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "milliseconds"
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	w := vg.Points(18)
	for i, impl := range impls {
		var vals plotter.Values
		for _, res := range r.Results {
			if res.Impl == impl && res.Conns == conns {
				for _, q := range quantiles {
					vals = append(vals, res.Median[prefix+"_"+q.key+"_us"]/1000)
				}
			}
		}
		if len(vals) == 0 {
			continue
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			log.Fatal(err)
		}
		bars.Color = implColor[impl]
		bars.LineStyle.Width = 0
		bars.Offset = vg.Length(float64(i)-0.5) * w
		p.Add(bars)
		p.Legend.Add(impl, bars)
	}
	names := make([]string, len(quantiles))
	for i, q := range quantiles {
		names[i] = q.label
	}
	p.NominalX(names...)
	p.Y.Min = 0
	p.Y.Max *= 1.15 // room for the legend
	return p
}

func memory(r *report) *plot.Plot {
	p := plot.New()
	p.Title.Text = "Server memory per idle connection (RSS after GC)"
	p.Y.Label.Text = "bytes"
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	var conns []int
	seen := map[int]bool{}
	for _, res := range r.Results {
		if !seen[res.Conns] {
			seen[res.Conns] = true
			conns = append(conns, res.Conns)
		}
	}
	sort.Ints(conns)
	w := vg.Points(24)
	for i, impl := range impls {
		vals := make(plotter.Values, len(conns))
		for _, res := range r.Results {
			if res.Impl == impl {
				vals[sort.SearchInts(conns, res.Conns)] = res.Median["rss_per_conn"]
			}
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			log.Fatal(err)
		}
		bars.Color = implColor[impl]
		bars.LineStyle.Width = 0
		bars.Offset = vg.Length(float64(i)-0.5) * w
		p.Add(bars)
		p.Legend.Add(impl, bars)
	}
	target := plotter.NewFunction(func(float64) float64 { return 8192 })
	target.Color = color.Gray{Y: 0x60}
	target.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
	p.Add(target)
	p.Legend.Add("target: 8 KiB", target)
	names := make([]string, len(conns))
	for i, c := range conns {
		names[i] = fmt.Sprintf("%d connections", c)
	}
	p.NominalX(names...)
	p.Y.Min = 0
	p.Y.Max = 10000
	return p
}

// save draws the plots in a grid of rows into one PNG.
func save(path string, rows [][]*plot.Plot) error {
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	const cw, ch = 6 * vg.Inch, 4 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(cw*vg.Length(cols), ch*vg.Length(len(rows))), vgimg.UseDPI(110))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(padRows(rows, cols), tiles, dc)
	for i, r := range rows {
		for j, p := range r {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func padRows(rows [][]*plot.Plot, cols int) [][]*plot.Plot {
	out := make([][]*plot.Plot, len(rows))
	for i, r := range rows {
		out[i] = make([]*plot.Plot, cols)
		copy(out[i], r)
	}
	return out
}
