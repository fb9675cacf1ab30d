package reliability

import (
	"strings"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// Data stores: what a hand-written data layer gets wrong. A database run
// as a plain StatefulSet has no failover, and no budget unless someone
// wrote one; the operators that run databases well keep both, unless told
// not to.

// dbEngine is a database engine, the images it ships in, and what runs it
// replicated with failover on Kubernetes.
type dbEngine struct {
	name string
	// operator is an established operator for the engine and its custom
	// resource; "" where there is none to name.
	operator string
	// images are the last path components of the engine's image
	// repositories: postgres for docker.io/library/postgres:16,
	// postgresql for bitnami/postgresql and for
	// ghcr.io/cloudnative-pg/postgresql.
	images []string
}

// dbEngines are the database engines the data-store rules recognize. An
// image counts when the last component of its repository is one of an
// engine's images exactly: postgres-exporter, pgbouncer or
// bitnami/postgresql-repmgr are not PostgreSQL servers, and message
// brokers (Kafka, RabbitMQ, NATS) are not databases here.
var dbEngines = []dbEngine{
	{name: "PostgreSQL", operator: "CloudNativePG Cluster", images: []string{"postgres", "postgresql", "postgis", "timescaledb"}},
	{name: "MySQL", operator: "MySQL Operator InnoDBCluster or Percona Operator for MySQL", images: []string{"mysql", "mysql-server", "percona-server"}},
	{name: "MariaDB", operator: "mariadb-operator MariaDB", images: []string{"mariadb"}},
	{name: "MongoDB", operator: "MongoDB Community Operator MongoDBCommunity or Percona Operator for MongoDB", images: []string{"mongo", "mongodb", "mongodb-community-server"}},
	{name: "Redis", operator: "OT redis-operator RedisReplication", images: []string{"redis", "redis-stack-server"}},
	{name: "Valkey", images: []string{"valkey"}},
	{name: "KeyDB", images: []string{"keydb"}},
	{name: "Cassandra", operator: "K8ssandra K8ssandraCluster", images: []string{"cassandra"}},
	{name: "ScyllaDB", operator: "Scylla Operator ScyllaCluster", images: []string{"scylla"}},
	{name: "Elasticsearch", operator: "ECK Elasticsearch", images: []string{"elasticsearch"}},
	{name: "OpenSearch", operator: "OpenSearch Kubernetes Operator OpenSearchCluster", images: []string{"opensearch"}},
	{name: "ClickHouse", operator: "Altinity clickhouse-operator ClickHouseInstallation", images: []string{"clickhouse-server"}},
	{name: "CockroachDB", operator: "CockroachDB operator CrdbCluster", images: []string{"cockroach"}},
	{name: "etcd", images: []string{"etcd"}},
}

// dbEngineByImage indexes dbEngines by image.
var dbEngineByImage = func() map[string]*dbEngine {
	m := map[string]*dbEngine{}
	for i := range dbEngines {
		for _, img := range dbEngines[i].images {
			m[img] = &dbEngines[i]
		}
	}
	return m
}()

// dbEngineList is dbEngines for a rule's description.
func dbEngineList() string {
	parts := make([]string, len(dbEngines))
	for i, e := range dbEngines {
		parts[i] = e.name + " (" + strings.Join(e.images, ", ") + ")"
	}
	return strings.Join(parts, "; ")
}

// imageName is the last path component of an image's repository, without
// tag or digest: rclone for docker.io/rclone/rclone:1.68@sha256:….
func imageName(image string) string {
	name := imageref.Parse(image).Name
	return name[strings.LastIndexByte(name, '/')+1:]
}

// runsDatabase returns the engine a regular container of the pod runs,
// and that container, or nil: init containers and sidecars with a
// database image (a wait-for-database check, a metrics exporter) are not
// the database.
func runsDatabase(pi *facts.PodInfo) (*dbEngine, *lint.Container) {
	for i := range pi.Containers {
		c := &pi.Containers[i]
		if c.Kind != lint.RegularContainer {
			continue
		}
		if e := dbEngineByImage[imageName(lint.Str(lint.Field(c.Node, "image")))]; e != nil {
			return e, c
		}
	}
	return nil, nil
}

// judgedByDatabaseMissingPDB says whether database-missing-pdb, not
// missing-pdb, reports o when no budget selects its pods: one finding per
// missing budget, with the reason that matters for a database.
func judgedByDatabaseMissingPDB(pi *facts.PodInfo) bool {
	e, _ := runsDatabase(pi)
	return e != nil && pi.Obj.Kind == facts.KindStatefulSet
}

func databaseSingleReplicaProduction() lint.Rule {
	return lint.Rule{
		ID: "database-single-replica-production", Title: "Production database runs as one replica without an operator", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "Off by default. A StatefulSet or Deployment in production (the object, or its Namespace among the inputs, is labeled platformctl.dev/environment: production or environment: production) " +
			"runs a database engine as a single replica (spec.replicas unset or 1, and no autoscaler scales it). A node failure, a drain, a zone outage or a corrupted volume is then an outage with nothing to fail over to, " +
			"and whatever the last backup does not hold is lost. More replicas of the same StatefulSet do not help: each would be an independent, empty database; replication, failover and fencing are what an operator or a managed service adds. " +
			"A database is recognized by the last path component of a regular container's image repository (docker.io/library/postgres:16, bitnami/postgresql and ghcr.io/cloudnative-pg/postgresql are all PostgreSQL): " +
			dbEngineList() + ". " +
			"Operators' custom resources (a CloudNativePG Cluster, a RedisReplication) are not StatefulSets and are not judged; CloudNativePG creates its pods directly, without a StatefulSet. " +
			"spec.replicas: 0 (switched off) is not judged; replicas-below-minimum reports the replica count of any workload.",
		Remediation: "Run the database under an operator that manages replication and failover — CloudNativePG (Cluster) for PostgreSQL, OT redis-operator (RedisReplication) for Redis, " +
			"mariadb-operator, the MySQL or MongoDB operators — with at least 2 instances, or use a managed database service. " +
			"For a store whose loss is acceptable (a cache that refills itself), ignore the rule on the object with the reason.",
		References: []string{"https://cloudnative-pg.io/documentation/current/architecture/", "https://kubernetes.io/docs/tasks/run-application/run-replicated-stateful-application/"},
		Disabled:   true,
		CheckSet: func(s *lint.Set, ctx *lint.Context, r *lint.Reporter) {
			f := facts.Of(s)
			for _, kind := range []string{facts.KindStatefulSet, facts.KindDeployment} {
				for _, o := range s.OfKind(kind) {
					pi := f.ByObj[o]
					if pi == nil || !facts.IsProduction(o, ctx) {
						continue
					}
					n, set, known := facts.SpecReplicas(o)
					if !known || (set && n == 0) || n > 1 || f.Autoscalers.Of(o) != nil {
						continue
					}
					e, c := runsDatabase(pi)
					if e == nil {
						continue
					}
					r.Report(o, "spec.replicas", "%s runs %s (%s, %s) as a single replica in production; run it under %s or use a managed service",
						facts.Describe(o), e.name, c.Who(), lint.Str(lint.Field(c.Node, "image")), e.operatorAdvice())
				}
			}
		},
	}
}

// operatorAdvice names what to run e under, for a message.
func (e *dbEngine) operatorAdvice() string {
	if e.operator == "" {
		return "an operator that manages replication and failover"
	}
	return "an operator (" + e.operator + ")"
}

// operatorStore is a custom resource whose operator creates a replicated
// store's pods itself: no workload of the input has them, and whether
// they get a PodDisruptionBudget is a field of the resource.
type operatorStore struct {
	apiVersion, kind, engine string
	// size is how many pods the resource runs; ok is false when the field
	// is not a number (a placeholder).
	size func(o *lint.Object) (n int64, ok bool)
	// budgeted says whether the operator keeps a budget for the pods;
	// budgetField is the field that says so.
	budgeted    func(o *lint.Object) bool
	budgetField string
	// unbudgeted says, for a message, why the operator keeps no budget.
	unbudgeted string
	// podLabels are the label sets the operator gives the pods (one per
	// role), which a budget of the input may select instead.
	podLabels func(o *lint.Object) []map[string]string
}

// operatorStores are the operator resources database-missing-pdb judges,
// as the operators' CRDs (testdata/crds) define them.
var operatorStores = []operatorStore{
	{
		// CloudNativePG keeps a budget for the primary and, from 3
		// instances, one for the replicas, unless enablePDB is false.
		apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", engine: "PostgreSQL",
		size: func(o *lint.Object) (int64, bool) {
			n := lint.Get(o.Root, "spec", "instances")
			if n == nil {
				return 1, true // the CRD's default
			}
			return lint.Int(n)
		},
		budgeted:    func(o *lint.Object) bool { return !lint.IsFalse(lint.Get(o.Root, "spec", "enablePDB")) },
		budgetField: "spec.enablePDB", unbudgeted: "spec.enablePDB is false",
		podLabels: facts.OperatorPodLabels,
	},
	{
		// The OT redis-operator creates a budget only with pdb.enabled;
		// its pods carry the resource's own labels and three of its own.
		apiVersion: "redis.redis.opstreelabs.in/v1beta2", kind: "RedisReplication", engine: "Redis",
		size:        func(o *lint.Object) (int64, bool) { return lint.Int(lint.Get(o.Root, "spec", "clusterSize")) },
		budgeted:    func(o *lint.Object) bool { return lint.IsTrue(lint.Get(o.Root, "spec", "pdb", "enabled")) },
		budgetField: "spec.pdb.enabled", unbudgeted: "spec.pdb.enabled is not true",
		podLabels: facts.OperatorPodLabels,
	},
}

func databaseMissingPDB() lint.Rule {
	return lint.Rule{
		ID: "database-missing-pdb", Title: "Replicated database without a PodDisruptionBudget", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A database that runs several instances is not protected by a PodDisruptionBudget. Node drains — cluster upgrades, autoscaler scale-downs, spot reclaims — may then evict the primary and its replicas at once: " +
			"writes stop, a quorum is lost, and the instances that come back must resynchronize before the database serves again. Judged are a StatefulSet running a database engine (the images database-single-replica-production lists) " +
			"with at least 2 replicas (spec.replicas, or its autoscaler's minimum) whose pods no PodDisruptionBudget of the input in its namespace selects — missing-pdb leaves these StatefulSets to this rule; " +
			"a CloudNativePG Cluster (postgresql.cnpg.io/v1) with 2 or more instances and spec.enablePDB: false; and an OT redis-operator RedisReplication (redis.redis.opstreelabs.in/v1beta2) with clusterSize 2 or more whose spec.pdb.enabled is not true. " +
			"An operator's resource is not reported when a budget of the input selects the labels the operator gives its pods (cnpg.io/cluster with cnpg.io/instanceRole; app, redis_setup_type and role). " +
			"As for missing-pdb, budgets are looked for among the inputs: a budget applied from elsewhere is not seen.",
		Remediation: "For a CloudNativePG Cluster remove enablePDB: false (the operator then keeps the budgets); for a RedisReplication set spec.pdb.enabled: true with maxUnavailable: 1; " +
			"for a StatefulSet add a PodDisruptionBudget in the same namespace whose selector matches the pod template labels, with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow — or move the database to an operator.",
		References: []string{docsPDB, "https://cloudnative-pg.io/documentation/current/kubernetes_upgrade/#pod-disruption-budgets"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			f := facts.Of(s)
			pdbs := lint.Memo(s, facts.PDBs)
			for _, o := range s.OfKind(facts.KindStatefulSet) {
				pi := f.ByObj[o]
				if pi == nil || !judgedByDatabaseMissingPDB(pi) {
					continue
				}
				rr := facts.RangeOf(o, f.Autoscalers)
				if !rr.Known || rr.Min < 2 || pdbs[o.Namespace].Any(pi.Labels) {
					continue
				}
				e, _ := runsDatabase(pi)
				if rr.Auto != nil {
					r.Report(o, "metadata.name", "%s runs %s with at least %s (%s %q minimum) and no PodDisruptionBudget selects its pods; a node drain may evict its instances together, and the primary or the quorum with them",
						facts.Describe(o), e.name, lint.Count(rr.Min, "replica"), kindWord(rr.Auto.Obj), rr.Auto.Obj.Name)
					continue
				}
				r.Report(o, "spec.replicas", "%s runs %s with %s and no PodDisruptionBudget selects its pods; a node drain may evict its instances together, and the primary or the quorum with them",
					facts.Describe(o), e.name, lint.Count(rr.Min, "replica"))
			}
			for _, st := range operatorStores {
				for _, o := range s.OfKind(st.kind) {
					if o.APIVersion != st.apiVersion || st.budgeted(o) {
						continue
					}
					n, ok := st.size(o)
					if !ok || n < 2 || selectedByPDB(pdbs[o.Namespace], st.podLabels(o)) {
						continue
					}
					r.Report(o, st.budgetField, "%s runs %d %s instances, %s and no PodDisruptionBudget selects their pods; a node drain may evict its instances together, and the primary or the quorum with them",
						facts.Describe(o), n, st.engine, st.unbudgeted)
				}
			}
		},
	}
}

// selectedByPDB says whether a budget of the index selects pods with any
// of the label sets.
func selectedByPDB(ix *facts.SelectorIndex, podLabels []map[string]string) bool {
	for _, l := range podLabels {
		if ix.Any(l) {
			return true
		}
	}
	return false
}
