package netpol_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/netpol"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

func ns(name string, labels map[string]any) manifest.Map {
	return manifest.Map{"kind": "Namespace", "metadata": manifest.Map{"name": name, "labels": labels}}
}

// deploy is a Deployment whose pods carry app=name and listen on ports.
func deploy(namespace, name string, ports ...manifest.Map) manifest.Map {
	var ps []any
	for _, p := range ports {
		ps = append(ps, p)
	}
	return manifest.Map{"kind": "Deployment", "metadata": manifest.Map{"name": name, "namespace": namespace},
		"spec": manifest.Map{"template": manifest.Map{
			"metadata": manifest.Map{"labels": manifest.Map{"app": name}},
			"spec":     manifest.Map{"containers": []any{manifest.Map{"name": "main", "ports": ps}}},
		}}}
}

func port(n int, name string) manifest.Map {
	p := manifest.Map{"containerPort": n}
	if name != "" {
		p["name"] = name
	}
	return p
}

func policy(namespace, app string, spec manifest.Map) manifest.Map {
	sel := manifest.Map{}
	if app != "" {
		sel = manifest.Map{"matchLabels": manifest.Map{"app": app}}
	}
	spec["podSelector"] = sel
	return manifest.Map{"kind": "NetworkPolicy", "metadata": manifest.Map{"name": "p-" + app, "namespace": namespace}, "spec": spec}
}

var denyAll = manifest.Map{"policyTypes": []any{"Ingress", "Egress"}}

func podPeer(app string) manifest.Map {
	return manifest.Map{"podSelector": manifest.Map{"matchLabels": manifest.Map{"app": app}}}
}

func rules(key string, peers []any, ports ...any) []any {
	r := manifest.Map{key: peers}
	if len(ports) > 0 {
		r["ports"] = ports
	}
	return []any{r}
}

func tcp(p any) manifest.Map { return manifest.Map{"port": p, "protocol": "TCP"} }

func clone(m manifest.Map) manifest.Map {
	out := manifest.Map{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestAllowed(t *testing.T) {
	web, api := deploy("a", "web", port(8080, "http")), deploy("a", "api", port(9090, "grpc"), port(9464, "metrics"))
	webToAPI := policy("a", "web", manifest.Map{"policyTypes": []any{"Egress"}, "egress": rules("to", []any{podPeer("api")}, tcp(9090))})
	apiFromWeb := policy("a", "api", manifest.Map{"policyTypes": []any{"Ingress"}, "ingress": rules("from", []any{podPeer("web")}, tcp(9090))})
	tests := []struct {
		name string
		objs []manifest.Map
		want []string
	}{
		{"no policy: every pod reaches every port", []manifest.Map{web, api}, []string{
			"a/api -> a/web:8080", "a/web -> a/api:9090", "a/web -> a/api:9464"}},
		{"default deny: nothing", []manifest.Map{web, api, policy("a", "", clone(denyAll))}, nil},
		{"egress and ingress both allow", []manifest.Map{web, api, policy("a", "", clone(denyAll)), webToAPI, apiFromWeb},
			[]string{"a/web -> a/api:9090"}},
		{"egress alone is not enough", []manifest.Map{web, api, policy("a", "", clone(denyAll)), webToAPI}, nil},
		{"ingress alone is not enough", []manifest.Map{web, api, policy("a", "", clone(denyAll)), apiFromWeb}, nil},
		{"an ingress policy isolates only ingress", []manifest.Map{web, api, apiFromWeb},
			[]string{"a/api -> a/web:8080", "a/web -> a/api:9090"}},
		{"policyTypes absent: Ingress, and Egress with egress rules", []manifest.Map{web, api,
			policy("a", "api", manifest.Map{}), policy("a", "web", manifest.Map{"egress": []any{}})}, nil},
		{"named port matches the receiver's port of that name", []manifest.Map{web, api,
			policy("a", "api", manifest.Map{"ingress": rules("from", nil, tcp("metrics"))})},
			[]string{"a/api -> a/web:8080", "a/web -> a/api:9464"}},
		{"a name the receiver lacks matches nothing", []manifest.Map{web, api,
			policy("a", "api", manifest.Map{"ingress": rules("from", nil, tcp("admin"))})},
			[]string{"a/api -> a/web:8080"}},
		{"endPort is a range", []manifest.Map{web, api,
			policy("a", "api", manifest.Map{"ingress": rules("from", nil, manifest.Map{"port": 9000, "endPort": 9400})})},
			[]string{"a/api -> a/web:8080", "a/web -> a/api:9090"}},
		{"another protocol does not match", []manifest.Map{web, api,
			policy("a", "api", manifest.Map{"ingress": rules("from", nil, manifest.Map{"port": 9090, "protocol": "UDP"})})},
			[]string{"a/api -> a/web:8080"}},
		{"ipBlock peers do not admit pods", []manifest.Map{web, api,
			policy("a", "api", manifest.Map{"ingress": rules("from", []any{manifest.Map{"ipBlock": manifest.Map{"cidr": "0.0.0.0/0"}}})})},
			[]string{"a/api -> a/web:8080"}},
		{"podSelector alone means the policy's namespace", []manifest.Map{web, deploy("b", "api", port(9090, "")),
			policy("b", "api", manifest.Map{"ingress": rules("from", []any{podPeer("web")})})}, []string{"b/api -> a/web:8080"}},
		{"namespaceSelector picks namespaces by label", []manifest.Map{ns("a", manifest.Map{"team": "x"}), web, deploy("b", "api", port(9090, "")),
			policy("b", "api", manifest.Map{"ingress": rules("from", []any{manifest.Map{"namespaceSelector": manifest.Map{"matchLabels": manifest.Map{"team": "x"}}}})})},
			[]string{"a/web -> b/api:9090", "b/api -> a/web:8080"}},
		{"namespaceSelector and podSelector in one peer both apply", []manifest.Map{web, deploy("a", "other", port(1, "")), deploy("b", "api", port(9090, "")),
			policy("b", "api", manifest.Map{"ingress": rules("from", []any{manifest.Map{
				"namespaceSelector": manifest.Map{"matchLabels": manifest.Map{"kubernetes.io/metadata.name": "a"}},
				"podSelector":       manifest.Map{"matchExpressions": []any{manifest.Map{"key": "app", "operator": "NotIn", "values": []any{"other"}}}},
			}})})},
			[]string{"a/other -> a/web:8080", "a/web -> a/other:1", "a/web -> b/api:9090", "b/api -> a/other:1", "b/api -> a/web:8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := netpol.Load(tt.objs)
			require.NoError(t, err)
			var got []string
			for _, c := range w.Allowed() {
				got = append(got, c.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestExternal(t *testing.T) {
	web := deploy("a", "web", port(8080, ""))
	tests := []struct {
		name string
		objs []manifest.Map
		want []string
	}{
		{"unrestricted both ways", []manifest.Map{web}, []string{
			"a/web -> 0.0.0.0/0:*", "a/web -> ::/0:*", "0.0.0.0/0 -> a/web:*", "::/0 -> a/web:*"}},
		{"default deny: none", []manifest.Map{web, policy("a", "", clone(denyAll))}, nil},
		{"ipBlock egress per port, with except", []manifest.Map{web, policy("a", "", clone(denyAll)), policy("a", "web", manifest.Map{
			"policyTypes": []any{"Egress"},
			"egress": rules("to", []any{manifest.Map{"ipBlock": manifest.Map{"cidr": "0.0.0.0/0", "except": []any{"10.0.0.0/8", "169.254.169.254/32"}}}},
				tcp(443), manifest.Map{"port": 53, "protocol": "UDP"}),
		})}, []string{"a/web -> 0.0.0.0/0 except 10.0.0.0/8,169.254.169.254/32:53/UDP", "a/web -> 0.0.0.0/0 except 10.0.0.0/8,169.254.169.254/32:443"}},
		{"ipBlock ingress", []manifest.Map{web, policy("a", "", clone(denyAll)), policy("a", "web", manifest.Map{
			"ingress": rules("from", []any{manifest.Map{"ipBlock": manifest.Map{"cidr": "203.0.113.0/24"}}}, tcp(8080)),
		})}, []string{"203.0.113.0/24 -> a/web:8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := netpol.Load(tt.objs)
			require.NoError(t, err)
			var got []string
			for _, e := range w.External() {
				got = append(got, e.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLoadRefusesMalformed(t *testing.T) {
	tests := []struct {
		name string
		obj  manifest.Map
		want string
	}{
		{"policy type", policy("a", "web", manifest.Map{"policyTypes": []any{"Sideways"}}), `NetworkPolicy a/p-web: spec.policyTypes: Sideways is neither Ingress nor Egress`},
		{"container port", deploy("a", "web", manifest.Map{"containerPort": "http"}), `Deployment a/web: container main: containerPort http is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := netpol.Load([]manifest.Map{tt.obj})
			assert.EqualError(t, err, tt.want)
		})
	}
}

func shopProduction(t *testing.T) []manifest.Map {
	t.Helper()
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	var out []manifest.Map
	for _, o := range objs {
		out = append(out, o.Map)
	}
	return out
}

// TestNotVacuous proves the evaluator reads the policies: on the shop's
// real objects, one allow removed takes exactly its connection away, and
// without any policy everything reaches everything.
func TestNotVacuous(t *testing.T) {
	objs := shopProduction(t)
	w, err := netpol.Load(objs)
	require.NoError(t, err)
	all := names(w.Allowed())
	require.Contains(t, all, "apps/web -> data/cache:6379")
	require.NotContains(t, all, "apps/orders -> apps/web:8080")

	var broken, open []manifest.Map
	for _, m := range objs {
		if manifest.String(m, "kind") == "NetworkPolicy" {
			if manifest.String(m, "metadata", "name") == "cache" {
				// Keep only the scrape rule: web and recommender lose the cache.
				m = clone(m)
				spec := clone(m["spec"].(manifest.Map))
				spec["ingress"] = spec["ingress"].([]any)[1:]
				m["spec"] = spec
			}
		} else {
			open = append(open, m)
		}
		broken = append(broken, m)
	}
	w, err = netpol.Load(broken)
	require.NoError(t, err)
	got := names(w.Allowed())
	assert.Equal(t, len(all)-3, len(got), "web, web-canary and recommender lose the cache")
	assert.NotContains(t, got, "apps/web -> data/cache:6379")

	w, err = netpol.Load(open)
	require.NoError(t, err)
	got = names(w.Allowed())
	assert.Contains(t, got, "apps/orders -> apps/web:8080")
	assert.Greater(t, len(got), 3*len(all))
}

func names(cs []netpol.Connection) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

func cnp(namespace, app string, spec manifest.Map) manifest.Map {
	spec["endpointSelector"] = manifest.Map{"matchLabels": manifest.Map{"k8s:app": app}}
	return manifest.Map{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": manifest.Map{"name": "c-" + app, "namespace": namespace}, "spec": spec}
}

func ciliumPorts(ports ...string) []any {
	var ps []any
	for _, p := range ports {
		ps = append(ps, manifest.Map{"port": p, "protocol": "TCP"})
	}
	return []any{manifest.Map{"ports": ps}}
}

// CiliumNetworkPolicies add to what NetworkPolicies allow, and isolate on
// their own: toEndpoints (with Cilium's namespace label), toFQDNs as
// hosts, toCIDRSet as ipBlocks; a deny rule is refused.
func TestCiliumPolicies(t *testing.T) {
	web, api, db := deploy("a", "web", port(8080, "")), deploy("a", "api", port(9090, "")), deploy("b", "db", port(5432, ""))
	objs := []manifest.Map{web, api, db, policy("a", "", clone(denyAll)), policy("b", "", clone(denyAll)),
		policy("b", "db", manifest.Map{"ingress": rules("from", []any{manifest.Map{"namespaceSelector": manifest.Map{}}}, tcp(5432))}),
		policy("a", "api", manifest.Map{"ingress": rules("from", []any{podPeer("web")}, tcp(9090))}),
		cnp("a", "web", manifest.Map{"egress": []any{
			manifest.Map{"toEndpoints": []any{manifest.Map{"matchLabels": manifest.Map{"k8s:app": "api"}}}, "toPorts": ciliumPorts("9090")},
			manifest.Map{"toEndpoints": []any{manifest.Map{"matchLabels": manifest.Map{"k8s:io.kubernetes.pod.namespace": "b", "app": "db"}}}},
			manifest.Map{"toFQDNs": []any{manifest.Map{"matchName": "api.stripe.com"}, manifest.Map{"matchPattern": "*.stripe.com"}}, "toPorts": ciliumPorts("443")},
			manifest.Map{"toCIDRSet": []any{manifest.Map{"cidr": "10.20.0.0/16", "except": []any{"10.20.1.0/24"}}}, "toPorts": ciliumPorts("5432")},
		}}),
		// Isolates api's egress with nothing allowed: api reaches nothing.
		cnp("a", "api", manifest.Map{"egress": []any{}}),
	}
	w, err := netpol.Load(objs)
	require.NoError(t, err)
	var got []string
	for _, c := range w.Allowed() {
		got = append(got, c.String())
	}
	assert.Equal(t, []string{"a/web -> a/api:9090", "a/web -> b/db:5432"}, got)
	got = nil
	for _, e := range w.External() {
		if e.Direction == netpol.Egress {
			got = append(got, e.String())
		}
	}
	assert.Equal(t, []string{"a/web -> 10.20.0.0/16 except 10.20.1.0/24:5432", "a/web -> *.stripe.com:443", "a/web -> api.stripe.com:443"}, got)

	_, err = netpol.Load([]manifest.Map{cnp("a", "web", manifest.Map{"egressDeny": []any{manifest.Map{"toEntities": []any{"world"}}}})})
	assert.EqualError(t, err, "CiliumNetworkPolicy a/c-web: rule 0: egressDeny is not evaluated")
	_, err = netpol.Load([]manifest.Map{cnp("a", "web", manifest.Map{"egress": []any{manifest.Map{"toServices": []any{}}}})})
	assert.EqualError(t, err, "CiliumNetworkPolicy a/c-web: rule 0: egress[0]: toServices is not evaluated")
}

// TestCiliumEntities: toEntities and fromEntities kube-apiserver are an
// entity peer External reports, per port, and no workload (not even one
// of the policy's namespace); world is every outside address; the
// entities the evaluator cannot place are refused.
func TestCiliumEntities(t *testing.T) {
	web, api := deploy("a", "web", port(8080, "")), deploy("a", "api", port(9090, ""))
	entities := func(dir string, es ...any) manifest.Map { return manifest.Map{dir + "Entities": es} }
	withPorts := func(r manifest.Map, ports ...string) manifest.Map { r["toPorts"] = ciliumPorts(ports...); return r }
	tests := []struct {
		name      string
		spec      manifest.Map
		want      []string // External of a/web
		wantError string
	}{
		{"the API server on its ports", manifest.Map{"egress": []any{withPorts(entities("to", "kube-apiserver"), "443", "6443")}},
			[]string{"a/web -> kube-apiserver:443", "a/web -> kube-apiserver:6443"}, ""},
		{"the API server on every port", manifest.Map{"egress": []any{entities("to", "kube-apiserver")}},
			[]string{"a/web -> kube-apiserver:*"}, ""},
		{"next to world", manifest.Map{"egress": []any{withPorts(entities("to", "world", "kube-apiserver"), "443")}},
			[]string{"a/web -> 0.0.0.0/0:443", "a/web -> ::/0:443", "a/web -> kube-apiserver:443"}, ""},
		{"the API server calling in (a webhook)", manifest.Map{"ingress": []any{withPorts(entities("from", "kube-apiserver"), "8080")}},
			[]string{"kube-apiserver -> a/web:8080"}, ""},
		{"host", manifest.Map{"egress": []any{entities("to", "host")}}, nil,
			"CiliumNetworkPolicy a/c-web: rule 0: egress[0]: toEntities host is not evaluated"},
		{"remote-node", manifest.Map{"egress": []any{entities("to", "remote-node")}}, nil,
			"CiliumNetworkPolicy a/c-web: rule 0: egress[0]: toEntities remote-node is not evaluated"},
		{"cluster, after the API server", manifest.Map{"egress": []any{entities("to", "kube-apiserver", "cluster")}}, nil,
			"CiliumNetworkPolicy a/c-web: rule 0: egress[0]: toEntities cluster is not evaluated"},
		{"all, calling in", manifest.Map{"ingress": []any{entities("from", "all")}}, nil,
			"CiliumNetworkPolicy a/c-web: rule 0: ingress[0]: fromEntities all is not evaluated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := netpol.Load([]manifest.Map{web, api, cnp("a", "web", tt.spec)})
			if tt.wantError != "" {
				assert.EqualError(t, err, tt.wantError)
				return
			}
			require.NoError(t, err)
			dir := netpol.Egress
			if tt.spec["ingress"] != nil {
				dir = netpol.Ingress
			}
			var got []string
			for _, e := range w.External() {
				if e.Workload.Name != "web" || e.Direction != dir {
					continue // the other direction is unrestricted
				}
				got = append(got, e.String())
				if e.Far() == netpol.EntityKubeAPIServer {
					assert.Equal(t, netpol.External{Workload: e.Workload, Direction: dir, Entity: netpol.EntityKubeAPIServer,
						Port: e.Port, Protocol: "TCP"}, e, "an entity, not a CIDR or host")
				}
			}
			assert.Equal(t, tt.want, got)
			// The entity is no workload: web's isolated side admits none
			// through it, api of its own namespace included.
			for _, c := range w.Allowed() {
				if dir == netpol.Egress {
					assert.NotEqual(t, "web", c.From.Name, c.String())
				} else {
					assert.NotEqual(t, "web", c.To.Name, c.String())
				}
			}
		})
	}
}
