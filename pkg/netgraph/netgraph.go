// Package netgraph draws what an environment's NetworkPolicies let talk to
// what: one node per workload (services, data stores, jobs, the edge proxy,
// the telemetry collector, the monitoring add-ons) grouped by namespace, one
// node per outside address block or host name, one per Cilium entity a
// CiliumNetworkPolicy names (the API server, toEntities kube-apiserver),
// one arrow per connection pkg/netpol finds allowed in the built objects,
// and a dashed red arrow for each connection the spec declares that the
// policies do not allow.
//
// The arrows come from the objects, not the spec, so the picture is what a
// cluster enforces; the spec only says which connections to expect.
package netgraph

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/netpol"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Kinds of node.
const (
	KindService   = "service"
	KindStore     = "store"
	KindJob       = "job"
	KindEdge      = "edge"
	KindTelemetry = "telemetry"
	KindMonitor   = "monitoring"
	KindExternal  = "external"
	KindEntity    = "entity"
)

// ExternalGroup is the group of the outside address blocks and host
// names; EntityGroup that of the Cilium entities, which are no address
// block: the API server may run on the cluster's nodes or outside it.
const (
	ExternalGroup = "outside the cluster"
	EntityGroup   = "Cilium entities"
)

// Node is a workload, an outside address block or host, or an entity.
type Node struct {
	// ID is stable across runs and unique in the graph: ns/name for a
	// workload, the block or host for an outside one, the entity's name.
	ID    string
	Label string
	Kind  string
	// Group is the workload's namespace, ExternalGroup or EntityGroup.
	Group string
}

// Edge is one connection.
type Edge struct {
	From, To string // node IDs
	// Port is the port at the receiving end ("*" for every port), with
	// "/PROTO" unless TCP.
	Port string
	// Missing marks a connection the spec declares and the policies do not
	// allow.
	Missing bool
	// Why is what declares a missing connection (uses, expose, calls).
	Why string
	// Mesh marks a connection that travels through the receiver's mesh
	// port too (the port's own arrow is folded into it).
	Mesh bool

	portNum int64
}

// Graph is the drawing's content, sorted: nodes by group (namespaces, then
// the outside) and ID, edges by from, to, port.
type Graph struct {
	Platform, Env string
	Nodes         []Node
	Edges         []Edge
}

// Build evaluates objs (env's built objects) with pkg/netpol and checks the
// connections p declares for env against what they allow.
func Build(p *spec.Platform, envName string, objs []manifest.Map) (*Graph, error) {
	env := p.Environment(envName)
	if env == nil {
		return nil, fmt.Errorf("no environment %q", envName)
	}
	w, err := netpol.Load(objs)
	if err != nil {
		return nil, err
	}
	g := &Graph{Platform: p.Metadata.Name, Env: envName}
	ns := func(area string) string { return spec.Namespace(env, area) }
	workloads := w.Workloads()
	for _, wl := range workloads {
		g.Nodes = append(g.Nodes, Node{ID: wl.String(), Label: wl.Name, Kind: kindOf(wl, ns), Group: wl.Namespace})
	}
	allowed := map[netpol.Connection]bool{}
	// A meshed pair's connection to the mesh port is drawn on the pair's
	// other arrows: an arrow of its own per pair would double the picture
	// and say nothing the arrows it carries do not.
	type pair struct{ from, to netpol.Ref }
	meshed, direct := map[pair]bool{}, map[pair]bool{}
	conns := w.Allowed()
	for _, c := range conns {
		if c.Mesh {
			meshed[pair{c.From, c.To}] = true
		} else {
			direct[pair{c.From, c.To}] = true
		}
	}
	for _, c := range conns {
		allowed[c] = true
		pr := pair{c.From, c.To}
		if c.Mesh && direct[pr] {
			continue
		}
		g.Edges = append(g.Edges, Edge{From: c.From.String(), To: c.To.String(), Port: portLabel(strconv.FormatInt(c.Port, 10), c.Protocol),
			Mesh: !c.Mesh && meshed[pr], portNum: c.Port})
	}
	external := map[string]bool{}
	for _, e := range w.External() {
		block := e.Far()
		if !external[block] {
			external[block] = true
			n := Node{ID: block, Label: block, Kind: KindExternal, Group: ExternalGroup}
			if e.Entity != "" {
				n.Kind, n.Group = KindEntity, EntityGroup
			}
			g.Nodes = append(g.Nodes, n)
		}
		port := portLabel(externalPort(e), e.Protocol)
		if e.Direction == netpol.Ingress {
			g.Edges = append(g.Edges, Edge{From: block, To: e.Workload.String(), Port: port, portNum: e.Port})
		} else {
			g.Edges = append(g.Edges, Edge{From: e.Workload.String(), To: block, Port: port, portNum: e.Port})
		}
	}
	for _, d := range declared(p, ns, workloads) {
		if !allowed[d.conn] {
			g.Edges = append(g.Edges, Edge{From: d.conn.From.String(), To: d.conn.To.String(),
				Port: portLabel(strconv.FormatInt(d.conn.Port, 10), d.conn.Protocol), Missing: true, Why: d.why, portNum: d.conn.Port})
		}
	}
	groupRank := func(n Node) int {
		switch n.Group {
		case ExternalGroup:
			return 1
		case EntityGroup:
			return 2
		}
		return 0
	}
	slices.SortFunc(g.Nodes, func(a, b Node) int {
		return cmp.Or(cmp.Compare(groupRank(a), groupRank(b)), cmp.Compare(a.Group, b.Group), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(g.Edges, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.portNum, b.portNum),
			cmp.Compare(a.Port, b.Port), compareBool(a.Missing, b.Missing))
	})
	return g, nil
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func externalPort(e netpol.External) string {
	switch {
	case e.PortName != "":
		return e.PortName
	case e.EndPort != 0:
		return fmt.Sprintf("%d-%d", e.Port, e.EndPort)
	case e.Port != 0:
		return strconv.FormatInt(e.Port, 10)
	}
	return "*"
}

func portLabel(port, protocol string) string {
	if protocol != "TCP" {
		return port + "/" + protocol
	}
	return port
}

// kindOf classifies a workload by what made it: the modelled add-ons by
// their role, the collector by its name, stores (StatefulSets in the data
// namespace) and jobs by their kind.
func kindOf(wl netpol.Workload, ns func(string) string) string {
	switch {
	case wl.Kind == netpol.KindAddon && (wl.Namespace == ns("edge") || wl.Name == netpol.GatewayProxy):
		return KindEdge
	case wl.Kind == netpol.KindAddon:
		return KindMonitor
	case wl.Namespace == ns("observability") && wl.Name == generate.Collector:
		return KindTelemetry
	case wl.Kind == "CronJob" || wl.Kind == "Job":
		return KindJob
	case wl.Kind == "StatefulSet" && wl.Namespace == ns("data"):
		return KindStore
	}
	return KindService
}

type declaredConn struct {
	conn netpol.Connection
	why  string
}

// declared lists the connections the spec promises for one environment:
// each service's pods (stable and canary) to each in-cluster or operator
// store it uses, on the store's port (and a Redis operator's Sentinels on
// theirs), and to the pods of each service it calls, on the
// call's port; the edge proxy to each exposed service's port.
// A managed store is reached through an address block by port, which an
// arrow to the outside shows; there is no pod to check it against.
func declared(p *spec.Platform, ns func(string) string, workloads []netpol.Workload) []declaredConn {
	// pods are the workloads of area named name: rendered ones, and in
	// the data namespace an operator's (CloudNativePG's instances, the
	// Redis operator's pods), which carry the store's name label too.
	pods := func(area, name string) []netpol.Workload {
		var out []netpol.Workload
		for _, wl := range workloads {
			if (wl.Kind != netpol.KindAddon || area == "data") && wl.Namespace == ns(area) && wl.Labels[generate.LabelName] == name {
				out = append(out, wl)
			}
		}
		return out
	}
	// receivers leaves out the pods that run to completion (a service's
	// migration Job carries its name label): they listen on no port, so
	// nothing is promised to reach them.
	receivers := func(wls []netpol.Workload) []netpol.Workload {
		var out []netpol.Workload
		for _, wl := range wls {
			if wl.Kind != "Job" && wl.Kind != "CronJob" {
				out = append(out, wl)
			}
		}
		return out
	}
	var edge []netpol.Workload
	for _, wl := range workloads {
		if wl.Kind == netpol.KindAddon && (wl.Namespace == ns("edge") || wl.Name == netpol.GatewayProxy) {
			edge = append(edge, wl)
		}
	}
	services := map[string]*spec.Service{}
	for i := range p.Spec.Services {
		services[p.Spec.Services[i].Name] = &p.Spec.Services[i]
	}
	stores := map[string]*spec.DataStore{}
	for i := range p.Spec.Data {
		stores[p.Spec.Data[i].Name] = &p.Spec.Data[i]
	}
	var out []declaredConn
	add := func(from, to []netpol.Workload, port int32, why string) {
		for _, f := range from {
			for _, t := range to {
				out = append(out, declaredConn{netpol.Connection{From: f.Ref, To: t.Ref, Port: int64(port), Protocol: "TCP"}, why})
			}
		}
	}
	for _, svc := range p.Spec.Services {
		from := pods("apps", svc.Name)
		for _, u := range svc.Uses {
			ds := stores[u]
			if ds == nil || ds.Mode == spec.ModeManaged {
				continue
			}
			to := ds.Name
			if ds.Type == spec.DataFerretDB {
				to = generate.FerretDBProxy(ds.Name) // its FerretDB
			}
			add(from, pods("data", to), spec.DataPorts[ds.Type], "uses "+ds.Name)
			// Under the Redis operator, clients ask its Sentinels for
			// the primary (the environments without them have none).
			add(from, pods("data", generate.RedisSentinels(ds.Name)), generate.RedisSentinelPort, "uses "+ds.Name+", asks its Sentinels")
		}
		for _, c := range svc.Calls {
			callee := services[c.Service]
			if callee == nil {
				continue
			}
			if port, ok := spec.CallPort(callee, c.Port); ok {
				add(from, receivers(pods("apps", callee.Name)), port, "calls "+callee.Name)
			}
		}
		if svc.Expose != nil {
			_, port := svc.ServicePort()
			add(edge, receivers(from), port, "exposed at the edge")
		}
	}
	return out
}
