package render_test

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/mesh"
	"github.com/platformctl/platformctl/pkg/netpol"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// The external side of the reachability property: what the apps' pods may
// reach outside the cluster (ipBlock peers) is what the spec implies, no
// more, no less, and no block reaches a cloud metadata address.

// externalOf is every outside connection the policies of objs allow a
// workload of namespace ns, as netpol.External writes it.
func externalOf(t *testing.T, objs []render.Object, ns string) []string {
	t.Helper()
	maps := make([]manifest.Map, len(objs))
	for i, o := range objs {
		maps[i] = o.Map
	}
	w, err := netpol.Load(maps)
	require.NoError(t, err)
	out := []string{}
	for _, e := range w.External() {
		if e.Workload.Namespace == ns {
			out = append(out, unhashed(e.String()))
		}
	}
	sort.Strings(out)
	return out
}

// impliedExternal is, from the spec alone, what the apps' pods reach
// outside: per egress entry its CIDR (or, for to: internet, 0.0.0.0/0 and
// ::/0 without the private, link-local and metadata ranges, or its host)
// on each of its ports, and each managed store a service uses or consumes
// on its endpoint's port: at its cidrs, or without them (network.cni:
// cilium) at its endpoint's host. Canaries alike. With mesh: istio, the
// probes' address reaches each of them.
func impliedExternal(t *testing.T, p *spec.Platform, envName string) []string {
	apps := spec.Namespace(p.Environment(envName), "apps")
	internet := map[string]string{
		"0.0.0.0/0": "10.0.0.0/8,100.64.0.0/10,127.0.0.0/8,169.254.0.0/16,172.16.0.0/12,192.168.0.0/16",
		"::/0":      "fc00::/7,fe80::/10",
	}
	set := map[string]bool{}
	for i := range p.Spec.Services {
		svc := &p.Spec.Services[i]
		pods := []string{svc.Name}
		if svc.Canary != nil {
			pods = append(pods, svc.Name+"-canary")
		}
		if svc.Migrate != nil {
			pods = append(pods, svc.Name+"-migrate")
		}
		for _, pod := range pods {
			// Istio's ambient mesh: the kubelet's probes, rewritten by
			// istio-cni to its link-local address, reach every port.
			if m := p.Spec.Mesh; m != nil && m.Provider == spec.MeshIstio {
				set[fmt.Sprintf("%s -> %s/%s:*", mesh.IstioProbeSource, apps, pod)] = true
			}
			for _, e := range svc.Egress {
				for _, port := range e.Ports {
					switch {
					case e.To == spec.EgressInternet:
						for cidr, except := range internet {
							set[fmt.Sprintf("%s/%s -> %s except %s:%d", apps, pod, cidr, except, port)] = true
						}
					case e.Host != "":
						set[fmt.Sprintf("%s/%s -> %s:%d", apps, pod, e.Host, port)] = true
					default:
						set[fmt.Sprintf("%s/%s -> %s:%d", apps, pod, e.CIDR, port)] = true
					}
				}
			}
			// Workload identity's node-local credential endpoints: the EKS
			// Pod Identity agent and the GKE metadata server.
			if id := spec.IdentityIn(svc, p.Environment(envName)); id != nil {
				for _, ep := range map[spec.IdentityProvider][]string{
					spec.IdentityEKSPodIdentity: {"169.254.170.23/32:80", "fd00:ec2::23/128:80"},
					spec.IdentityGCP:            {"169.254.169.254/32:80", "169.254.169.252/32:988"},
				}[id.Provider] {
					set[fmt.Sprintf("%s/%s -> %s", apps, pod, ep)] = true
				}
			}
			stores := append([]string(nil), svc.Uses...)
			if svc.Consumes != nil {
				stores = append(stores, svc.Consumes.Queue)
			}
			for _, name := range stores {
				if ds := p.DataStore(name); ds.Mode == spec.ModeManaged {
					host, ps, err := net.SplitHostPort(ds.Endpoint)
					require.NoError(t, err)
					port, err := strconv.Atoi(ps)
					require.NoError(t, err)
					for _, cidr := range ds.CIDRs {
						set[fmt.Sprintf("%s/%s -> %s:%d", apps, pod, cidr, port)] = true
					}
					if len(ds.CIDRs) == 0 {
						set[fmt.Sprintf("%s/%s -> %s:%d", apps, pod, host, port)] = true
					}
				}
			}
		}
	}
	return append([]string{}, spec.SortedKeys(set)...)
}

// egressSpec declares every form of egress on a server with a canary and a
// worker, in both isolation modes: what the examples do not cover.
const egressSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: out}
spec:
  domain: out.example.com
  environments:
    - {name: dev, tier: development}
    - {name: prod, tier: production, zones: [a, b]}
  services:
    - name: payments
      image: ghcr.io/acme/payments:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      expose: {host: pay}
      canary: {weight: 10, image: ghcr.io/acme/payments:1.1.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b}
      egress:
        - {to: internet, ports: [443]}
        - {cidr: 203.0.113.0/24, ports: [8443, 9443]}
        - {cidr: "2001:db8::/32", ports: [443]}
    - name: mailer
      kind: worker
      image: ghcr.io/acme/mailer:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      egress: [{cidr: 198.51.100.25/32, ports: [587]}]
`

// ciliumEgressSpec is egressSpec's forms by name, with cni: cilium: hosts
// and wildcards, next to a CIDR, a managed store opened by name and one
// at its cidrs.
const ciliumEgressSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: out}
spec:
  domain: out.example.com
  network: {cni: cilium}
  environments:
    - {name: dev, tier: development}
    - {name: prod, tier: production, zones: [a, b]}
  services:
    - name: payments
      image: ghcr.io/acme/payments:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      expose: {host: pay}
      canary: {weight: 10, image: ghcr.io/acme/payments:1.1.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b}
      uses: [ledger, queue]
      egress:
        - {host: api.stripe.com, ports: [443]}
        - {host: "*.s3.eu-west-1.amazonaws.com", ports: [443]}
        - {cidr: 203.0.113.0/24, ports: [8443]}
  data:
    - {name: ledger, type: postgres, mode: managed, endpoint: "ledger.db.example.internal:6432", encryptedAtRest: true}
    - {name: queue, type: rabbitmq, mode: managed, endpoint: "queue.mq.example.internal:5671", cidrs: [10.8.0.0/24, 10.9.0.0/24], encryptedAtRest: true}
`

func TestExternalIsWhatTheSpecImplies(t *testing.T) {
	dir := t.TempDir()
	path, cilium := filepath.Join(dir, "platform.yaml"), filepath.Join(dir, "cilium", "platform.yaml")
	require.NoError(t, os.WriteFile(path, []byte(egressSpec), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Dir(cilium), 0o700))
	require.NoError(t, os.WriteFile(cilium, []byte(ciliumEgressSpec), 0o600))
	specs := append(examples(t), path, cilium)
	sawEgress, sawHost := false, false
	for _, file := range specs {
		d, err := spec.LoadAndValidate(file)
		require.NoError(t, err)
		for _, env := range d.Platform.EnvironmentNames() {
			t.Run(filepath.Base(filepath.Dir(file))+"/"+env, func(t *testing.T) {
				objs, err := render.Environment(d.Platform, env)
				require.NoError(t, err)
				apps := spec.Namespace(d.Platform.Environment(env), "apps")
				want, got := impliedExternal(t, d.Platform, env), externalOf(t, objs, apps)
				assert.Equal(t, want, got, "allowed outside (want: what the spec implies):\n%s", strings.Join(got, "\n"))
				for _, g := range got {
					sawEgress = sawEgress || strings.Contains(g, "except")
					sawHost = sawHost || strings.Contains(g, "-> *.s3.eu-west-1.amazonaws.com:443")
				}
			})
		}
	}
	assert.True(t, sawEgress, "no spec exercised to: internet")
	assert.True(t, sawHost, "no spec exercised a host pattern")
}

// TestNoEgressEntryReachesMetadata: every ipBlock an egress entry renders
// leaves the cloud metadata addresses out, checked on the addresses.
func TestNoEgressEntryReachesMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(path, []byte(egressSpec), 0o600))
	metadata := []netip.Addr{netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("fd00:ec2::254")}
	for _, file := range append(examples(t), path) {
		d, err := spec.LoadAndValidate(file)
		require.NoError(t, err)
		for i := range d.Platform.Spec.Services {
			for _, e := range d.Platform.Spec.Services[i].Egress {
				for _, b := range e.Blocks() {
					cidr := netip.MustParsePrefix(b.CIDR)
					for _, m := range metadata {
						if !cidr.Contains(m) {
							continue
						}
						excepted := slices.ContainsFunc(b.Except, func(x string) bool { return netip.MustParsePrefix(x).Contains(m) })
						assert.True(t, excepted, "%s: %s reaches %s", file, b.CIDR, m)
					}
				}
			}
		}
	}
}

// TestExternalPropertyCatchesAWidenedBlock: an except taken off the
// internet block is reported, so the external check is not vacuous.
func TestExternalPropertyCatchesAWidenedBlock(t *testing.T) {
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	want := impliedExternal(t, d.Platform, "production")
	require.Equal(t, want, externalOf(t, objs, "apps"))
	out := make([]render.Object, len(objs))
	copy(out, objs)
	for i, o := range out {
		if manifest.String(o.Map, "kind") == "NetworkPolicy" && manifest.String(o.Map, "metadata", "name") == "web" {
			m := deepCopy(o.Map)
			for _, r := range asList(asMap(m["spec"])["egress"]) {
				for _, peer := range asList(asMap(r)["to"]) {
					if ib := asMap(asMap(peer)["ipBlock"]); ib != nil {
						delete(ib, "except")
					}
				}
			}
			out[i].Map = m
		}
	}
	got := externalOf(t, out, "apps")
	assert.NotEqual(t, want, got)
	assert.Contains(t, got, "apps/web -> 0.0.0.0/0:443")
}

// TestExternalPropertyReadsCiliumPolicies: the microservices example's
// card API is reached by name only through payment's CiliumNetworkPolicy;
// without it the property reports exactly that host as missing.
func TestExternalPropertyReadsCiliumPolicies(t *testing.T) {
	d, err := spec.LoadAndValidate("../../examples/microservices/platform.yaml")
	require.NoError(t, err)
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	want := impliedExternal(t, d.Platform, "production")
	require.Equal(t, want, externalOf(t, objs, "apps"))
	var kept []render.Object
	for _, o := range objs {
		if manifest.String(o.Map, "kind") != "CiliumNetworkPolicy" || manifest.String(o.Map, "metadata", "name") != "payment" {
			kept = append(kept, o)
		}
	}
	require.Len(t, kept, len(objs)-1)
	got := externalOf(t, kept, "apps")
	var missing []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	assert.Equal(t, []string{"apps/payment -> api.stripe.com:443"}, missing)
}
