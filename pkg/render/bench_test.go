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

// syntheticSpec is a shop-like platform with n services (a mix of exposed
// HTTP servers with canaries and secrets, gRPC servers and queue workers) and
// the four tiers, one of them namespace-isolated.
func syntheticSpec(n int) string {
	var b strings.Builder
	b.WriteString(`apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: bench}
spec:
  domain: bench.example.com
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
    - {name: db, type: postgres, image: "docker.io/library/postgres:16.4@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
    - {name: cache, type: redis, image: "docker.io/library/redis:7.4.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
    - {name: jobs, type: rabbitmq, mode: managed, endpoint: "jobs.mq.example.internal:5671"}
  services:
`)
	for i := 0; i < n; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "    - {name: svc-%d, image: \"ghcr.io/acme/svc-%d:1.0.%d@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", expose: {host: h%d, path: /svc-%d}, uses: [db, cache], autoscale: {min: 2, max: 10, requestsPerSecond: 100}, canary: {weight: 10, image: \"ghcr.io/acme/svc-%d:1.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}, secrets: {API_KEY: svc/%d#key}, env: {LOG_LEVEL: info}, nodePool: workload}\n", i, i, i, i%20, i, i, i)
		case 1:
			fmt.Fprintf(&b, "    - {name: svc-%d, image: \"ghcr.io/acme/svc-%d:2.0.%d@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", protocol: grpc, port: 9090, expose: {host: api%d, path: /svc%d.v1.Service}, uses: [db]}\n", i, i, i, i%20, i)
		default:
			fmt.Fprintf(&b, "    - {name: svc-%d, kind: worker, image: \"ghcr.io/acme/svc-%d:0.9.%d@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", consumes: {queue: jobs, deadLetter: true}, autoscale: {min: 1, max: 20, queueDepth: 100}, nodePool: spot}\n", i, i, i)
		}
	}
	return b.String()
}

func loadSynthetic(tb testing.TB, n int) *spec.Platform {
	tb.Helper()
	d, err := spec.Parse(fmt.Sprintf("bench-%d.yaml", n), []byte(syntheticSpec(n)))
	require.NoError(tb, err)
	require.NoError(tb, spec.Finish(d))
	return d.Platform
}

func TestSyntheticSpecBuildsLikeKustomize(t *testing.T) {
	p := loadSynthetic(t, 12)
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
}

var sizes = []int{10, 100, 1000}

// BenchmarkRender renders the whole tree (base + 4 overlays) in memory.
func BenchmarkRender(b *testing.B) {
	for _, n := range sizes {
		p := loadSynthetic(b, n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := render.Render(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuild builds the production environment directly.
func BenchmarkBuild(b *testing.B) {
	for _, n := range sizes {
		p := loadSynthetic(b, n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := render.Build(p, "production"); err != nil {
					b.Fatal(err)
				}
			}
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
