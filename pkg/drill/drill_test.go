package drill_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/drill"
	"github.com/platformctl/platformctl/pkg/internal/crdschema"
	"github.com/platformctl/platformctl/pkg/spec"
)

func load(t *testing.T) *spec.Platform {
	t.Helper()
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	return d.Platform
}

func TestScript(t *testing.T) {
	p := load(t)
	tests := []struct {
		name, env, store string
		opt              drill.Options
		want             []string
		err              string
	}{
		{name: "switchover", env: "production", store: "orders-db", opt: drill.Options{Kind: drill.Switchover},
			want: []string{"ns=data\n", `kubectl cnpg promote orders-db "$standby" -n "$ns"`, "cnpg.io/instanceRole=replica", "kubectl wait cluster/orders-db"}},
		{name: "failover", env: "staging", store: "orders-db", opt: drill.Options{Kind: drill.Failover},
			want: []string{"ns=staging-data\n", `kubectl delete pod "$before" -n "$ns" --wait=false`, "currentPrimary", "orders-db-rw"}},
		{name: "restore to a time", env: "production", store: "orders-db", opt: drill.Options{Kind: drill.Restore, To: "2026-12-04T09:30:00Z"},
			want: []string{"WAL up to it: 2026-12-04T09:30:00Z", "name: orders-db-drill\n", "barmanObjectName: orders-db-backups", "serverName: orders-db", `targetTime: "2026-12-04T09:30:00Z"`, "kubectl wait cluster/orders-db-drill"}},
		{name: "restore to the end of the archive", env: "production", store: "orders-db", opt: drill.Options{Kind: drill.Restore},
			want: []string{"WAL up to it: the end of the archive"}},
		{name: "switch a Redis over through its Sentinels", env: "production", store: "cache", opt: drill.Options{Kind: drill.Switchover},
			want: []string{"kubectl exec cache-sentinel-0", "sentinel failover cache'", "-l app=cache,redis-role=master", `[ "$after" != "$before" ]`}},
		{name: "fail a Redis over", env: "staging", store: "cache", opt: drill.Options{Kind: drill.Failover},
			want: []string{"ns=staging-data\n", `kubectl delete pod "$before" -n "$ns"`, "points cache-master at it", "get-master-addr-by-name cache'"}},
		{name: "restore an in-cluster store", env: "dev", store: "orders-db", opt: drill.Options{Kind: drill.Restore},
			want: []string{"ns=dev-data\n", `kubectl create job "$job" --from=cronjob/orders-db-restore-test -n "$ns"`, "--for=condition=Complete"}},
		{name: "fail over a single primary", env: "dev", store: "orders-db", opt: drill.Options{Kind: drill.Failover}, err: "single primary"},
		{name: "a managed store", env: "production", store: "jobs", opt: drill.Options{Kind: drill.Restore}, err: "is managed"},
		{name: "restore a store without backups", env: "production", store: "cache", opt: drill.Options{Kind: drill.Restore}, err: "no backup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := drill.Script(p, p.Environment(tt.env), p.DataStore(tt.store), tt.opt)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			// The script is valid bash.
			if bash, err := exec.LookPath("bash"); err == nil {
				cmd := exec.Command(bash, "-n")
				cmd.Stdin = strings.NewReader(got)
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "%s\n%s", out, got)
			}
		})
	}
}

// TestRestoreManifestMatchesTheCRD: the drill's Cluster is one the API
// server with CloudNativePG's CRD accepts.
func TestRestoreManifestMatchesTheCRD(t *testing.T) {
	p := load(t)
	got, err := drill.Script(p, p.Environment("production"), p.DataStore("orders-db"), drill.Options{Kind: drill.Restore, To: "2026-12-04T09:30:00Z"})
	require.NoError(t, err)
	_, rest, ok := strings.Cut(got, "kubectl apply -f - <<'EOF'\n")
	require.True(t, ok)
	stream, _, _ := strings.Cut(rest, "EOF\n")
	docs := strings.Split(stream, "---\n")
	require.Len(t, docs, 2)
	sch, err := crdschema.Compile("../../testdata/crds/cloudnative-pg/postgresql.cnpg.io_clusters.yaml", "v1")
	require.NoError(t, err)
	var cl map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(docs[1]), &cl))
	assert.Equal(t, "Cluster", cl["kind"])
	require.NoError(t, sch.Validate(cl))
}
