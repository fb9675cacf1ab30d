package monitoring

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
)

// The data stores' own signals: CloudNativePG's instance metrics (scraped
// by the store's PodMonitor; the pods are named <store>-<n>) for
// replication, WAL archiving, base backups and failovers, and
// kube-state-metrics' Job and CronJob series for the backup and restore-test
// CronJobs. Like the services' rules, nothing here names an environment or a
// namespace: the pod, Job and CronJob names are the same in every one.

// Store alert names; each is also the runbook's anchor.
const (
	AlertPostgresReplicationLag   = "PostgresReplicationLagHigh"
	AlertPostgresWALArchiving     = "PostgresWALArchivingFailing"
	AlertPostgresBackupTooOld     = "PostgresBackupTooOld"
	AlertPostgresFailover         = "PostgresFailover"
	AlertRedisReplicaDisconnected = "RedisReplicaDisconnected"
	AlertRedisPrimaryNotUnique    = "RedisPrimaryNotUnique"
	AlertRedisFailover            = "RedisFailover"
	AlertStoreBackupFailed        = "StoreBackupFailed"
	AlertStoreBackupTooOld        = "StoreBackupTooOld"
	AlertStoreRestoreTestFailed   = "StoreRestoreTestFailed"
	AlertStoreRestoreTestMissing  = "StoreRestoreTestNotSucceeding"
)

// MetricLastBackup is the Barman Cloud plugin's time of the newest base
// backup in the object store (it supersedes CloudNativePG's in-tree
// cnpg_collector_last_available_backup_timestamp, which plugin backups do
// not update).
const MetricLastBackup = "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp"

// ReplicationLagSeconds is the standby lag above which
// PostgresReplicationLagHigh warns: a failover would lose, or with
// synchronous replication wait for, that much.
const ReplicationLagSeconds = 300

// StoreTarget describes a data store to its rules.
type StoreTarget struct {
	Platform, Store string
	// CloudNativePG is true when CloudNativePG runs the store in some
	// environment, RedisReplication when the Redis operator does, Dumped
	// when backup CronJobs dump it (in-cluster stores, and Redis under the
	// operator): the rules are the same in every environment, and an
	// alert on series a mode does not produce never fires there.
	CloudNativePG, RedisReplication, Dumped bool
	// Backup and RestoreTest are the cron schedules of its backups and
	// restore tests; empty without backups.
	Backup, RestoreTest string
	// BackupJob and RestoreTestJob name its CronJobs.
	BackupJob, RestoreTestJob string
}

// StoreRules returns the store's rule group, empty when it has nothing to
// alert on.
func StoreRules(t StoreTarget) []monitoringv1.RuleGroup {
	tt := Target{Platform: t.Platform, Service: t.Store}
	pods := fmt.Sprintf(`pod=~"%s-[0-9]+"`, t.Store)
	var rules []monitoringv1.Rule
	if t.CloudNativePG {
		rules = append(rules,
			tt.alert(AlertPostgresReplicationLag,
				fmt.Sprintf("max by (namespace) (cnpg_pg_replication_lag{%s}) > %d", pods, ReplicationLagSeconds), false, "5m",
				fmt.Sprintf("A standby of %s lags the primary by more than %d seconds", t.Store, ReplicationLagSeconds),
				fmt.Sprintf("The furthest standby of %s is {{ $value }} seconds behind its primary: a failover now would lose that much (asynchronous replication), or writes wait for it (synchronous).", t.Store)),
			tt.alert(AlertPostgresFailover,
				fmt.Sprintf("max by (namespace) (changes(cnpg_pg_replication_in_recovery{%s}[15m])) > 0", pods), false, "",
				fmt.Sprintf("%s changed its primary", t.Store),
				fmt.Sprintf("An instance of %s was promoted or demoted in the last 15 minutes: a failover (the primary failed) or a switchover (an update, a drain). Confirm which, and that the old primary rejoined as a standby.", t.Store)),
		)
		if t.Backup != "" {
			rules = append(rules,
				tt.alert(AlertPostgresWALArchiving,
					fmt.Sprintf("max by (namespace) (cnpg_pg_stat_archiver_last_failed_time{%s} - cnpg_pg_stat_archiver_last_archived_time{%s}) > 0\nand on (namespace)\nmin by (namespace) (cnpg_pg_replication_in_recovery{%s}) == 0", pods, pods, pods), true, "5m",
					fmt.Sprintf("%s cannot archive its WAL", t.Store),
					fmt.Sprintf("The primary of %s failed to archive WAL to the backup storage after its last success: point-in-time recovery stops at that point, and WAL piles up on its volume until archiving works again.", t.Store)),
				tt.alert(AlertPostgresBackupTooOld,
					fmt.Sprintf("time() - max by (namespace) (%s{%s}) > %d", MetricLastBackup, pods, tooOld(t.Backup)), true, "15m",
					fmt.Sprintf("The newest base backup of %s is older than two backup periods", t.Store),
					fmt.Sprintf("The newest base backup of %s in the backup storage is {{ $value | humanizeDuration }} old (schedule %q): recovery must replay all WAL since, and the retention window no longer holds what it should.", t.Store, t.Backup)),
			)
		}
	}
	if t.RedisReplication {
		// The exporter sidecar of each Redis pod (<store>-<n>; the
		// Sentinels are <store>-sentinel-<n>) reports its role and, on the
		// primary, the replicas connected to it.
		master := pods + `,role="master"`
		rules = append(rules,
			tt.alert(AlertRedisReplicaDisconnected,
				fmt.Sprintf("max by (namespace) (redis_connected_slaves{%s})\n< on (namespace)\ncount by (namespace) (redis_up{%s} == 1) - 1", pods, pods), false, "10m",
				fmt.Sprintf("A replica of %s is not replicating from its primary", t.Store),
				fmt.Sprintf("The primary of %s has {{ $value }} replicas connected, fewer than its other running pods: a replica is resyncing or cut off, and a failover now could promote a stale one or none.", t.Store)),
			tt.alert(AlertRedisPrimaryNotUnique,
				fmt.Sprintf("(\n  count by (namespace) (redis_instance_info{%s})\n  or on (namespace)\n  0 * count by (namespace) (redis_up{%s})\n) != 1", master, pods), true, "2m",
				fmt.Sprintf("%s has no primary, or more than one", t.Store),
				fmt.Sprintf("{{ $value }} pods of %s report the master role: with none, writes fail (the Sentinels could not promote a replica); with two, writes to the old primary are lost when it rejoins.", t.Store)),
			// A pod that is primary now and was not 15 minutes ago (pod
			// only: a restart changes the other labels), in a store that
			// was already running then.
			tt.alert(AlertRedisFailover,
				fmt.Sprintf("count by (namespace) (redis_instance_info{%s} unless on (namespace, pod) redis_instance_info{%s} offset 15m) > 0\nand on (namespace)\ncount by (namespace) (redis_instance_info{%s} offset 15m) > 0", master, master, pods), false, "",
				fmt.Sprintf("%s changed its primary", t.Store),
				fmt.Sprintf("The Sentinels of %s promoted a replica in the last 15 minutes: the primary failed, was drained, or was cut off. Confirm that the old primary rejoined as a replica and that clients followed.", t.Store)),
		)
	}
	if t.Dumped && t.Backup != "" {
		rules = append(rules,
			tt.alert(AlertStoreBackupFailed, jobFailed(t.BackupJob), true, "",
				fmt.Sprintf("A backup of %s failed", t.Store),
				fmt.Sprintf("The Job of CronJob %s failed: the dump of %s, or its upload to the backup storage, did not complete.", t.BackupJob, t.Store)),
			tt.alert(AlertStoreBackupTooOld, notSucceeded(t.BackupJob, t.Backup), true, "15m",
				fmt.Sprintf("No backup of %s succeeded for two backup periods", t.Store),
				fmt.Sprintf("CronJob %s last succeeded {{ $value | humanizeDuration }} ago (schedule %q).", t.BackupJob, t.Backup)),
		)
	}
	if t.RestoreTest != "" {
		rules = append(rules,
			tt.alert(AlertStoreRestoreTestFailed, jobFailed(t.RestoreTestJob), true, "",
				fmt.Sprintf("The restore test of %s failed", t.Store),
				fmt.Sprintf("The Job of CronJob %s failed: %s could not be restored from the backup storage (its log says why: no backup, a backup older than 48 hours, or a restore that did not complete). Until one passes, assume the backups cannot be restored.", t.RestoreTestJob, t.Store)),
			tt.alert(AlertStoreRestoreTestMissing, notSucceeded(t.RestoreTestJob, t.RestoreTest), false, "15m",
				fmt.Sprintf("No restore test of %s passed for two periods", t.Store),
				fmt.Sprintf("CronJob %s last succeeded {{ $value | humanizeDuration }} ago (schedule %q): it does not run, or never passes.", t.RestoreTestJob, t.RestoreTest)),
		)
	}
	if len(rules) == 0 {
		return nil
	}
	return []monitoringv1.RuleGroup{{Name: t.Store + ".store", Rules: rules}}
}

// jobFailed fires while a failed Job of the CronJob is kept (its history
// limit keeps the last failures), so it clears when a newer run succeeded
// and the failed one aged out, or is deleted once looked at. A Job whose
// pod failed and whose retry succeeded is not failed: kube_job_failed is
// the Job's Failed condition, not its count of failed pods.
func jobFailed(cronJob string) string {
	return fmt.Sprintf(`max by (namespace) (kube_job_failed{job_name=~"%s-[0-9]+",condition="true"}) > 0`, cronJob)
}

// notSucceeded fires when a CronJob's last success is older than two of
// its periods (kube-state-metrics).
func notSucceeded(cronJob, schedule string) string {
	return fmt.Sprintf(`time() - max by (namespace) (kube_cronjob_status_last_successful_time{cronjob="%s"}) > %d`, cronJob, tooOld(schedule))
}

// descriptors are the periods of the cron descriptors the API server's
// parser (and CloudNativePG's) accept.
var descriptors = map[string]time.Duration{
	"@yearly": 366 * 24 * time.Hour, "@annually": 366 * 24 * time.Hour, "@monthly": 31 * 24 * time.Hour,
	"@weekly": 7 * 24 * time.Hour, "@daily": 24 * time.Hour, "@midnight": 24 * time.Hour, "@hourly": time.Hour,
}

// tooOld is two periods of a cron schedule, in seconds: the longest gap
// between runs the schedule's fields allow, estimated from the finest field
// that repeats (a day-of-month or day-of-week list: a month or a week; a
// step or star in the hours: that many hours; otherwise a day divided by
// the hours listed).
func tooOld(schedule string) int64 {
	if d, ok := descriptors[schedule]; ok {
		return int64(2 * d / time.Second)
	}
	if every, ok := strings.CutPrefix(schedule, "@every "); ok {
		if d, err := time.ParseDuration(every); err == nil && d > 0 {
			return int64(2 * d / time.Second)
		}
	}
	f := strings.Fields(schedule)
	period := 24 * time.Hour
	if len(f) == 5 {
		hour, dom, dow := f[1], f[2], f[4]
		switch {
		case dom != "*":
			period = 31 * 24 * time.Hour
		case dow != "*":
			period = 7 * 24 * time.Hour
		case hour == "*":
			period = time.Hour
		case strings.HasPrefix(hour, "*/"):
			if n, err := strconv.Atoi(hour[2:]); err == nil && n > 0 {
				period = time.Duration(n) * time.Hour
			}
		case strings.Contains(hour, ","):
			period = 24 * time.Hour / time.Duration(strings.Count(hour, ",")+1)
		}
	}
	return int64(2 * period / time.Second)
}

// StoreDashboard returns the Grafana dashboard of a store with an operator
// or backups, as indented JSON ending in a newline: replication (lag, which
// instance is primary), WAL archiving and base backup age for CloudNativePG,
// and the backup and restore-test CronJobs' last success. Nil when the
// store has neither.
func StoreDashboard(t StoreTarget) ([]byte, error) {
	if t.Platform == "" || t.Store == "" {
		return nil, fmt.Errorf("monitoring: dashboard needs a platform and a store (got %q/%q)", t.Platform, t.Store)
	}
	ns := sel("namespace", "$"+NamespaceVariable)
	pods := ns + fmt.Sprintf(`,pod=~"%s-[0-9]+"`, t.Store)
	l := &layout{}
	var series string
	if t.CloudNativePG {
		series = fmt.Sprintf(`cnpg_pg_replication_in_recovery{pod=~"%s-[0-9]+"}`, t.Store)
		l.row("Replication")
		l.add(8, "Standby lag", "Seconds each standby is behind the primary (cnpg_pg_replication_lag).", "s",
			[2]string{fmt.Sprintf("max by (pod) (cnpg_pg_replication_lag{%s})", pods), "{{pod}}"})
		l.add(8, "Primary", "1 for the instance serving as primary: a change is a failover or switchover.", "short",
			[2]string{fmt.Sprintf("1 - max by (pod) (cnpg_pg_replication_in_recovery{%s})", pods), "{{pod}}"})
		l.add(8, "Backends", "Client connections per instance.", "short",
			[2]string{fmt.Sprintf("sum by (pod) (cnpg_backends_total{%s})", pods), "{{pod}}"})
		if t.Backup != "" {
			l.row("Backups")
			l.add(12, "Since the last archived WAL", "Seconds since the primary last archived a WAL segment to the backup storage.", "s",
				[2]string{fmt.Sprintf("time() - max(cnpg_pg_stat_archiver_last_archived_time{%s})", pods), "archived"})
			l.add(12, "Age of the newest base backup", "Seconds since the newest base backup in the backup storage.", "s",
				[2]string{fmt.Sprintf("time() - max(%s{%s})", MetricLastBackup, pods), "base backup"})
		}
	}
	if t.RedisReplication {
		master := pods + `,role="master"`
		series = fmt.Sprintf(`redis_up{pod=~"%s-[0-9]+"}`, t.Store)
		l.row("Replication")
		l.add(8, "Connected replicas", "Replicas connected to the primary (redis_connected_slaves).", "short",
			[2]string{fmt.Sprintf("max by (pod) (redis_connected_slaves{%s})", pods), "{{pod}}"})
		l.add(8, "Primary", "1 for the pod serving as primary: a change is a failover.", "short",
			[2]string{fmt.Sprintf("count by (pod) (redis_instance_info{%s})", master), "{{pod}}"})
		l.add(8, "Memory used", "Memory each pod's Redis holds (redis_memory_used_bytes).", "bytes",
			[2]string{fmt.Sprintf("max by (pod) (redis_memory_used_bytes{%s})", pods), "{{pod}}"})
	}
	var jobs [][2]string
	if t.Dumped && t.Backup != "" {
		jobs = append(jobs, [2]string{fmt.Sprintf("time() - max(kube_cronjob_status_last_successful_time{%s})", ns+","+sel("cronjob", t.BackupJob)), "backup"})
	}
	if t.RestoreTest != "" {
		jobs = append(jobs, [2]string{fmt.Sprintf("time() - max(kube_cronjob_status_last_successful_time{%s})", ns+","+sel("cronjob", t.RestoreTestJob)), "restore test"})
	}
	if len(jobs) > 0 {
		if series == "" {
			series = fmt.Sprintf(`kube_cronjob_status_last_successful_time{cronjob=%s}`, q(t.RestoreTestJob))
		}
		l.row("Backup and restore-test jobs")
		l.add(24, "Since the last success", "Seconds since each CronJob last succeeded (kube-state-metrics).", "s", jobs...)
	}
	if len(l.panels) == 0 {
		return nil, nil
	}
	return encodeDashboard(DashboardUID(t.Platform, t.Store), fmt.Sprintf("%s / %s (data store)", t.Platform, t.Store),
		fmt.Sprintf("Replication and backups of %s (generated by platformctl). Pick the environment with the data source and namespace variables.", t.Store),
		[]string{"platformctl", t.Platform, "store"}, "now-24h",
		[]variable{labelValues(NamespaceVariable, "Namespace", series)}, l.panels)
}
