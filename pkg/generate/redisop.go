package generate

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Operator-managed Redis (mode operator, the staging and production
// default): the OT redis-operator runs a RedisReplication of
// spec.StoreInstances pods, one primary and replicas spread over zones,
// and a RedisSentinel of three Sentinels that promote a replica when the
// primary fails (quorum two). The operator keeps the redis-role label of
// each pod current, so its <store>-master Service follows the primary;
// Sentinel-aware clients ask the Sentinels instead. The OT operator is
// chosen over Bitnami's chart (a Helm chart, not an operator, whose images
// are no longer published freely) and the Spotahome operator (unmaintained
// since 2022); it is the Apache-licensed operator still released. It is
// the platform owner's install (docs/namespaces/data.md) with its
// GenerateConfigInInitContainer feature gate on: the operator's own init
// container writes the configuration into an emptyDir, so the pods run the
// engine's official image (the same as in-cluster mode) with a read-only
// root filesystem, as the restricted admission baseline requires.

// RedisMasterService and RedisReplicaService are the Services the
// operator creates for a RedisReplication: its primary, and its replicas.
func RedisMasterService(ds string) string { return ds + "-master" }

// RedisReplicaService is the Service of a RedisReplication's replicas.
func RedisReplicaService(ds string) string { return ds + "-replica" }

// RedisSentinels names the Sentinels' StatefulSet, Service and pods'
// name label (the RedisSentinel resource is named after the store).
func RedisSentinels(ds string) string { return ds + "-sentinel" }

// underRedisOperator says whether the Redis operator runs ds in c.Env.
func underRedisOperator(c *Context, ds *spec.DataStore) bool {
	return ds.Type == spec.DataRedis && c.storeMode(ds) == spec.ModeOperator
}

// sentinelCount is the Sentinels of every store: three, so that two agree
// on a failover while one is down.
const sentinelCount = 3

// redisOperatorObjects renders each redis store under the operator in c.Env.
func redisOperatorObjects(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		if !underRedisOperator(c, ds) {
			continue
		}
		src := fmt.Sprintf("spec.data[%d]", i)
		add := func(kind, name string, obj any) {
			out = append(out, Object{ID: id("data", kind, name), Area: "data", Source: src, Obj: obj})
		}
		ns := c.NS("data")
		add("ServiceAccount", ds.Name, &corev1.ServiceAccount{
			TypeMeta: typeServiceAccount, ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: c.labels(ds.Name, string(ds.Type))},
			AutomountServiceAccountToken: ptr(false),
		})
		add("ExternalSecret", CredentialsSecret(ds.Name), credentialsSecret(c, ds, ns, CredentialsSecret(ds.Name), nil))
		rr, err := redisReplication(c, ds)
		if err != nil {
			return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
		}
		add("RedisReplication", ds.Name, rr)
		rs, err := redisSentinel(c, ds)
		if err != nil {
			return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
		}
		add("RedisSentinel", ds.Name, rs)
		add("NetworkPolicy", ds.Name, redisPolicy(c, ds))
		add("NetworkPolicy", RedisSentinels(ds.Name), sentinelPolicy(c, ds))
	}
	return out, nil
}

// redisPods are the pod settings of a store's Redis and Sentinel pods:
// the engine's UID, the restricted container context (for the
// operator's init-config container too, through the disabled extra init
// container whose context it borrows), a budget of one disruption, and
// spread over nodes and zones — required in production where every pod
// can have a zone of its own.
func redisPods(c *Context, ds *spec.DataStore, name string, pods int32) redisPodSettings {
	s := redisPodSettings{
		PodSecurityContext: engines[ds.Type].podSecurity(),
		SecurityContext:    restrictedContainer(),
		PriorityClassName:  c.PriorityClassName(PriorityPlatform),
		InitContainer:      &RedisInitContainer{Enabled: ptr(false), Image: ds.Image, SecurityContext: restrictedContainer()},
		// The operator renders the budget only when asked; one pod at a
		// time keeps a primary or a Sentinel majority through a drain.
		PodDisruptionBudget: &RedisPDB{Enabled: true, MaxUnavailable: ptr(int32(1))},
		ServiceAccountName:  ds.Name,
	}
	if c.Env != nil && c.Env.Region != "" {
		s.Affinity = regionAffinity(c.Env.Region)
	}
	hard := c.Env != nil && c.Env.Tier == spec.TierProduction && len(c.Env.Zones) >= 2 && int32(len(c.Env.Zones)) >= pods
	s.TopologySpreadConstraints = spread(map[string]string{LabelName: name}, hard)
	return s
}

// redisReplication is the store's RedisReplication.
func redisReplication(c *Context, ds *spec.DataStore) (*RedisReplication, error) {
	res, err := storeResources(ds, engines[ds.Type])
	if err != nil {
		return nil, err
	}
	storage, err := quantity(ds.Storage)
	if err != nil {
		return nil, err
	}
	instances := spec.StoreInstances(ds, c.Env)
	pods := redisPods(c, ds, ds.Name, instances)
	pvc := RedisClaimSet{Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: storage}},
	}}
	if ds.StorageClass != "" {
		pvc.Spec.StorageClassName = ptr(ds.StorageClass)
	}
	rr := &RedisReplication{
		TypeMeta:   typeRedisReplication,
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: c.labels(ds.Name, string(ds.Type))},
		Spec: RedisReplicationSpec{
			ClusterSize: instances,
			KubernetesConfig: RedisKubernetesConfig{
				Image: ds.Image, ImagePullPolicy: pullPolicy, Resources: &res,
				RedisSecret: &RedisSecret{Name: CredentialsSecret(ds.Name), Key: "password"},
				// Deleting or scaling the store must never delete data.
				PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
					WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
					WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				},
			},
			Storage:          &RedisStorage{KeepAfterDelete: true, VolumeClaimTemplate: pvc},
			redisPodSettings: pods,
			// Redis flushes on SIGTERM; give it the StatefulSet's 120 s.
			TerminationGracePeriodSeconds: ptr(int64(120)),
		},
	}
	if c.metricsOn() {
		ex, err := resources("50m", "64Mi")
		if err != nil {
			return nil, err
		}
		// The operator gives the exporter the address and password; the
		// queue keys it reads are the in-cluster sidecar's.
		var env []corev1.EnvVar
		if keys := queueKeys(c.P, ds.Name); len(keys) > 0 {
			env = []corev1.EnvVar{{Name: "REDIS_EXPORTER_CHECK_SINGLE_KEYS", Value: strings.Join(keys, ",")}}
		}
		rr.Spec.RedisExporter = &RedisExporter{Enabled: true, Image: spec.ExporterImage(ds), ImagePullPolicy: pullPolicy,
			Resources: &ex, Env: env, SecurityContext: restrictedContainer()}
	}
	return rr, nil
}

// redisSentinel is the store's RedisSentinel: three Sentinels on the
// store's image (the official image has redis-sentinel), authenticating to
// the store, and asking clients for the same password.
func redisSentinel(c *Context, ds *spec.DataStore) (*RedisSentinel, error) {
	res, err := resources("50m", "64Mi")
	if err != nil {
		return nil, err
	}
	pods := redisPods(c, ds, RedisSentinels(ds.Name), sentinelCount)
	return &RedisSentinel{
		TypeMeta: typeRedisSentinel,
		// The operator names the Sentinels' pods <name>-sentinel-N and
		// gives them the resource's labels: the name label sets them
		// apart from the store's own pods.
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: c.labels(RedisSentinels(ds.Name), "redis-sentinel")},
		Spec: RedisSentinelSpec{
			ClusterSize: sentinelCount,
			KubernetesConfig: RedisKubernetesConfig{
				Image: ds.Image, ImagePullPolicy: pullPolicy, Resources: &res,
				RedisSecret: &RedisSecret{Name: CredentialsSecret(ds.Name), Key: "password"},
			},
			RedisSentinelConfig: &RedisSentinelConfig{
				RedisReplicationName: ds.Name, MasterGroupName: ds.Name,
				RedisReplicationPassword: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: CredentialsSecret(ds.Name)}, Key: "password",
				}},
			},
			redisPodSettings: pods,
		},
	}, nil
}

// redisPolicy admits to a store's Redis pods its consumers, the other Redis
// pods (replication), its Sentinels, the operator (which reads each pod's
// role and points replicas at the primary), its backup job and
// Prometheus; they reach each other only.
func redisPolicy(c *Context, ds *spec.DataStore) *networkingv1.NetworkPolicy {
	np := workloadPolicy(c, "data", ds.Name)
	port := spec.DataPorts[ds.Type]
	self := namePeer(ds.Name)
	np.Spec.Ingress = append(np.Spec.Ingress, consumerIngress(c, consumers(c.P, ds.Name), port)...)
	from := []networkingv1.NetworkPolicyPeer{self, namePeer(RedisSentinels(ds.Name)), {NamespaceSelector: systemSelector(RedisOperatorNS)}}
	if ds.Backup != nil {
		if b, _ := backupStorage(c, ds); b != nil {
			from = append(from, namePeer(BackupJob(ds.Name)))
		}
	}
	np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: from, Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)}})
	if c.metricsOn() {
		np.Spec.Ingress = append(np.Spec.Ingress, scrapeIngress(c, RedisExporterPort))
	}
	np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{self}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)}})
	return np
}

// sentinelPolicy admits to a store's Sentinels its consumers (which ask
// them for the primary), each other and the operator; they reach each
// other and the store's Redis pods.
func sentinelPolicy(c *Context, ds *spec.DataStore) *networkingv1.NetworkPolicy {
	name := RedisSentinels(ds.Name)
	np := workloadPolicy(c, "data", name)
	self := namePeer(name)
	np.Spec.Ingress = append(np.Spec.Ingress, consumerIngress(c, consumers(c.P, ds.Name), RedisSentinelPort)...)
	np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
		From:  []networkingv1.NetworkPolicyPeer{self, {NamespaceSelector: systemSelector(RedisOperatorNS)}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(RedisSentinelPort)},
	})
	np.Spec.Egress = append(np.Spec.Egress,
		networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{self}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(RedisSentinelPort)}},
		networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{namePeer(ds.Name)}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(spec.DataPorts[ds.Type])}})
	return np
}

// storeEgress lets a consumer reach an in-cluster or operator store: its
// pods on the client port and, under the Redis operator, its Sentinels; a
// document store's FerretDB pods.
func storeEgress(c *Context, ds *spec.DataStore) []networkingv1.NetworkPolicyEgressRule {
	to := func(name string, port int32) networkingv1.NetworkPolicyEgressRule {
		return networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: c.areaSelector("data"),
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: name}},
			}},
			Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)},
		}
	}
	if ds.Type == spec.DataFerretDB {
		return []networkingv1.NetworkPolicyEgressRule{to(FerretDBProxy(ds.Name), spec.DataPorts[ds.Type])}
	}
	rules := []networkingv1.NetworkPolicyEgressRule{to(ds.Name, spec.DataPorts[ds.Type])}
	if underRedisOperator(c, ds) {
		rules = append(rules, to(RedisSentinels(ds.Name), RedisSentinelPort))
	}
	return rules
}
