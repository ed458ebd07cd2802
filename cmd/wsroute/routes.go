package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wsroute/wsroute/route"
)

// routes prints the snapshot read from source (a URL, a file or "-") as tables.
func routes(source string, stdin io.Reader, stdout, stderr io.Writer) int {
	s, err := readSnapshot(source, stdin)
	if err != nil {
		fmt.Fprintln(stderr, "wsroute:", err)
		return 1
	}
	if err := printSnapshot(stdout, s); err != nil {
		fmt.Fprintln(stderr, "wsroute:", err)
		return 1
	}
	return 0
}

func readSnapshot(source string, stdin io.Reader) (route.Snapshot, error) {
	var s route.Snapshot
	var r io.Reader
	switch {
	case source == "-":
		r = stdin
	case strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://"):
		c := http.Client{Timeout: 10 * time.Second}
		resp, err := c.Get(source)
		if err != nil {
			return s, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return s, fmt.Errorf("%s: %s", source, resp.Status)
		}
		r = resp.Body
	default:
		f, err := os.Open(source)
		if err != nil {
			return s, err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("%s: not a registry snapshot: %w", source, err)
	}
	return s, nil
}

func printSnapshot(w io.Writer, s route.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if s.Node != "" {
		fmt.Fprintf(tw, "node %s: %d online here, %d in the cluster\n\n", s.Node, s.Online, s.ClusterOnline)
	} else {
		fmt.Fprintf(tw, "%d online\n\n", s.Online)
	}
	fmt.Fprintln(tw, "ROUTE\tSITE\tCONTROLLERS\tONLINE")
	for _, r := range s.Routes {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", r.Route, r.Site, r.Controllers, r.Online)
	}
	if len(s.Controllers) > 0 {
		fmt.Fprintln(tw, "\nURL\tROUTE\tONLINE")
		for _, c := range s.Controllers {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", c.URL, c.Route, c.Online)
		}
	}
	if len(s.Rooms) > 0 {
		fmt.Fprintln(tw, "\nROOM\tONLINE")
		for _, r := range s.Rooms {
			fmt.Fprintf(tw, "%s\t%d\n", r.Name, r.Online)
		}
	}
	fmt.Fprintf(tw, "\ndeepest queue: %d messages, %d bytes (peak %d messages, %d bytes)\n",
		s.Queues.DeepestMessages, s.Queues.DeepestBytes, s.Queues.PeakMessages, s.Queues.PeakBytes)
	if len(s.Nodes) > 0 {
		fmt.Fprintln(tw, "\nNODE\tONLINE\tLAST HEARTBEAT")
		for _, n := range s.Nodes {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", n.ID, n.Online, n.Seen.UTC().Format(time.RFC3339))
		}
	}
	return tw.Flush()
}
