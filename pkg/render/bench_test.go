package render_test

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/platformctl/platformctl/pkg/kustomize"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// callees are the calls service i makes: the next calls servers after it,
// wrapping around (svc-i is a worker when i%3 == 2, and only a server can be
// called), never itself.
func callees(i, n, calls int) []string {
	var out []string
	for j := 1; j < n && len(out) < calls; j++ {
		if k := (i + j) % n; k%3 != 2 {
			out = append(out, fmt.Sprintf("svc-%d", k))
		}
	}
	return out
}

// syntheticSpecCalls is a shop-like platform with n services (a mix of
// exposed HTTP servers with canaries and secrets, gRPC servers and queue
// workers) and the four tiers, one of them namespace-isolated, where every
// service, workers too, calls the next calls servers (issue 12: a
// 1,000-service spec where each service calls three others; calls 0 is the
// plain shop-like spec).
func syntheticSpecCalls(n, calls int) string {
	var b strings.Builder
	b.WriteString(`apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: bench}
spec:
  domain: bench.example.com
  encryptedStorageClasses: [encrypted]
  environments:
    - {name: dev, tier: development, isolation: namespace}
    - {name: testing, tier: testing}
    - {name: staging, tier: staging}
    - name: production
      tier: production
      region: eu-west-1
      zones: [eu-west-1a, eu-west-1b, eu-west-1c]
      overrides: {services: {svc-0: {replicas: {min: 4, max: 30}, resources: {cpu: 500m, memory: 512Mi}}}}
  edge: {api: gateway, tls: {clusterIssuer: letsencrypt}}
  nodePools: {workload: {}, spot: {spot: true}}
  data:
    - {name: db, type: postgres, storageClass: encrypted, image: "docker.io/library/postgres:16.4@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
    - {name: cache, type: redis, storageClass: encrypted, image: "docker.io/library/redis:7.4.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
    - {name: jobs, type: rabbitmq, mode: managed, endpoint: "jobs.mq.example.internal:5671", cidrs: [10.20.8.0/24], encryptedAtRest: true}
  services:
`)
	for i := 0; i < n; i++ {
		call := ""
		if c := callees(i, n, calls); len(c) > 0 {
			call = ", calls: [" + strings.Join(c, ", ") + "]"
		}
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "    - {name: svc-%d, image: \"ghcr.io/acme/svc-%d:1.0.%d@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", expose: {host: h%d, path: /svc-%d}, uses: [db, cache], autoscale: {min: 2, max: 10, requestsPerSecond: 100}, canary: {weight: 10, image: \"ghcr.io/acme/svc-%d:1.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}, secrets: {API_KEY: svc/%d#key}, env: {LOG_LEVEL: info}, nodePool: workload%s}\n", i, i, i, i%20, i, i, i, call)
		case 1:
			fmt.Fprintf(&b, "    - {name: svc-%d, image: \"ghcr.io/acme/svc-%d:2.0.%d@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", protocol: grpc, port: 9090, expose: {host: api%d, path: /svc%d.v1.Service}, uses: [db]%s}\n", i, i, i, i%20, i, call)
		default:
			fmt.Fprintf(&b, "    - {name: svc-%d, kind: worker, image: \"ghcr.io/acme/svc-%d:0.9.%d@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", consumes: {queue: jobs, deadLetter: true}, autoscale: {min: 1, max: 20, queueDepth: 100}, nodePool: spot%s}\n", i, i, i, call)
		}
	}
	return b.String()
}

func loadSynthetic(tb testing.TB, n int) *spec.Platform { return loadSyntheticCalls(tb, n, 0) }

func loadSyntheticCalls(tb testing.TB, n, calls int) *spec.Platform {
	tb.Helper()
	d, err := spec.Parse(fmt.Sprintf("bench-%d.yaml", n), []byte(syntheticSpecCalls(n, calls)))
	require.NoError(tb, err)
	require.NoError(tb, spec.Finish(d))
	return d.Platform
}

func TestSyntheticSpecBuildsLikeKustomize(t *testing.T) {
	for _, calls := range []int{0, 3} {
		t.Run(fmt.Sprintf("calls=%d", calls), func(t *testing.T) {
			p := loadSyntheticCalls(t, 12, calls)
			tree, err := render.Render(p)
			require.NoError(t, err)
			fs := filesys.MakeFsInMemory()
			for f, b := range tree {
				require.NoError(t, fs.WriteFile(path.Join("/out", f), b))
			}
			for _, env := range p.EnvironmentNames() {
				want, err := kustomize.Build(fs, "/out/overlays/"+env)
				require.NoError(t, err)
				got, err := render.Build(p, env)
				require.NoError(t, err)
				require.Equal(t, string(want), string(got), env)
			}
		})
	}
}

// TestSyntheticCalls: every service of the calls variant calls three
// distinct servers other than itself, so the validation of calls accepts it.
func TestSyntheticCalls(t *testing.T) {
	for _, n := range []int{6, 12, 100, 1000} {
		for i := 0; i < n; i++ {
			c := callees(i, n, 3)
			require.Len(t, c, 3, "svc-%d of %d", i, n)
			seen := map[string]bool{fmt.Sprintf("svc-%d", i): true}
			for _, s := range c {
				require.False(t, seen[s], "svc-%d of %d calls %s", i, n, s)
				seen[s] = true
			}
		}
		p := loadSyntheticCalls(t, n, 3)
		for _, s := range p.Spec.Services {
			require.Len(t, s.Calls, 3, s.Name)
		}
	}
}

var sizes = []int{10, 100, 1000}

// callSizes are the sizes of the calls variant: issue 12 compares 1,000
// services, each calling three others, with 100.
var callSizes = []int{100, 1000}

// BenchmarkRender renders the whole tree (base + 4 overlays) in memory.
func BenchmarkRender(b *testing.B) {
	for _, n := range sizes {
		p := loadSynthetic(b, n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			withCPU(b, func() error { _, err := render.Render(p); return err })
		})
	}
}

// BenchmarkBuild builds the production environment directly.
func BenchmarkBuild(b *testing.B) {
	for _, n := range sizes {
		p := loadSynthetic(b, n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			withCPU(b, func() error { _, err := render.Build(p, "production"); return err })
		})
	}
}

// BenchmarkKrustyBuild is the reference: real Kustomize building the same
// production overlay from the rendered tree (in memory, no disk).
func BenchmarkKrustyBuild(b *testing.B) {
	for _, n := range sizes[:2] {
		p := loadSynthetic(b, n)
		tree, err := render.Render(p)
		require.NoError(b, err)
		fs := filesys.MakeFsInMemory()
		for f, c := range tree {
			require.NoError(b, fs.WriteFile(path.Join("/out", f), c))
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := kustomize.Build(fs, "/out/overlays/production"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderCalls renders the whole tree of the calls variant: every
// service calls three servers (an egress rule on its NetworkPolicy, an
// ingress rule on each callee's, an _ADDR variable per call).
func BenchmarkRenderCalls(b *testing.B) {
	for _, n := range callSizes {
		p := loadSyntheticCalls(b, n, 3)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			withCPU(b, func() error { _, err := render.Render(p); return err })
		})
	}
}

// BenchmarkBuildCalls builds the production environment of the calls variant.
func BenchmarkBuildCalls(b *testing.B) {
	for _, n := range callSizes {
		p := loadSyntheticCalls(b, n, 3)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			withCPU(b, func() error { _, err := render.Build(p, "production"); return err })
		})
	}
}

// withCPU runs op b.N times and reports, next to ns/op, the process's CPU
// time per op (cpu-ns/op, every goroutine and the collector included), which
// the other work on a shared machine changes far less than wall time.
func withCPU(b *testing.B, op func() error) {
	start := processCPU()
	for i := 0; i < b.N; i++ {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}
