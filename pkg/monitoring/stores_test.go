package monitoring

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

var (
	operatorStore = StoreTarget{Platform: "shop", Store: "orders-db", CloudNativePG: true, Backup: "0 3 * * *", RestoreTest: "0 5 * * *",
		BackupJob: "orders-db-backup", RestoreTestJob: "orders-db-restore-test"}
	redisStore = StoreTarget{Platform: "shop", Store: "sessions", RedisReplication: true, Dumped: true, Backup: "0 */6 * * *", RestoreTest: "0 6 * * *",
		BackupJob: "sessions-backup", RestoreTestJob: "sessions-restore-test"}
	inClusterStore = StoreTarget{Platform: "shop", Store: "cache", Dumped: true, Backup: "0 */6 * * *", RestoreTest: "0 6 * * *",
		BackupJob: "cache-backup", RestoreTestJob: "cache-restore-test"}
)

// storeFiring evaluates the store's alerts at evalEnd over input.
func storeFiring(t *testing.T, target StoreTarget, input []gen) map[string][]map[string]string {
	t.Helper()
	st := &memStore{}
	for _, g := range input {
		st.addGen(g)
	}
	out := map[string][]map[string]string{}
	for _, g := range StoreRules(target) {
		for _, r := range g.Rules {
			for _, s := range st.instant(t, r.Expr.StrVal) {
				out[r.Alert] = append(out[r.Alert], s.Metric.Map())
			}
		}
	}
	return out
}

// healthyStore is what Prometheus scrapes of a healthy store: CloudNativePG's
// three instances (the first the primary) or nothing of its own, and
// kube-state-metrics' series of its CronJobs, each last successful an hour
// ago with no failed Job kept.
func healthyStore(target StoreTarget) []gen {
	ago := func(d time.Duration) float64 { return float64(evalEnd.Add(-d).Unix()) }
	var out []gen
	if target.CloudNativePG {
		for i, role := range []float64{0, 1, 1} {
			pod := map[string]string{"namespace": dataNS, "pod": target.Store + "-" + string(rune('1'+i)), "job": "data/" + target.Store}
			out = append(out,
				gen{with(pod, "__name__", "cnpg_pg_replication_in_recovery"), gauge(role)},
				gen{with(pod, "__name__", "cnpg_pg_replication_lag"), gauge(role * 2)},
				gen{with(pod, "__name__", "cnpg_pg_stat_archiver_last_archived_time"), gauge(ago(time.Minute))},
				gen{with(pod, "__name__", "cnpg_pg_stat_archiver_last_failed_time"), gauge(ago(48 * time.Hour))},
				gen{with(pod, "__name__", MetricLastBackup), gauge(ago(20 * time.Hour))},
				gen{with(pod, "__name__", "cnpg_backends_total", "datname", "orders_db"), gauge(4)})
		}
	}
	if target.RedisReplication {
		// Three pods, the first the primary with both replicas connected.
		for i, role := range []string{"master", "slave", "slave"} {
			pod := map[string]string{"namespace": dataNS, "pod": target.Store + "-" + string(rune('0'+i)), "job": "data/" + target.Store}
			replicas := 0.0
			if role == "master" {
				replicas = 2
			}
			out = append(out,
				gen{with(pod, "__name__", "redis_up"), gauge(1)},
				gen{with(pod, "__name__", "redis_instance_info", "role", role, "redis_version", "7.4.2"), gauge(1)},
				gen{with(pod, "__name__", "redis_connected_slaves"), gauge(replicas)},
				gen{with(pod, "__name__", "redis_memory_used_bytes"), gauge(64 << 20)})
		}
	}
	ksm := map[string]string{"namespace": dataNS, "job": "kube-state-metrics"}
	for _, cj := range []string{target.BackupJob, target.RestoreTestJob} {
		out = append(out,
			gen{with(ksm, "__name__", "kube_cronjob_status_last_successful_time", "cronjob", cj), gauge(ago(time.Hour))},
			gen{with(ksm, "__name__", "kube_job_failed", "job_name", cj+"-29000000", "condition", "true"), gauge(0)},
			// A pod that failed before its retry succeeded.
			gen{with(ksm, "__name__", "kube_job_status_failed", "job_name", cj+"-29000000"), gauge(1)})
	}
	return out
}

func TestStoreAlerts(t *testing.T) {
	ago := func(d time.Duration) float64 { return float64(evalEnd.Add(-d).Unix()) }
	pod := func(store string, n string) map[string]string {
		return map[string]string{"namespace": dataNS, "pod": store + "-" + n, "job": "data/" + store}
	}
	ksm := map[string]string{"namespace": dataNS, "job": "kube-state-metrics"}
	tests := []struct {
		name   string
		target StoreTarget
		fault  []gen
		want   string
	}{
		{"a standby lags", operatorStore, []gen{{with(pod("orders-db", "3"), "__name__", "cnpg_pg_replication_lag"), gauge(900)}}, AlertPostgresReplicationLag},
		{"the primary changed", operatorStore, []gen{{with(pod("orders-db", "2"), "__name__", "cnpg_pg_replication_in_recovery"), func(a time.Duration) float64 {
			if a < 5*time.Minute {
				return 0
			}
			return 1
		}}}, AlertPostgresFailover},
		{"archiving fails", operatorStore, []gen{{with(pod("orders-db", "1"), "__name__", "cnpg_pg_stat_archiver_last_failed_time"), gauge(ago(0))}}, AlertPostgresWALArchiving},
		// Every instance reports the same newest backup.
		{"no recent base backup", operatorStore, []gen{
			{with(pod("orders-db", "1"), "__name__", MetricLastBackup), gauge(ago(72 * time.Hour))},
			{with(pod("orders-db", "2"), "__name__", MetricLastBackup), gauge(ago(72 * time.Hour))},
			{with(pod("orders-db", "3"), "__name__", MetricLastBackup), gauge(ago(72 * time.Hour))},
		}, AlertPostgresBackupTooOld},
		{"a restore test failed", operatorStore, []gen{{with(ksm, "__name__", "kube_job_failed", "job_name", "orders-db-restore-test-29000001", "condition", "true"), gauge(1)}}, AlertStoreRestoreTestFailed},
		{"no restore test passed", operatorStore, []gen{{with(ksm, "__name__", "kube_cronjob_status_last_successful_time", "cronjob", "orders-db-restore-test"), gauge(ago(72 * time.Hour))}}, AlertStoreRestoreTestMissing},
		{"a replica is disconnected", redisStore, []gen{{with(pod("sessions", "0"), "__name__", "redis_connected_slaves"), gauge(1)}}, AlertRedisReplicaDisconnected},
		{"no primary", redisStore, []gen{{with(pod("sessions", "0"), "__name__", "redis_instance_info", "role", "master", "redis_version", "7.4.2"), until(10*time.Minute, gauge(1))}}, AlertRedisPrimaryNotUnique},
		// A split brain that outlasts the failover alert: sessions-2
		// has claimed the master role for an hour.
		{"two primaries", redisStore, []gen{{with(pod("sessions", "2"), "__name__", "redis_instance_info", "role", "master", "redis_version", "7.4.2"), gauge(1)}}, AlertRedisPrimaryNotUnique},
		// Sentinel promoted sessions-1 five minutes ago; sessions-0 rejoined as a replica.
		{"the primary changed", redisStore, []gen{
			{with(pod("sessions", "0"), "__name__", "redis_instance_info", "role", "master", "redis_version", "7.4.2"), until(5*time.Minute, gauge(1))},
			{with(pod("sessions", "0"), "__name__", "redis_instance_info", "role", "slave", "redis_version", "7.4.2"), since(5*time.Minute, gauge(1))},
			{with(pod("sessions", "1"), "__name__", "redis_instance_info", "role", "slave", "redis_version", "7.4.2"), until(5*time.Minute, gauge(1))},
			{with(pod("sessions", "1"), "__name__", "redis_instance_info", "role", "master", "redis_version", "7.4.2"), since(5*time.Minute, gauge(1))},
		}, AlertRedisFailover},
		{"a dump failed", inClusterStore, []gen{{with(ksm, "__name__", "kube_job_failed", "job_name", "cache-backup-29000001", "condition", "true"), gauge(1)}}, AlertStoreBackupFailed},
		{"no dump for two periods", inClusterStore, []gen{{with(ksm, "__name__", "kube_cronjob_status_last_successful_time", "cronjob", "cache-backup"), gauge(ago(13 * time.Hour))}}, AlertStoreBackupTooOld},
	}
	for _, target := range []StoreTarget{operatorStore, redisStore, inClusterStore} {
		assert.Empty(t, storeFiring(t, target, healthyStore(target)), "a healthy %s raises nothing", target.Store)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The fault's series replace the healthy ones of the same labels.
			input := tt.fault
			faulty := map[string]bool{}
			for _, g := range tt.fault {
				faulty[toLabelSet(g.labels).String()] = true
			}
			for _, g := range healthyStore(tt.target) {
				if !faulty[toLabelSet(g.labels).String()] {
					input = append(input, g)
				}
			}
			got := storeFiring(t, tt.target, input)
			require.Len(t, got, 1, "only %s fires: %v", tt.want, got)
			require.Len(t, got[tt.want], 1)
			assert.Equal(t, dataNS, got[tt.want][0]["namespace"])
		})
	}
}

func toLabelSet(m map[string]string) model.LabelSet {
	ls := model.LabelSet{}
	for k, v := range m {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls
}

func TestTooOld(t *testing.T) {
	for _, tt := range []struct {
		schedule string
		want     time.Duration
	}{
		{"0 3 * * *", 48 * time.Hour},
		{"0 */6 * * *", 12 * time.Hour},
		{"15 * * * *", 2 * time.Hour},
		{"0 2,14 * * *", 24 * time.Hour},
		{"0 3 * * 0", 14 * 24 * time.Hour},
		{"0 3 1 * *", 62 * 24 * time.Hour},
		{"@daily", 48 * time.Hour},
		{"@weekly", 14 * 24 * time.Hour},
		{"@hourly", 2 * time.Hour},
		{"@every 6h", 12 * time.Hour},
	} {
		assert.Equal(t, int64(tt.want/time.Second), tooOld(tt.schedule), tt.schedule)
	}
}

// TestStoreRulesLoadAndAreDocumented loads every store rule group in
// Prometheus' rule loader and finds each alert's runbook section.
func TestStoreRulesLoadAndAreDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "observability-metrics.md"))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, target := range []StoreTarget{operatorStore, redisStore, inClusterStore} {
		file, err := yaml.Marshal(monitoringv1.PrometheusRuleSpec{Groups: StoreRules(target)})
		require.NoError(t, err)
		_, errs := rulefmt.Parse(file, false, model.LegacyValidation, promParser, slog.New(slog.DiscardHandler))
		require.Empty(t, errs, "%s", file)
		for _, g := range StoreRules(target) {
			for _, r := range g.Rules {
				seen[r.Alert] = true
				assert.Contains(t, string(doc), "\n### "+r.Alert+"\n", "runbook section for %s", r.Alert)
				assert.Equal(t, RunbookURL(r.Alert), r.Annotations["runbook_url"])
			}
		}
	}
	assert.Len(t, seen, 11, "every store alert is raised by one of the targets")
	assert.Empty(t, StoreRules(StoreTarget{Platform: "shop", Store: "jobs"}), "a store without backups or an operator has no rules")
}

// TestStoreDashboardQueriesReturnData runs every panel query of the store
// dashboards against a healthy store's scrape, and the namespace variable's
// query offers the store's namespace.
func TestStoreDashboardQueriesReturnData(t *testing.T) {
	vars := strings.NewReplacer("$"+NamespaceVariable, dataNS)
	for _, target := range []StoreTarget{operatorStore, redisStore, inClusterStore} {
		t.Run(target.Store, func(t *testing.T) {
			st := &memStore{}
			for _, g := range healthyStore(target) {
				st.addGen(g)
			}
			raw, err := StoreDashboard(target)
			require.NoError(t, err)
			var d dashJSON
			require.NoError(t, json.Unmarshal(raw, &d))
			assert.Equal(t, DashboardUID(target.Platform, target.Store), d.UID)
			n := 0
			for _, p := range d.Panels {
				for _, q := range p.Targets {
					n++
					assert.NotEmpty(t, st.instant(t, vars.Replace(q.Expr)), "%s: %s", p.Title, q.Expr)
				}
			}
			assert.Positive(t, n)
			v := d.Templating.List[1]
			series := strings.TrimSuffix(strings.TrimPrefix(v.Query, "label_values("), ", namespace)")
			require.NotEmpty(t, st.instant(t, series), v.Query)
			assert.Equal(t, dataNS, st.instant(t, series)[0].Metric.Get("namespace"))
		})
	}
	none, err := StoreDashboard(StoreTarget{Platform: "shop", Store: "jobs"})
	require.NoError(t, err)
	assert.Nil(t, none, "nothing to show for a store without an operator or backups")
}
