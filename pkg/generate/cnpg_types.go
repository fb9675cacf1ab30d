package generate

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CloudNativePG's API module brings the operator's dependencies
// (controller-runtime, its machinery) into every start-up of the CLI; these
// are the fields platformctl emits, with the upstream JSON names. The e2e
// tier submits every object to an API server holding the upstream CRDs
// (testdata/crds/cloudnative-pg), and TestCloudNativePGMatchesTheCRDs checks
// them against the same schemas closed to unknown fields.

// API versions of CloudNativePG and its Barman Cloud plugin.
const (
	CNPGAPIVersion      = "postgresql.cnpg.io/v1"
	BarmanCloudVersion  = "barmancloud.cnpg.io/v1"
	BarmanCloudPlugin   = "barman-cloud.cloudnative-pg.io"
	LabelCNPGCluster    = "cnpg.io/cluster"
	CNPGMetricsPort     = 9187
	CNPGStatusPort      = 8000
	CNPGOperatorNS      = "cnpg-system"
	CNPGSecretBasicAuth = "kubernetes.io/basic-auth"
)

var (
	typeCNPGCluster     = metav1.TypeMeta{APIVersion: CNPGAPIVersion, Kind: "Cluster"}
	typeScheduledBackup = metav1.TypeMeta{APIVersion: CNPGAPIVersion, Kind: "ScheduledBackup"}
	typeObjectStore     = metav1.TypeMeta{APIVersion: BarmanCloudVersion, Kind: "ObjectStore"}
)

// CNPGCluster is postgresql.cnpg.io/v1 Cluster: a PostgreSQL primary and
// its streaming replicas, failed over by the operator.
type CNPGCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              CNPGClusterSpec `json:"spec"`
}

// CNPGClusterSpec is the subset of the upstream spec platformctl sets.
type CNPGClusterSpec struct {
	Instances                 int32                             `json:"instances"`
	ImageName                 string                            `json:"imageName,omitempty"`
	ImagePullPolicy           corev1.PullPolicy                 `json:"imagePullPolicy,omitempty"`
	PostgresUID               int64                             `json:"postgresUID,omitempty"`
	PostgresGID               int64                             `json:"postgresGID,omitempty"`
	PrimaryUpdateStrategy     string                            `json:"primaryUpdateStrategy,omitempty"`
	PrimaryUpdateMethod       string                            `json:"primaryUpdateMethod,omitempty"`
	EnablePDB                 *bool                             `json:"enablePDB,omitempty"`
	EnableSuperuserAccess     *bool                             `json:"enableSuperuserAccess,omitempty"`
	PriorityClassName         string                            `json:"priorityClassName,omitempty"`
	InheritedMetadata         *CNPGEmbeddedMetadata             `json:"inheritedMetadata,omitempty"`
	ServiceAccountTemplate    *CNPGServiceAccountTemplate       `json:"serviceAccountTemplate,omitempty"`
	PostgreSQL                *CNPGPostgresConfiguration        `json:"postgresql,omitempty"`
	Bootstrap                 *CNPGBootstrap                    `json:"bootstrap,omitempty"`
	Storage                   CNPGStorage                       `json:"storage"`
	Resources                 corev1.ResourceRequirements       `json:"resources,omitempty"`
	Affinity                  *CNPGAffinity                     `json:"affinity,omitempty"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	Plugins                   []CNPGPlugin                      `json:"plugins,omitempty"`
	ExternalClusters          []CNPGExternalCluster             `json:"externalClusters,omitempty"`
	StopDelay                 int32                             `json:"stopDelay,omitempty"`
	SmartShutdownTimeout      *int32                            `json:"smartShutdownTimeout,omitempty"`
}

// CNPGEmbeddedMetadata are labels and annotations the operator copies onto
// every object it creates for the cluster, its pods among them.
type CNPGEmbeddedMetadata struct {
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// CNPGServiceAccountTemplate shapes the ServiceAccount the operator creates
// for the instances (workload identity annotations).
type CNPGServiceAccountTemplate struct {
	Metadata CNPGEmbeddedMetadata `json:"metadata"`
}

// CNPGPostgresConfiguration holds PostgreSQL settings.
type CNPGPostgresConfiguration struct {
	Parameters             map[string]string        `json:"parameters,omitempty"`
	SharedPreloadLibraries []string                 `json:"shared_preload_libraries,omitempty"`
	PgHBA                  []string                 `json:"pg_hba,omitempty"`
	Synchronous            *CNPGSynchronousReplicas `json:"synchronous,omitempty"`
}

// CNPGSynchronousReplicas is quorum-based synchronous replication.
type CNPGSynchronousReplicas struct {
	Method         string `json:"method"`
	Number         int32  `json:"number"`
	DataDurability string `json:"dataDurability,omitempty"`
}

// CNPGBootstrap is how the cluster's first instance is created.
type CNPGBootstrap struct {
	InitDB   *CNPGBootstrapInitDB   `json:"initdb,omitempty"`
	Recovery *CNPGBootstrapRecovery `json:"recovery,omitempty"`
}

// CNPGBootstrapInitDB creates an empty database owned by the application
// role, whose password is the basic-auth Secret's.
type CNPGBootstrapInitDB struct {
	Database               string                       `json:"database"`
	Owner                  string                       `json:"owner"`
	Secret                 *corev1.LocalObjectReference `json:"secret,omitempty"`
	PostInitApplicationSQL []string                     `json:"postInitApplicationSQL,omitempty"`
}

// CNPGBootstrapRecovery restores the first instance from an external
// cluster's backups, up to a target.
type CNPGBootstrapRecovery struct {
	Source         string              `json:"source"`
	Database       string              `json:"database,omitempty"`
	Owner          string              `json:"owner,omitempty"`
	RecoveryTarget *CNPGRecoveryTarget `json:"recoveryTarget,omitempty"`
}

// CNPGRecoveryTarget is a point in time to recover to.
type CNPGRecoveryTarget struct {
	TargetTime string `json:"targetTime,omitempty"`
}

// CNPGStorage is the instances' volume.
type CNPGStorage struct {
	Size         string  `json:"size"`
	StorageClass *string `json:"storageClass,omitempty"`
}

// CNPGAffinity spreads the instances.
type CNPGAffinity struct {
	EnablePodAntiAffinity *bool                `json:"enablePodAntiAffinity,omitempty"`
	TopologyKey           string               `json:"topologyKey,omitempty"`
	PodAntiAffinityType   string               `json:"podAntiAffinityType,omitempty"`
	NodeSelector          map[string]string    `json:"nodeSelector,omitempty"`
	NodeAffinity          *corev1.NodeAffinity `json:"nodeAffinity,omitempty"`
}

// CNPGPlugin enables a CNPG-I plugin on the cluster.
type CNPGPlugin struct {
	Name          string            `json:"name"`
	IsWALArchiver *bool             `json:"isWALArchiver,omitempty"`
	Parameters    map[string]string `json:"parameters,omitempty"`
}

// CNPGExternalCluster is another cluster, here the backups of one read
// through a plugin.
type CNPGExternalCluster struct {
	Name   string            `json:"name"`
	Plugin *CNPGPluginConfig `json:"plugin,omitempty"`
}

// CNPGPluginConfig names a plugin and its parameters.
type CNPGPluginConfig struct {
	Name       string            `json:"name"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// ScheduledBackup is postgresql.cnpg.io/v1 ScheduledBackup: base backups
// of a cluster on a schedule.
type ScheduledBackup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ScheduledBackupSpec `json:"spec"`
}

// ScheduledBackupSpec is the subset of the upstream spec platformctl sets.
type ScheduledBackupSpec struct {
	// Schedule has six fields, seconds first.
	Schedule             string                      `json:"schedule"`
	Cluster              corev1.LocalObjectReference `json:"cluster"`
	Immediate            *bool                       `json:"immediate,omitempty"`
	BackupOwnerReference string                      `json:"backupOwnerReference,omitempty"`
	Method               string                      `json:"method,omitempty"`
	Target               string                      `json:"target,omitempty"`
	PluginConfiguration  *CNPGPluginConfig           `json:"pluginConfiguration,omitempty"`
}

// ObjectStore is barmancloud.cnpg.io/v1 ObjectStore: where the Barman
// Cloud plugin archives WAL and writes base backups.
type ObjectStore struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ObjectStoreSpec `json:"spec"`
}

// ObjectStoreSpec is the subset of the upstream spec platformctl sets.
type ObjectStoreSpec struct {
	Configuration                BarmanObjectStoreConfiguration `json:"configuration"`
	RetentionPolicy              string                         `json:"retentionPolicy,omitempty"`
	InstanceSidecarConfiguration *BarmanSidecarConfiguration    `json:"instanceSidecarConfiguration,omitempty"`
}

// BarmanObjectStoreConfiguration is the bucket and its credentials.
type BarmanObjectStoreConfiguration struct {
	DestinationPath   string                   `json:"destinationPath"`
	EndpointURL       string                   `json:"endpointURL,omitempty"`
	S3Credentials     *BarmanS3Credentials     `json:"s3Credentials,omitempty"`
	GoogleCredentials *BarmanGoogleCredentials `json:"googleCredentials,omitempty"`
	AzureCredentials  *BarmanAzureCredentials  `json:"azureCredentials,omitempty"`
	WAL               *BarmanWALConfiguration  `json:"wal,omitempty"`
	Data              *BarmanDataConfiguration `json:"data,omitempty"`
}

// SecretKeyRef is a key of a Secret in the object's namespace.
type SecretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// BarmanS3Credentials are an IAM role of the pod, or a static key.
type BarmanS3Credentials struct {
	InheritFromIAMRole bool          `json:"inheritFromIAMRole,omitempty"`
	AccessKeyID        *SecretKeyRef `json:"accessKeyId,omitempty"`
	SecretAccessKey    *SecretKeyRef `json:"secretAccessKey,omitempty"`
	Region             *SecretKeyRef `json:"region,omitempty"`
}

// BarmanGoogleCredentials are the GKE workload identity, or a key.
type BarmanGoogleCredentials struct {
	GKEEnvironment         bool          `json:"gkeEnvironment,omitempty"`
	ApplicationCredentials *SecretKeyRef `json:"applicationCredentials,omitempty"`
}

// BarmanAzureCredentials are the Entra workload identity, or a key.
type BarmanAzureCredentials struct {
	InheritFromAzureAD bool          `json:"inheritFromAzureAD,omitempty"`
	StorageAccount     *SecretKeyRef `json:"storageAccount,omitempty"`
	StorageKey         *SecretKeyRef `json:"storageKey,omitempty"`
}

// BarmanWALConfiguration is how WAL segments are archived.
type BarmanWALConfiguration struct {
	Compression string `json:"compression,omitempty"`
	Encryption  string `json:"encryption,omitempty"`
	MaxParallel int32  `json:"maxParallel,omitempty"`
}

// BarmanDataConfiguration is how base backups are written.
type BarmanDataConfiguration struct {
	Compression string `json:"compression,omitempty"`
	Encryption  string `json:"encryption,omitempty"`
}

// BarmanSidecarConfiguration configures the plugin's sidecar in each
// instance pod.
type BarmanSidecarConfiguration struct {
	Env       []corev1.EnvVar              `json:"env,omitempty"`
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
}
