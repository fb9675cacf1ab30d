package facts

import "github.com/platformctl/platformctl/pkg/lint"

// operatorPods are the custom resources whose operator creates pods itself
// (no StatefulSet in between), and the label sets those pods carry, one
// per role, as the operators' source sets them: a Service, NetworkPolicy,
// PodMonitor or budget that selects them selects real pods although no
// workload of the input has those labels.
var operatorPods = []struct {
	group, kind string
	labels      func(o *lint.Object) []map[string]string
	// nodeSelector is the field the operator copies into its pods'
	// nodeSelector.
	nodeSelector []string
}{
	{
		// CloudNativePG copies spec.inheritedMetadata.labels onto every
		// instance pod and adds its own.
		group: "postgresql.cnpg.io", kind: "Cluster", nodeSelector: []string{"spec", "affinity", "nodeSelector"},
		labels: func(o *lint.Object) []map[string]string {
			inherited := lint.StringMap(lint.Get(o.Root, "spec", "inheritedMetadata", "labels"))
			var out []map[string]string
			for _, role := range []string{"primary", "replica"} {
				l := map[string]string{}
				for k, v := range inherited {
					l[k] = v
				}
				l["cnpg.io/cluster"], l["cnpg.io/podRole"], l["cnpg.io/instanceRole"], l["role"] = o.Name, "instance", role, role
				out = append(out, l)
			}
			return out
		},
	},
	{
		// The OT redis-operator gives the pods the resource's own labels
		// and three of its own, and keeps redis-role current on each
		// (its <name>-master and <name>-replica Services select it).
		group: "redis.redis.opstreelabs.in", kind: "RedisReplication", nodeSelector: []string{"spec", "nodeSelector"},
		labels: func(o *lint.Object) []map[string]string {
			var out []map[string]string
			for _, role := range []string{"master", "slave"} {
				l := redisLabels(o, o.Name, "replication")
				l["redis-role"] = role
				out = append(out, l)
			}
			return out
		},
	},
	{
		// A RedisSentinel's pods are the StatefulSet <name>-sentinel's.
		group: "redis.redis.opstreelabs.in", kind: "RedisSentinel", nodeSelector: []string{"spec", "nodeSelector"},
		labels: func(o *lint.Object) []map[string]string {
			return []map[string]string{redisLabels(o, o.Name+"-sentinel", "sentinel")}
		},
	},
}

// OperatorPodLabels are the label sets of the pods o's operator creates;
// nil when o is not such a resource.
func OperatorPodLabels(o *lint.Object) []map[string]string {
	for _, k := range operatorPods {
		if o.Kind == k.kind && o.Group() == k.group {
			return k.labels(o)
		}
	}
	return nil
}

// OperatorNodeSelector is the nodeSelector of the pods o's operator
// creates; nil when o is not such a resource or sets none.
func OperatorNodeSelector(o *lint.Object) map[string]string {
	for _, k := range operatorPods {
		if o.Kind == k.kind && o.Group() == k.group {
			return lint.StringMap(lint.Get(o.Root, k.nodeSelector...))
		}
	}
	return nil
}

// redisLabels are the labels the OT redis-operator gives the pods of o:
// o's own, then app, redis_setup_type and role.
func redisLabels(o *lint.Object, app, setup string) map[string]string {
	l := map[string]string{}
	for k, v := range o.Labels {
		l[k] = v
	}
	l["app"], l["redis_setup_type"], l["role"] = app, setup, setup
	return l
}
