package route

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// Snapshot is the registry as it is when Inspect runs, for an operator: what is
// registered, who is connected where, and how deep the outgoing queues are. Its JSON form
// is what InspectHandler serves and what "wsroute routes" prints.
type Snapshot struct {
	Node          string           `json:"node,omitempty"` // this node's id in a cluster
	Online        int              `json:"online"`         // clients on this node
	ClusterOnline int              `json:"clusterOnline"`  // clients on every live node
	Routes        []RouteInfo      `json:"routes"`
	Controllers   []ControllerInfo `json:"controllers"`
	Rooms         []RoomInfo       `json:"rooms"`
	Queues        QueueInfo        `json:"queues"`
	Nodes         []NodeInfo       `json:"nodes,omitempty"` // the other live nodes
}

// RouteInfo is one registered route.
type RouteInfo struct {
	Route       string `json:"route"`       // the canonical route string
	Site        string `json:"site"`        // file:line of its registration
	Controllers int    `json:"controllers"` // live controllers (concrete URLs)
	Online      int    `json:"online"`      // their clients
}

// ControllerInfo is one live controller.
type ControllerInfo struct {
	Route  string `json:"route"`
	URL    string `json:"url"`
	Online int    `json:"online"`
}

// RoomInfo is one room with members on this node.
type RoomInfo struct {
	Name   string `json:"name"`
	Online int    `json:"online"`
}

// QueueInfo describes the outgoing queues of this node's clients.
type QueueInfo struct {
	DeepestMessages int `json:"deepestMessages"` // the most messages queued for one client now
	DeepestBytes    int `json:"deepestBytes"`    // the most bytes queued for one client now
	PeakMessages    int `json:"peakMessages"`    // the most ever queued at once for one connected client
	PeakBytes       int `json:"peakBytes"`
}

// NodeInfo is another live node of the cluster, as its last heartbeat described it.
type NodeInfo struct {
	ID     string    `json:"id"`
	Seen   time.Time `json:"seen"`
	Online int       `json:"online"`
}

// Inspect takes a snapshot of the registry. It takes the registry's lock for a moment
// and each client's for less, so it can run on a live server, but it walks every client:
// call it on demand, not in a loop.
func (r *Registry) Inspect() Snapshot {
	s := Snapshot{Online: r.Online(), ClusterOnline: r.ClusterOnline()}
	r.mu.RLock()
	routes := make([]RouteInfo, len(r.entries))
	for i, e := range r.entries {
		routes[i] = RouteInfo{Route: e.str, Site: e.site}
	}
	for k, ctl := range r.ctls {
		n := ctl.Online()
		routes[k.route].Controllers++
		routes[k.route].Online += n
		s.Controllers = append(s.Controllers, ControllerInfo{Route: r.entries[k.route].str, URL: k.url, Online: n})
	}
	r.mu.RUnlock()
	s.Routes = routes
	slices.SortFunc(s.Routes, func(a, b RouteInfo) int { return cmp.Compare(a.Route, b.Route) })
	slices.SortFunc(s.Controllers, func(a, b ControllerInfo) int {
		return cmp.Or(cmp.Compare(a.URL, b.URL), cmp.Compare(a.Route, b.Route))
	})
	_, _, rooms := r.hub.Counts()
	for name, n := range rooms {
		s.Rooms = append(s.Rooms, RoomInfo{Name: name, Online: n})
	}
	slices.SortFunc(s.Rooms, func(a, b RoomInfo) int { return cmp.Compare(a.Name, b.Name) })
	for _, c := range r.hub.Clients(nil) {
		m, b := c.Queued()
		s.Queues.DeepestMessages = max(s.Queues.DeepestMessages, m)
		s.Queues.DeepestBytes = max(s.Queues.DeepestBytes, b)
		pm, pb := c.QueuePeak()
		s.Queues.PeakMessages = max(s.Queues.PeakMessages, pm)
		s.Queues.PeakBytes = max(s.Queues.PeakBytes, pb)
	}
	if r.node != nil {
		s.Node = r.node.ID()
		for _, p := range r.node.Peers() {
			s.Nodes = append(s.Nodes, NodeInfo{ID: p.ID, Seen: p.Seen, Online: p.Total})
		}
		slices.SortFunc(s.Nodes, func(a, b NodeInfo) int { return cmp.Compare(a.ID, b.ID) })
	}
	if s.Controllers == nil {
		s.Controllers = []ControllerInfo{}
	}
	if s.Rooms == nil {
		s.Rooms = []RoomInfo{}
	}
	return s
}

// InspectHandler serves Inspect's snapshot as JSON to GET requests. It tells anyone who
// can reach it the routes, rooms and counts: mount it behind the application's own
// authentication, never on a public path as it is.
func (r *Registry) InspectHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r.Inspect())
	})
}
