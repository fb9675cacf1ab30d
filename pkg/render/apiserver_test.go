package render_test

import (
	"encoding/json"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/netpol"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// The API server side of the reachability property: a pod whose
// NetworkPolicy opens the API server (0.0.0.0/0 on 443 and 6443) reaches
// it, with network.cni: cilium, as Cilium names it too (toEntities
// kube-apiserver on the same ports): Cilium gives the API server's
// addresses its kube-apiserver identity, which no ipBlock matches, so
// without that second form the pod cannot reach it. Without Cilium no
// policy names the entity.

// apiServerRule is the NetworkPolicy egress rule that opens the API
// server, as the built objects hold it (numbers as JSON decoding leaves
// them).
var apiServerRule = map[string]any{
	"to":    []any{map[string]any{"ipBlock": map[string]any{"cidr": "0.0.0.0/0"}}},
	"ports": []any{map[string]any{"port": json.Number("443"), "protocol": "TCP"}, map[string]any{"port": json.Number("6443"), "protocol": "TCP"}},
}

// entityRule is the CiliumNetworkPolicy egress rule that opens it.
var entityRule = map[string]any{
	"toEntities": []any{"kube-apiserver"},
	"toPorts":    []any{map[string]any{"ports": []any{map[string]any{"port": "443", "protocol": "TCP"}, map[string]any{"port": "6443", "protocol": "TCP"}}}},
}

// apiServerVariants are the specs the property runs on: each example as it
// is and with cni: cilium, and, where the edge is a Gateway, with the
// generic implementation, whose proxies (public and previews) run in the
// edge namespace under platformctl's policy.
func apiServerVariants(t *testing.T) map[string]*spec.Platform {
	t.Helper()
	out := map[string]*spec.Platform{}
	for _, file := range examples(t) {
		name := path.Base(path.Dir(file))
		for _, v := range []struct {
			suffix string
			edit   func(*spec.Platform) bool
		}{
			{"", func(*spec.Platform) bool { return true }},
			{"+cilium", func(p *spec.Platform) bool {
				if p.Spec.Network.CNI == spec.CNICilium {
					return false // as it is
				}
				p.Spec.Network.CNI = spec.CNICilium
				return true
			}},
			{"+cilium+generic-gateway", func(p *spec.Platform) bool {
				if p.Spec.Edge.API != spec.EdgeGateway {
					return false
				}
				p.Spec.Network.CNI, p.Spec.Edge.Implementation = spec.CNICilium, spec.ImplGeneric
				return true
			}},
		} {
			d, err := spec.LoadAndValidate(file)
			require.NoError(t, err)
			if v.edit(d.Platform) {
				out[name+v.suffix] = d.Platform
			}
		}
	}
	return out
}

// areaOf is the namespace area of a rendered file: base/<area>/… or
// overlays/<env>/<area>/….
func areaOf(file string) string {
	parts := strings.Split(file, "/")
	if len(parts) > 2 && parts[0] == "overlays" {
		return parts[2]
	}
	if len(parts) > 1 {
		return parts[1]
	}
	return file
}

func TestAPIServerEgressHasItsCiliumForm(t *testing.T) {
	seen := map[string]bool{} // the NetworkPolicies that opened the API server, under Cilium
	for name, p := range apiServerVariants(t) {
		cilium := p.Spec.Network.CNI == spec.CNICilium
		for _, env := range p.EnvironmentNames() {
			t.Run(name+"/"+env, func(t *testing.T) {
				objs, err := render.Environment(p, env)
				require.NoError(t, err)
				type policy struct {
					m    manifest.Map
					file string
				}
				nps, cnps := map[string]policy{}, map[string]policy{} // namespace/name
				for _, o := range objs {
					k := manifest.String(o.Map, "metadata", "namespace") + "/" + manifest.String(o.Map, "metadata", "name")
					switch manifest.String(o.Map, "kind") {
					case "NetworkPolicy":
						for _, r := range asList(manifest.Get(o.Map, "spec", "egress")) {
							if reflect.DeepEqual(r, apiServerRule) {
								nps[k] = policy{o.Map, o.File}
							}
						}
					case "CiliumNetworkPolicy":
						for _, r := range asList(manifest.Get(o.Map, "spec", "egress")) {
							if asMap(r)["toEntities"] != nil {
								cnps[k] = policy{o.Map, o.File}
							}
						}
					}
				}
				if !cilium {
					assert.Empty(t, cnps, "no entity without Cilium")
					return
				}
				for k, np := range nps {
					seen[strings.SplitN(k, "/", 2)[1]] = true
					cnp, ok := cnps[k+"-kube-apiserver"]
					if !assert.True(t, ok, "%s opens the API server by ipBlock only", k) {
						continue
					}
					delete(cnps, k+"-kube-apiserver")
					assert.Equal(t, manifest.Get(np.m, "spec", "podSelector"), manifest.Get(cnp.m, "spec", "endpointSelector"), "%s: the same pods", k)
					assert.Equal(t, []any{entityRule}, manifest.Get(cnp.m, "spec", "egress"), "%s: the entity on the API server's ports, nothing else", k)
					assert.Nil(t, manifest.Get(cnp.m, "spec", "ingress"), "%s: no ingress isolation", k)
					assert.Equal(t, areaOf(np.file), areaOf(cnp.file), "%s: in the NetworkPolicy's area", k)
					labels := strMap(manifest.Get(cnp.m, "metadata", "labels"))
					// The NetworkPolicy's labels: its name fits a label value
					// where the CiliumNetworkPolicy's may not.
					assert.Equal(t, strMap(manifest.Get(np.m, "metadata", "labels")), labels, k)
					assert.Equal(t, "network-policy", labels["app.kubernetes.io/component"], k)
				}
				assert.Empty(t, cnps, "entity policies without a NetworkPolicy opening the API server")

				// What the evaluator makes of them: every workload that
				// reaches 0.0.0.0/0 on both ports reaches the entity on
				// both, and no other.
				maps := make([]manifest.Map, len(objs))
				for i, o := range objs {
					maps[i] = o.Map
				}
				w, err := netpol.Load(maps)
				require.NoError(t, err)
				byBlock, byEntity := map[string][]int64{}, map[string][]int64{}
				for _, e := range w.External() {
					if e.Direction != netpol.Egress || (e.Port != 443 && e.Port != 6443) || e.EndPort != 0 {
						continue
					}
					switch {
					case e.Entity == netpol.EntityKubeAPIServer:
						byEntity[e.Workload.String()] = append(byEntity[e.Workload.String()], e.Port)
					case e.CIDR == "0.0.0.0/0" && len(e.Except) == 0:
						byBlock[e.Workload.String()] = append(byBlock[e.Workload.String()], e.Port)
					}
				}
				apiServer := func(m map[string][]int64) []string {
					var out []string
					for wl, ports := range m {
						if len(ports) == 2 {
							out = append(out, wl)
						}
					}
					sort.Strings(out)
					return out
				}
				assert.Equal(t, apiServer(byBlock), apiServer(byEntity))
				assert.Len(t, byEntity, len(apiServer(byEntity)), "the entity on both ports or none: %v", byEntity)
			})
		}
	}
	// Every kind of pod platformctl opens the API server for was seen.
	for _, want := range []string{"edge-controller", "edge-previews", "prometheus", "grafana", "log-agent", "catalog-db"} {
		assert.True(t, seen[want], "no variant rendered %s's API-server egress under Cilium", want)
	}
	for _, suffix := range []string{"-restore-test", "-recovered-instances"} {
		found := false
		for n := range seen {
			found = found || strings.HasSuffix(n, suffix)
		}
		assert.True(t, found, "no variant rendered a CloudNativePG %s policy under Cilium", suffix)
	}
}
