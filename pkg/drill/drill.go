// Package drill writes the disaster-recovery drills of a data store as a
// shell script: the kubectl (and kubectl-cnpg plugin) commands of a
// switchover, a failover and a restore into a new cluster, for the store as
// one environment runs it. A drill is run by a person on purpose, so it is
// printed, read and then piped to bash, never run by platformctl itself.
package drill

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Kind is a drill.
type Kind string

// The drills, in the order `platformctl drill` lists them.
const (
	// Switchover promotes a standby on purpose: what an update or a drain
	// does, the planned half of failover.
	Switchover Kind = "switchover"
	// Failover deletes the primary's pod and times the operator's
	// promotion of a standby: the unplanned half.
	Failover Kind = "failover"
	// Restore recovers the store's backups into a new cluster, to a point
	// in time, and times it: the recovery time an incident would see.
	Restore Kind = "restore"
)

// Kinds lists every drill.
var Kinds = []Kind{Switchover, Failover, Restore}

// Options select a drill.
type Options struct {
	Kind Kind
	// To is the recovery target of a restore drill (RFC 3339); empty: the
	// end of the archive. A target with no commit after it in the archived
	// WAL fails the recovery (PostgreSQL refuses to stop short of it).
	To string
}

// Script writes the drill of store ds in env.
func Script(p *spec.Platform, env *spec.Environment, ds *spec.DataStore, opt Options) (string, error) {
	ns := spec.Namespace(env, "data")
	mode := spec.StoreMode(ds, env)
	var b strings.Builder
	fmt.Fprintf(&b, "#!/usr/bin/env bash\n# platformctl drill %s %s --env %s: %s (%s) in namespace %s.\n", opt.Kind, ds.Name, env.Name, ds.Name, mode, ns)
	b.WriteString("# Read it, then run it against the environment's cluster: bash <this file>.\nset -euo pipefail\n")
	fmt.Fprintf(&b, "ns=%s\nstart=$(date +%%s)\n", ns)
	switch {
	case mode == spec.ModeManaged:
		return "", fmt.Errorf("data store %s is managed: its provider fails it over and restores it; drill it with the provider's tools (e.g. a forced failover of the instance, a point-in-time restore to a new instance)", ds.Name)
	case mode == spec.ModeInCluster && opt.Kind != Restore:
		return "", fmt.Errorf("data store %s runs in-cluster in %s, a single primary with nothing to fail over to; mode operator (postgres, redis) or managed adds failover", ds.Name, env.Name)
	case mode == spec.ModeOperator && ds.Type == spec.DataRedis && opt.Kind != Restore:
		redisDrill(&b, ds, opt.Kind)
		return b.String(), nil
	case mode == spec.ModeInCluster || mode == spec.ModeOperator && ds.Type == spec.DataRedis:
		if ds.Backup == nil {
			return "", fmt.Errorf("data store %s has no backup to restore", ds.Name)
		}
		job := generate.RestoreTestJob(ds.Name)
		fmt.Fprintf(&b, `# The restore test, run now: the newest dump fetched from the backup storage and
# restored into a throwaway server in the Job's pod.
job=%[1]s-drill-$start
kubectl create job "$job" --from=cronjob/%[1]s -n "$ns"
kubectl wait job/"$job" -n "$ns" --for=condition=Complete --timeout=6h
kubectl logs job/"$job" -n "$ns" --all-containers
echo "restore drill passed in $(( $(date +%%s) - start )) s"
kubectl delete job "$job" -n "$ns"
`, job)
		return b.String(), nil
	}
	cluster := ds.Name
	switch opt.Kind {
	case Switchover:
		fmt.Fprintf(&b, `# Promote the first standby; the old primary rejoins as a standby.
kubectl cnpg status %[1]s -n "$ns"
before=$(kubectl get cluster %[1]s -n "$ns" -o jsonpath='{.status.currentPrimary}')
standby=$(kubectl get pods -n "$ns" -l cnpg.io/cluster=%[1]s,cnpg.io/instanceRole=replica -o jsonpath='{.items[0].metadata.name}')
kubectl cnpg promote %[1]s "$standby" -n "$ns"
until [ "$(kubectl get cluster %[1]s -n "$ns" -o jsonpath='{.status.currentPrimary}')" = "$standby" ]; do sleep 2; done
kubectl wait cluster/%[1]s -n "$ns" --for=condition=Ready --timeout=15m
echo "switchover from $before to $standby in $(( $(date +%%s) - start )) s"
kubectl cnpg status %[1]s -n "$ns"
`, cluster)
	case Failover:
		fmt.Fprintf(&b, `# Delete the primary's pod as a node failure would; the operator promotes the
# most advanced standby and the read-write Service %[2]s follows it.
kubectl cnpg status %[1]s -n "$ns"
before=$(kubectl get cluster %[1]s -n "$ns" -o jsonpath='{.status.currentPrimary}')
kubectl delete pod "$before" -n "$ns" --wait=false
until after=$(kubectl get cluster %[1]s -n "$ns" -o jsonpath='{.status.currentPrimary}') && [ -n "$after" ] && [ "$after" != "$before" ]; do sleep 1; done
echo "failover from $before to $after in $(( $(date +%%s) - start )) s (until a new primary was elected)"
kubectl wait cluster/%[1]s -n "$ns" --for=condition=Ready --timeout=15m
echo "cluster ready again after $(( $(date +%%s) - start )) s"
kubectl cnpg status %[1]s -n "$ns"
`, cluster, generate.RWService(ds.Name))
	case Restore:
		name := ds.Name + "-drill"
		cl, np, err := generate.Recovery(p, env, ds, name, opt.To)
		if err != nil {
			return "", err
		}
		docs, err := yamlDocs(np, cl)
		if err != nil {
			return "", err
		}
		target := "the end of the archive"
		if opt.To != "" {
			target = opt.To
		}
		fmt.Fprintf(&b, `# A new cluster %[1]s recovered from %[2]s's backups (the newest base backup
# before the target, then WAL up to it: %[4]s), beside the live one; check
# its data with kubectl cnpg psql %[1]s -n $ns, then delete it. With a
# workload identity, the backup role must trust its ServiceAccount %[1]s as
# it trusts %[2]s's.
kubectl apply -f - <<'EOF'
%[3]sEOF
kubectl wait cluster/%[1]s -n "$ns" --for=condition=Ready --timeout=6h
echo "recovered %[2]s to %[4]s in $(( $(date +%%s) - start )) s"
kubectl cnpg status %[1]s -n "$ns"
echo "when done: kubectl delete cluster/%[1]s networkpolicy/%[1]s-instances -n $ns"
`, name, ds.Name, docs, target)
	default:
		return "", fmt.Errorf("unknown drill %q", opt.Kind)
	}
	return b.String(), nil
}

// redisDrill writes a switchover or failover of a Redis under the OT
// redis-operator: the Sentinels promote a replica, the operator moves the
// redis-role label (and so the master Service) to it. Redis has no
// planned switchover of its own; SENTINEL FAILOVER, which promotes a
// replica without waiting for the primary to fail, is the closest.
func redisDrill(b *strings.Builder, ds *spec.DataStore, kind Kind) {
	fmt.Fprintf(b, `primary() { kubectl get pods -n "$ns" -l app=%[1]s,redis-role=master -o jsonpath='{.items[*].metadata.name}'; }
before=$(primary)
echo "primary: $before"
`, ds.Name)
	if kind == Switchover {
		fmt.Fprintf(b, `# Ask a Sentinel to promote a replica now; the old primary becomes a replica.
kubectl exec %[2]s-0 -n "$ns" -- sh -c 'redis-cli -p %[3]d -a "$REDIS_PASSWORD" --no-auth-warning sentinel failover %[1]s'
`, ds.Name, generate.RedisSentinels(ds.Name), generate.RedisSentinelPort)
	} else {
		fmt.Fprintf(b, `# Delete the primary's pod as a node failure would; the Sentinels promote a
# replica once it is down for their down-after period, and the operator
# points %[2]s at it.
kubectl delete pod "$before" -n "$ns" --wait=false
`, ds.Name, generate.RedisMasterService(ds.Name))
	}
	fmt.Fprintf(b, `until after=$(primary) && [ -n "$after" ] && [ "$after" != "$before" ] && [ "${after#* }" = "$after" ]; do sleep 1; done
echo "%[2]s from $before to $after in $(( $(date +%%s) - start )) s (until one pod was labelled primary)"
kubectl wait pod -n "$ns" -l app=%[1]s --for=condition=Ready --timeout=15m
kubectl exec %[3]s-0 -n "$ns" -- sh -c 'redis-cli -p %[4]d -a "$REDIS_PASSWORD" --no-auth-warning sentinel get-master-addr-by-name %[1]s'
`, ds.Name, kind, generate.RedisSentinels(ds.Name), generate.RedisSentinelPort)
}

// yamlDocs writes objects as one YAML stream.
func yamlDocs(objs ...any) (string, error) {
	var parts []string
	for _, o := range objs {
		m, err := manifest.ToMap(o)
		if err != nil {
			return "", err
		}
		y, err := yaml.Marshal(m)
		if err != nil {
			return "", fmt.Errorf("drill manifest: %w", err)
		}
		parts = append(parts, string(y))
	}
	return strings.Join(parts, "---\n"), nil
}
