package generate

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The OT redis-operator's API module brings controller-runtime and the
// operator's internals into the CLI; these are the fields platformctl
// emits, with the upstream JSON names (api/common, api/redisreplication and
// api/redissentinel of github.com/OT-CONTAINER-KIT/redis-operator v0.23.0).
// TestRedisOperatorMatchesTheCRDs checks them against the upstream CRDs
// (testdata/crds/redis-operator) closed to unknown fields, and the e2e tier
// submits them to an API server holding those CRDs.

// The OT redis-operator's API version, namespace, ports and the label it
// keeps on each Redis pod with the pod's current role.
const (
	RedisOperatorAPIVersion = "redis.redis.opstreelabs.in/v1beta2"
	RedisOperatorNS         = "redis-operator"
	RedisSentinelPort       = 26379
	RedisExporterPort       = 9121
	LabelRedisRole          = "redis-role"
)

var (
	typeRedisReplication = metav1.TypeMeta{APIVersion: RedisOperatorAPIVersion, Kind: "RedisReplication"}
	typeRedisSentinel    = metav1.TypeMeta{APIVersion: RedisOperatorAPIVersion, Kind: "RedisSentinel"}
)

// RedisReplication is a Redis primary and its replicas, one StatefulSet
// named after the resource; the operator points the <name>-master Service
// at whichever pod is the primary.
type RedisReplication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              RedisReplicationSpec `json:"spec"`
}

// RedisReplicationSpec is the subset of the upstream spec platformctl sets.
type RedisReplicationSpec struct {
	ClusterSize                   int32                 `json:"clusterSize"`
	KubernetesConfig              RedisKubernetesConfig `json:"kubernetesConfig"`
	RedisExporter                 *RedisExporter        `json:"redisExporter,omitempty"`
	Storage                       *RedisStorage         `json:"storage,omitempty"`
	redisPodSettings              `json:",inline"`
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
}

// redisPodSettings are the pod settings both kinds share.
type redisPodSettings struct {
	PodSecurityContext        *corev1.PodSecurityContext        `json:"podSecurityContext,omitempty"`
	SecurityContext           *corev1.SecurityContext           `json:"securityContext,omitempty"`
	PriorityClassName         string                            `json:"priorityClassName,omitempty"`
	Affinity                  *corev1.Affinity                  `json:"affinity,omitempty"`
	InitContainer             *RedisInitContainer               `json:"initContainer,omitempty"`
	PodDisruptionBudget       *RedisPDB                         `json:"pdb,omitempty"`
	ServiceAccountName        string                            `json:"serviceAccountName,omitempty"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
}

// RedisSentinel is the Sentinels that watch a RedisReplication and promote
// a replica when its primary fails; their StatefulSet is <name>-sentinel.
type RedisSentinel struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              RedisSentinelSpec `json:"spec"`
}

// RedisSentinelSpec is the subset of the upstream spec platformctl sets.
type RedisSentinelSpec struct {
	ClusterSize         int32                 `json:"clusterSize"`
	KubernetesConfig    RedisKubernetesConfig `json:"kubernetesConfig"`
	RedisSentinelConfig *RedisSentinelConfig  `json:"redisSentinelConfig,omitempty"`
	redisPodSettings    `json:",inline"`
}

// RedisKubernetesConfig is the image, resources and password of the pods.
type RedisKubernetesConfig struct {
	Image                                string                                                  `json:"image"`
	ImagePullPolicy                      corev1.PullPolicy                                       `json:"imagePullPolicy,omitempty"`
	Resources                            *corev1.ResourceRequirements                            `json:"resources,omitempty"`
	RedisSecret                          *RedisSecret                                            `json:"redisSecret,omitempty"`
	PersistentVolumeClaimRetentionPolicy *appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy `json:"persistentVolumeClaimRetentionPolicy,omitempty"`
}

// RedisSecret is the key of a Secret holding the password.
type RedisSecret struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// RedisExporter is the Prometheus exporter sidecar of each Redis pod.
type RedisExporter struct {
	Enabled         bool                         `json:"enabled"`
	Image           string                       `json:"image"`
	ImagePullPolicy corev1.PullPolicy            `json:"imagePullPolicy,omitempty"`
	Resources       *corev1.ResourceRequirements `json:"resources,omitempty"`
	Env             []corev1.EnvVar              `json:"env,omitempty"`
	SecurityContext *corev1.SecurityContext      `json:"securityContext,omitempty"`
}

// RedisStorage is each Redis pod's volume.
type RedisStorage struct {
	KeepAfterDelete     bool          `json:"keepAfterDelete,omitempty"`
	VolumeClaimTemplate RedisClaimSet `json:"volumeClaimTemplate"`
}

// RedisClaimSet is the claim template's spec (the operator names the claim
// and labels it; a whole PersistentVolumeClaim would bring an empty
// metadata and status).
type RedisClaimSet struct {
	Spec corev1.PersistentVolumeClaimSpec `json:"spec"`
}

// RedisInitContainer is the operator's extra init container, which
// platformctl leaves disabled: its securityContext is also the one the
// operator gives the init-config container that writes the configuration.
type RedisInitContainer struct {
	Enabled         *bool                   `json:"enabled,omitempty"`
	Image           string                  `json:"image"`
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`
}

// RedisPDB is the PodDisruptionBudget the operator renders.
type RedisPDB struct {
	Enabled        bool   `json:"enabled"`
	MaxUnavailable *int32 `json:"maxUnavailable,omitempty"`
}

// RedisSentinelConfig names the RedisReplication the Sentinels watch.
type RedisSentinelConfig struct {
	RedisReplicationName     string               `json:"redisReplicationName"`
	MasterGroupName          string               `json:"masterGroupName,omitempty"`
	RedisReplicationPassword *corev1.EnvVarSource `json:"redisReplicationPassword,omitempty"`
}
