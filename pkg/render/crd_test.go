package render_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/internal/crdschema"
	"github.com/platformctl/platformctl/pkg/manifest"
)

// TestCiliumPoliciesMatchTheCRD validates every CiliumNetworkPolicy the
// cilium specs render against the upstream CRD's schema, closed to
// unknown fields: the fast half of what the e2e tier's API server checks.
func TestCiliumPoliciesMatchTheCRD(t *testing.T) {
	sch, err := crdschema.Compile("../../testdata/crds/cilium/ciliumnetworkpolicies.yaml", "v2")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(path, []byte(ciliumEgressSpec), 0o600))
	seen, entities := 0, 0
	eachRendered(t, []string{"../../examples/microservices/platform.yaml", path}, func(file, env string, m manifest.Map) {
		if manifest.String(m, "kind") != "CiliumNetworkPolicy" {
			return
		}
		seen++
		if strings.HasSuffix(manifest.String(m, "metadata", "name"), "-kube-apiserver") {
			entities++ // toEntities kube-apiserver
		}
		require.NoError(t, validateAgainst(t, sch, m), "%s %s: %v", file, env, m)
	})
	require.Greater(t, seen, 3)
	require.Greater(t, entities, 3)

	// Not vacuous: a field Cilium does not know is refused.
	bad := map[string]any{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{"endpointSelector": map[string]any{}, "egress": []any{map[string]any{"toFQDN": []any{}}}}}
	require.Error(t, validateAgainst(t, sch, bad))
	// Nor is an entity Cilium does not name.
	bad["spec"] = map[string]any{"endpointSelector": map[string]any{}, "egress": []any{map[string]any{"toEntities": []any{"apiserver"}}}}
	require.Error(t, validateAgainst(t, sch, bad))
}

// TestCloudNativePGMatchesTheCRDs validates every CloudNativePG Cluster,
// ScheduledBackup and Barman Cloud ObjectStore the examples render, and the
// throwaway Cluster their restore tests create, against the upstream CRDs'
// schemas closed to unknown fields.
func TestCloudNativePGMatchesTheCRDs(t *testing.T) {
	schemas := map[string]string{
		"Cluster":         "../../testdata/crds/cloudnative-pg/postgresql.cnpg.io_clusters.yaml",
		"ScheduledBackup": "../../testdata/crds/cloudnative-pg/postgresql.cnpg.io_scheduledbackups.yaml",
		"ObjectStore":     "../../testdata/crds/cloudnative-pg/barmancloud.cnpg.io_objectstores.yaml",
	}
	compiled := compileCRDs(t, "v1", schemas)
	seen := map[string]int{}
	eachRendered(t, operatorExamples, func(file, env string, m manifest.Map) {
		kind := manifest.String(m, "kind")
		if sch := compiled[kind]; sch != nil && (kind != "Cluster" || manifest.String(m, "apiVersion") == "postgresql.cnpg.io/v1") {
			seen[kind]++
			require.NoError(t, validateAgainst(t, sch, m), "%s %s: %v", file, env, m)
		}
		// The restore test's throwaway Cluster is a here-document of its
		// CronJob's script.
		if kind == "CronJob" && strings.HasSuffix(manifest.String(m, "metadata", "name"), "-restore-test") {
			for _, c := range asList(manifest.Get(m, "spec", "jobTemplate", "spec", "template", "spec", "containers")) {
				cmd := asList(asMap(c)["command"])
				script, _ := cmd[len(cmd)-1].(string)
				_, rest, ok := strings.Cut(script, "kubectl create -f - <<'EOF'")
				if !ok {
					continue
				}
				_, rest, _ = strings.Cut(rest, "\n")
				doc, _, _ := strings.Cut(rest, "EOF\n")
				var cl map[string]any
				require.NoError(t, yaml.Unmarshal([]byte(doc), &cl))
				seen["recovery"]++
				require.NoError(t, validateAgainst(t, compiled["Cluster"], cl), "%s %s: %s", file, env, doc)
			}
		}
	})
	for _, k := range []string{"Cluster", "ScheduledBackup", "ObjectStore", "recovery"} {
		require.Positive(t, seen[k], k)
	}
	// Not vacuous: a field CloudNativePG does not know is refused.
	bad := map[string]any{"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{"instances": 1, "storage": map[string]any{"size": "1Gi"}, "replicas": 3}}
	require.Error(t, validateAgainst(t, compiled["Cluster"], bad))
}

// TestRedisOperatorMatchesTheCRDs validates every RedisReplication and
// RedisSentinel the examples render against the upstream CRDs' schemas
// closed to unknown fields.
func TestRedisOperatorMatchesTheCRDs(t *testing.T) {
	compiled := compileCRDs(t, "v1beta2", map[string]string{
		"RedisReplication": "../../testdata/crds/redis-operator/redis.redis.opstreelabs.in_redisreplications.yaml",
		"RedisSentinel":    "../../testdata/crds/redis-operator/redis.redis.opstreelabs.in_redissentinels.yaml",
	})
	seen := map[string]int{}
	eachRendered(t, operatorExamples, func(file, env string, m manifest.Map) {
		kind := manifest.String(m, "kind")
		if sch := compiled[kind]; sch != nil {
			seen[kind]++
			require.NoError(t, validateAgainst(t, sch, m), "%s %s: %v", file, env, m)
		}
	})
	for kind := range compiled {
		require.Positive(t, seen[kind], kind)
	}
	// Not vacuous: a field the operator does not know is refused.
	bad := map[string]any{"apiVersion": "redis.redis.opstreelabs.in/v1beta2", "kind": "RedisSentinel", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{"clusterSize": 3, "kubernetesConfig": map[string]any{"image": "redis:7"}, "replicas": 3}}
	require.Error(t, validateAgainst(t, compiled["RedisSentinel"], bad))
}

// operatorExamples are the examples with stores under the data operators.
var operatorExamples = []string{"../../examples/shop/platform.yaml", "../../examples/microservices/platform.yaml", "../../examples/stores/platform.yaml"}

// compileCRDs compiles, per kind, the served version of its CRD file.
func compileCRDs(t *testing.T, version string, files map[string]string) map[string]*jsonschema.Schema {
	t.Helper()
	out := map[string]*jsonschema.Schema{}
	for kind, file := range files {
		sch, err := crdschema.Compile(file, version)
		require.NoError(t, err, kind)
		out[kind] = sch
	}
	return out
}
