// Package netpol evaluates Kubernetes NetworkPolicies (and Cilium's, see
// readCiliumPolicy) over a set of built objects: which workload may open a
// connection to which other workload, on which port, and which workloads
// the policies let talk to what is not a workload: addresses outside the
// cluster (ipBlock peers), DNS names (toFQDNs) and the API server as
// Cilium names it (toEntities kube-apiserver).
//
// The semantics are the API's: a pod is isolated in a direction once any
// policy with that policyType selects it, and then only what some selecting
// policy allows passes; a connection passes when the sender's egress and the
// receiver's ingress both allow it. Peers are namespaceSelector and
// podSelector (with matchLabels and matchExpressions), ports are numbers,
// ranges (endPort) or names resolved against the receiving pod's container
// ports, per protocol.
//
// The evaluator works on the objects, not on the spec that produced them,
// so what it answers is what a cluster enforces; the reachability tests and
// `platformctl graph` both rely on that.
package netpol

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/mesh"
)

// Ingress and Egress are the two directions a policy can isolate.
const (
	Ingress = "Ingress"
	Egress  = "Egress"
)

// KindAddon is the Kind of a Workload the evaluator models rather than
// reads: the pods of components a platform installs next to platformctl's
// objects (see addons).
const KindAddon = "Addon"

// Ref names a workload.
type Ref struct {
	Namespace, Name string
}

func (r Ref) String() string { return r.Namespace + "/" + r.Name }

func (r Ref) compare(o Ref) int {
	return cmp.Or(cmp.Compare(r.Namespace, o.Namespace), cmp.Compare(r.Name, o.Name))
}

// Port is a port a workload's containers listen on.
type Port struct {
	Number   int64
	Name     string // empty when the container port has none
	Protocol string // TCP, UDP or SCTP
}

// Workload is the pod template of a workload object (or a modelled add-on
// pod): where it runs, the labels policies select it by, its ports.
type Workload struct {
	Ref
	// Kind is the object's kind (Deployment, StatefulSet, CronJob, …), or
	// KindAddon.
	Kind   string
	Labels map[string]string
	Ports  []Port
}

// Connection is one (sender, receiver, port) the policies allow.
type Connection struct {
	From, To Ref
	Port     int64
	Protocol string
	// Mesh marks the receiver's mesh port (MeshPortName), through which a
	// meshed sender's connections to its other ports travel.
	Mesh bool
}

// String is "ns/from -> ns/to:port", with "/PROTO" after the port unless
// it is TCP.
func (c Connection) String() string {
	s := fmt.Sprintf("%s -> %s:%d", c.From, c.To, c.Port)
	if c.Protocol != "TCP" {
		s += "/" + c.Protocol
	}
	return s
}

// External is traffic between a workload and what is not a workload of
// the objects that a peer allows (addresses outside the cluster, a DNS
// name, the API server entity), or that nothing restricts.
type External struct {
	Workload Ref
	// Direction is Egress (the workload connects out) or Ingress (outside
	// addresses connect to it).
	Direction string
	// CIDR and Except are the ipBlock's; a workload not isolated in the
	// direction gets 0.0.0.0/0 and ::/0.
	CIDR   string
	Except []string
	// Host is, instead of a CIDR, the DNS name (or Cilium pattern) of a
	// CiliumNetworkPolicy's toFQDNs: the addresses the workload's own
	// lookups of it return.
	Host string
	// Entity is, instead of a CIDR or host, the Cilium entity a
	// CiliumNetworkPolicy's toEntities or fromEntities names (only
	// EntityKubeAPIServer is read): the API server, whatever its
	// addresses.
	Entity string
	// Port is the port at the far end for Egress and the workload's port
	// for Ingress; 0 means every port. EndPort ends a range.
	Port, EndPort int64
	// PortName is set instead of Port when a rule names a port.
	PortName string
	Protocol string
}

// String is "ns/name -> CIDR:port" for egress and "CIDR -> ns/name:port"
// for ingress; "*" is every port.
func (e External) String() string {
	far := e.Far()
	port := e.portString()
	if e.Direction == Ingress {
		return fmt.Sprintf("%s -> %s:%s", far, e.Workload, port)
	}
	return fmt.Sprintf("%s -> %s:%s", e.Workload, far, port)
}

// Far is the outside end: the entity, the host, or the CIDR with
// " except " and its excepts.
func (e External) Far() string {
	if e.Entity != "" {
		return e.Entity
	}
	if e.Host != "" {
		return e.Host
	}
	far := e.CIDR
	if len(e.Except) > 0 {
		far += " except " + strings.Join(e.Except, ",")
	}
	return far
}

func (e External) portString() string {
	s := "*"
	switch {
	case e.PortName != "":
		s = e.PortName
	case e.EndPort != 0:
		s = fmt.Sprintf("%d-%d", e.Port, e.EndPort)
	case e.Port != 0:
		s = strconv.FormatInt(e.Port, 10)
	}
	if e.Protocol != "TCP" {
		s += "/" + e.Protocol
	}
	return s
}

type policy struct {
	ns       string
	selector map[string]any
	types    map[string]bool
	ingress  []rule
	egress   []rule
}

type rule struct {
	peers []any
	ports []any
}

// World is the workloads and policies of one set of objects.
type World struct {
	workloads []Workload
	policies  []policy
	nsLabels  map[string]map[string]string
	// nsAnnotations are the namespaces' annotations, where linkerd's
	// enrolment is written.
	nsAnnotations map[string]map[string]string
}

// Workloads returns the workloads, sorted by namespace and name.
func (w *World) Workloads() []Workload { return slices.Clone(w.workloads) }

// Load reads the namespaces, NetworkPolicies, CiliumNetworkPolicies (see
// readCiliumPolicy) and workloads (Deployment,
// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) of objs, and adds
// the add-on pods the objects imply. A policy or workload whose fields have
// the wrong shape is an error naming it.
func Load(objs []manifest.Map) (*World, error) {
	w := &World{nsLabels: map[string]map[string]string{}, nsAnnotations: map[string]map[string]string{}}
	podAnnotations := map[Ref]map[string]string{}
	w.workloads = append(w.workloads, addons(objs)...)
	for _, m := range objs {
		kind := manifest.String(m, "kind")
		ns := manifest.String(m, "metadata", "namespace")
		name := manifest.String(m, "metadata", "name")
		switch kind {
		case "Namespace":
			l := strMap(manifest.Get(m, "metadata", "labels"))
			// The API server sets this label itself; policies rely on it.
			l["kubernetes.io/metadata.name"] = name
			w.nsLabels[name] = l
			w.nsAnnotations[name] = strMap(manifest.Get(m, "metadata", "annotations"))
		case "NetworkPolicy":
			p, err := readPolicy(m)
			if err != nil {
				return nil, fmt.Errorf("NetworkPolicy %s/%s: %w", ns, name, err)
			}
			w.policies = append(w.policies, p)
		case "CiliumNetworkPolicy":
			ps, err := readCiliumPolicy(m)
			if err != nil {
				return nil, fmt.Errorf("CiliumNetworkPolicy %s/%s: %w", ns, name, err)
			}
			w.policies = append(w.policies, ps...)
		default:
			tmpl := podTemplate(m)
			if tmpl == nil {
				continue
			}
			wl := Workload{Ref: Ref{ns, name}, Kind: kind, Labels: strMap(manifest.Get(tmpl, "metadata", "labels"))}
			ports, err := podPorts(asMap(tmpl["spec"]))
			if err != nil {
				return nil, fmt.Errorf("%s %s/%s: %w", kind, ns, name, err)
			}
			wl.Ports = ports
			w.workloads = append(w.workloads, wl)
			podAnnotations[wl.Ref] = strMap(manifest.Get(tmpl, "metadata", "annotations"))
		}
	}
	// A meshed pod also listens on its mesh's inbound port, where other
	// meshed pods' connections arrive (Istio ambient's HBONE tunnels,
	// linkerd's opaque transport): the policies must let those through.
	for i := range w.workloads {
		wl := &w.workloads[i]
		if n := mesh.InboundPort(w.nsLabels[wl.Namespace], w.nsAnnotations[wl.Namespace], wl.Labels, podAnnotations[wl.Ref]); n != 0 {
			wl.Ports = append(wl.Ports, Port{Number: int64(n), Name: MeshPortName, Protocol: "TCP"})
		}
	}
	slices.SortStableFunc(w.workloads, func(a, b Workload) int { return a.compare(b.Ref) })
	return w, nil
}

// MeshPortName names the inbound port of a meshed workload (see
// mesh.InboundPort), which no container declares.
const MeshPortName = "mesh"

// GatewayProxy names the modelled pods of a Gateway implementation.
const GatewayProxy = "gateway-proxy"

// addons are the pods of the components a platform installs next to
// platformctl's objects, which the policies admit or confine: the edge
// controller (as a Gateway implementation labels its proxies, or
// ingress-nginx's controller when the edge policy selects it), the data
// operators' pods (CloudNativePG's instances, the Redis operator's Redis
// and Sentinel pods), Prometheus and Grafana (whose policies platformctl
// renders).
func addons(objs []manifest.Map) []Workload {
	var out []Workload
	tcp := func(ns ...int64) []Port {
		var ps []Port
		for _, n := range ns {
			ps = append(ps, Port{Number: n, Protocol: "TCP"})
		}
		return ps
	}
	for _, m := range objs {
		ns := manifest.String(m, "metadata", "namespace")
		kind, name := manifest.String(m, "kind"), manifest.String(m, "metadata", "name")
		switch {
		case kind == "Gateway" && manifest.String(m, "spec", "infrastructure", "parametersRef", "kind") != "EnvoyProxy":
			out = append(out, Workload{Ref: Ref{ns, GatewayProxy}, Kind: KindAddon, Ports: tcp(8080, 8443),
				Labels: map[string]string{"gateway.networking.k8s.io/gateway-name": name}})
		case kind == "EnvoyProxy":
			// Envoy Gateway runs a Gateway's proxies in its own namespace
			// (the EnvoyProxy's annotation says which), labelled with the
			// Gateway's name and namespace; they listen on 10080/10443 and
			// serve metrics on 19001. The EnvoyProxy is named after its
			// Gateway.
			if pns := manifest.String(m, "metadata", "annotations", "platformctl.dev/proxy-namespace"); pns != "" {
				out = append(out, Workload{Ref: Ref{pns, GatewayProxy}, Kind: KindAddon, Ports: tcp(10080, 10443, 19001),
					Labels: map[string]string{"gateway.envoyproxy.io/owning-gateway-name": name, "gateway.envoyproxy.io/owning-gateway-namespace": ns}})
			}
		case kind == "NetworkPolicy" && name == "edge-controller" &&
			manifest.Get(m, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "ingress-nginx":
			out = append(out, Workload{Ref: Ref{ns, "ingress-nginx"}, Kind: KindAddon, Ports: tcp(80, 443),
				Labels: map[string]string{"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}})
		case kind == "Cluster" && strings.HasPrefix(manifest.String(m, "apiVersion"), "postgresql.cnpg.io/"):
			// CloudNativePG runs a Cluster's instances as pods it creates
			// itself, with the Cluster's inherited labels; they serve
			// PostgreSQL, the instance manager's status and metrics. (The
			// operator, in its own namespace and unconfined by platformctl,
			// is not modelled: it could reach every unisolated pod.)
			labels := strMap(manifest.Get(m, "spec", "inheritedMetadata", "labels"))
			if labels == nil {
				labels = map[string]string{}
			}
			labels["cnpg.io/cluster"] = name
			out = append(out, Workload{Ref: Ref{ns, name}, Kind: KindAddon, Ports: tcp(5432, 8000, 9187), Labels: labels})
		case (kind == "RedisReplication" || kind == "RedisSentinel") && strings.HasPrefix(manifest.String(m, "apiVersion"), "redis.redis.opstreelabs.in/"):
			// The OT redis-operator runs a RedisReplication's pods (Redis
			// and its exporter sidecar) and a RedisSentinel's Sentinels
			// (StatefulSet <name>-sentinel) with the resource's labels and
			// its own.
			labels := strMap(manifest.Get(m, "metadata", "labels"))
			if labels == nil {
				labels = map[string]string{}
			}
			ref, ports, setup := Ref{ns, name}, tcp(6379, 9121), "replication"
			if kind == "RedisSentinel" {
				ref, ports, setup = Ref{ns, name + "-sentinel"}, tcp(26379), "sentinel"
			}
			labels["app"], labels["redis_setup_type"], labels["role"] = ref.Name, setup, setup
			out = append(out, Workload{Ref: ref, Kind: KindAddon, Ports: ports, Labels: labels})
		case kind == "NetworkPolicy" && name == "prometheus":
			out = append(out,
				Workload{Ref: Ref{ns, "prometheus"}, Kind: KindAddon, Ports: tcp(9090), Labels: map[string]string{"app.kubernetes.io/name": "prometheus"}},
				Workload{Ref: Ref{ns, "grafana"}, Kind: KindAddon, Ports: tcp(3000), Labels: map[string]string{"app.kubernetes.io/name": "grafana"}})
		}
	}
	return out
}

func readPolicy(m manifest.Map) (policy, error) {
	spec := asMap(m["spec"])
	p := policy{ns: manifest.String(m, "metadata", "namespace"), selector: asMap(spec["podSelector"]), types: map[string]bool{}}
	if p.selector == nil {
		// An absent podSelector is the empty one: every pod of the namespace.
		p.selector = map[string]any{}
	}
	for _, ty := range asList(spec["policyTypes"]) {
		s, ok := ty.(string)
		if !ok || (s != Ingress && s != Egress) {
			return p, fmt.Errorf("spec.policyTypes: %v is neither Ingress nor Egress", ty)
		}
		p.types[s] = true
	}
	if spec["policyTypes"] == nil {
		// The API's default: Ingress always, Egress when there are egress rules.
		p.types[Ingress] = true
		p.types[Egress] = spec["egress"] != nil
	}
	for _, r := range asList(spec["ingress"]) {
		p.ingress = append(p.ingress, rule{peers: asList(asMap(r)["from"]), ports: asList(asMap(r)["ports"])})
	}
	for _, r := range asList(spec["egress"]) {
		p.egress = append(p.egress, rule{peers: asList(asMap(r)["to"]), ports: asList(asMap(r)["ports"])})
	}
	return p, nil
}

// podTemplate returns the pod template of a workload (CronJobs nest theirs
// in the job template; a Pod is its own), or nil.
func podTemplate(m manifest.Map) manifest.Map {
	switch manifest.String(m, "kind") {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout":
		return asMap(manifest.Get(m, "spec", "template"))
	case "CronJob":
		return asMap(manifest.Get(m, "spec", "jobTemplate", "spec", "template"))
	case "Pod":
		return m
	}
	return nil
}

// podPorts lists the container ports of a pod spec: its containers' and its
// sidecars' (init containers that keep running, restartPolicy Always).
func podPorts(podSpec map[string]any) ([]Port, error) {
	var out []Port
	containers := asList(podSpec["containers"])
	for _, c := range asList(podSpec["initContainers"]) {
		if asMap(c)["restartPolicy"] == "Always" {
			containers = append(containers, c)
		}
	}
	for _, c := range containers {
		for _, cp := range asList(asMap(c)["ports"]) {
			pm := asMap(cp)
			n, ok := number(pm["containerPort"])
			if !ok {
				return nil, fmt.Errorf("container %v: containerPort %v is not a number", asMap(c)["name"], pm["containerPort"])
			}
			name, _ := pm["name"].(string)
			out = append(out, Port{Number: n, Name: name, Protocol: protocol(pm["protocol"])})
		}
	}
	return out, nil
}

func protocol(v any) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return "TCP"
}

// number reads an integer as JSON decoding (json.Number, float64) or YAML
// decoding (int, int64, uint64) leaves it.
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		return int64(n), true //nolint:gosec // a port, far below 2^63
	case float64:
		return int64(n), float64(int64(n)) == n
	}
	return 0, false
}

// Allowed returns every connection the policies allow between two
// different workloads, to each port the receiver listens on, sorted by
// sender, receiver, port and protocol.
func (w *World) Allowed() []Connection {
	var out []Connection
	for _, src := range w.workloads {
		for _, dst := range w.workloads {
			if src.Ref == dst.Ref {
				continue
			}
			for _, port := range dst.Ports {
				if w.allows(Egress, src, dst, port) && w.allows(Ingress, dst, src, port) {
					out = append(out, Connection{From: src.Ref, To: dst.Ref, Port: port.Number, Protocol: port.Protocol, Mesh: port.Name == MeshPortName})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Connection) int {
		return cmp.Or(a.From.compare(b.From), a.To.compare(b.To), cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol))
	})
	return slices.CompactFunc(out, func(a, b Connection) bool { return a == b })
}

// allows evaluates one direction: the policies of target's namespace that
// select target and isolate dir; other is the far end, port the receiver's.
func (w *World) allows(dir string, target, other Workload, port Port) bool {
	isolated := false
	for _, pol := range w.policies {
		if pol.ns != target.Namespace || !pol.types[dir] || !Selects(pol.selector, target.Labels) {
			continue
		}
		isolated = true
		rules := pol.ingress
		if dir == Egress {
			rules = pol.egress
		}
		for _, r := range rules {
			if w.peerAllows(r.peers, other, pol.ns) && portAllows(r.ports, port) {
				return true
			}
		}
	}
	return !isolated
}

// peerAllows says whether a rule's peers admit p (an empty list admits
// all). ipBlock peers never admit a workload: pod addresses are the
// cluster's business, and the API leaves matching them to the network
// plugin, so a cluster-internal path that exists only through an ipBlock
// is not one to rely on. Host and entity peers name no workload either.
func (w *World) peerAllows(peers []any, p Workload, policyNS string) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		pm := asMap(peer)
		if pm["ipBlock"] != nil || pm["host"] != nil || pm["entity"] != nil {
			continue
		}
		nsOK := p.Namespace == policyNS
		if pm["namespaceSelector"] != nil {
			nsOK = Selects(asMap(pm["namespaceSelector"]), w.namespaceLabels(p.Namespace))
		}
		podOK := pm["podSelector"] == nil || Selects(asMap(pm["podSelector"]), p.Labels)
		if nsOK && podOK {
			return true
		}
	}
	return false
}

// namespaceLabels are a namespace's labels; one the objects do not create
// (kube-system) still has the label the API server sets on every namespace.
func (w *World) namespaceLabels(ns string) map[string]string {
	if l, ok := w.nsLabels[ns]; ok {
		return l
	}
	return map[string]string{"kubernetes.io/metadata.name": ns}
}

// portAllows says whether a rule's ports admit port (an empty list admits
// every port). A number matches the port or, with endPort, a range; a name
// matches the receiver's container port of that name; a rule port without
// port matches every port of its protocol.
func portAllows(ports []any, port Port) bool {
	if len(ports) == 0 {
		return true
	}
	for _, pp := range ports {
		pm := asMap(pp)
		if protocol(pm["protocol"]) != port.Protocol {
			continue
		}
		switch v := pm["port"].(type) {
		case nil:
			return true
		case string:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				if n == port.Number {
					return true
				}
			} else if v == port.Name && port.Name != "" {
				return true
			}
		default:
			n, ok := number(v)
			if !ok {
				continue
			}
			end, hasEnd := number(pm["endPort"])
			if n == port.Number || (hasEnd && n <= port.Number && port.Number <= end) {
				return true
			}
		}
	}
	return false
}

// External returns the traffic between workloads and what is not one that
// the policies allow: one entry per ipBlock, host or entity peer and port
// of a rule of a policy selecting the workload, and 0.0.0.0/0 and ::/0 on
// every port for a workload not isolated in a direction. Add-on pods are
// left out of the unrestricted case: their real policies are not
// platformctl's. Sorted by workload, direction, far end and port.
func (w *World) External() []External {
	var out []External
	for _, wl := range w.workloads {
		for _, dir := range []string{Egress, Ingress} {
			isolated := false
			for _, pol := range w.policies {
				if pol.ns != wl.Namespace || !pol.types[dir] || !Selects(pol.selector, wl.Labels) {
					continue
				}
				isolated = true
				rules := pol.ingress
				if dir == Egress {
					rules = pol.egress
				}
				for _, r := range rules {
					out = append(out, externalPeers(wl.Ref, dir, r)...)
				}
			}
			if !isolated && wl.Kind != KindAddon {
				for _, cidr := range []string{"0.0.0.0/0", "::/0"} {
					out = append(out, External{Workload: wl.Ref, Direction: dir, CIDR: cidr, Protocol: "TCP"})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b External) int {
		return cmp.Or(a.Workload.compare(b.Workload), cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Entity, b.Entity), cmp.Compare(a.Host, b.Host), cmp.Compare(a.CIDR, b.CIDR),
			slices.Compare(a.Except, b.Except), cmp.Compare(a.Port, b.Port), cmp.Compare(a.EndPort, b.EndPort),
			cmp.Compare(a.PortName, b.PortName), cmp.Compare(a.Protocol, b.Protocol))
	})
	return slices.CompactFunc(out, func(a, b External) bool { return a.String() == b.String() })
}

// externalPeers are the External entries of one rule's ipBlock, host and
// entity peers, one per port.
func externalPeers(wl Ref, dir string, r rule) []External {
	var out []External
	for _, peer := range r.peers {
		var base External
		if entity, ok := asMap(peer)["entity"].(string); ok {
			base = External{Workload: wl, Direction: dir, Entity: entity, Protocol: "TCP"}
		} else if host, ok := asMap(peer)["host"].(string); ok {
			base = External{Workload: wl, Direction: dir, Host: host, Protocol: "TCP"}
		} else {
			ib := asMap(asMap(peer)["ipBlock"])
			if ib == nil {
				continue
			}
			cidr, _ := ib["cidr"].(string)
			var except []string
			for _, e := range asList(ib["except"]) {
				s, _ := e.(string)
				except = append(except, s)
			}
			slices.Sort(except)
			base = External{Workload: wl, Direction: dir, CIDR: cidr, Except: except, Protocol: "TCP"}
		}
		if len(r.ports) == 0 {
			out = append(out, base)
			continue
		}
		for _, pp := range r.ports {
			pm := asMap(pp)
			e := base
			e.Protocol = protocol(pm["protocol"])
			switch v := pm["port"].(type) {
			case string:
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					e.Port = n
				} else {
					e.PortName = v
				}
			default:
				e.Port, _ = number(v)
				e.EndPort, _ = number(pm["endPort"])
			}
			out = append(out, e)
		}
	}
	return out
}

// Selects evaluates a LabelSelector (matchLabels and matchExpressions, as
// decoded from JSON or YAML) against labels; nil selects nothing, {}
// everything.
func Selects(sel map[string]any, labels map[string]string) bool {
	if sel == nil {
		return false
	}
	for k, v := range strMap(sel["matchLabels"]) {
		if labels[k] != v {
			return false
		}
	}
	for _, e := range asList(sel["matchExpressions"]) {
		em := asMap(e)
		key, _ := em["key"].(string)
		v, has := labels[key]
		in := false
		for _, x := range asList(em["values"]) {
			in = in || x == v
		}
		switch em["operator"] {
		case "In":
			if !has || !in {
				return false
			}
		case "NotIn":
			if has && in {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		default:
			// An operator the API does not know selects nothing rather
			// than everything: the safe reading of a policy the API
			// server would have refused.
			return false
		}
	}
	return true
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asList(v any) []any { l, _ := v.([]any); return l }

func strMap(v any) map[string]string {
	out := map[string]string{}
	for k, x := range asMap(v) {
		out[k], _ = x.(string)
	}
	return out
}
