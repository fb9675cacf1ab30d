package generate

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Backups leave the cluster: WAL archives and base backups of the
// operator-managed stores, and the dumps of the in-cluster ones, go to the
// environment's object storage (spec.backupStorage), encrypted at rest by
// the provider and pruned after the store's retention.

// BackupCredentialsSecret holds a backup storage's static key, when it has
// no workload identity.
func BackupCredentialsSecret(ds string) string { return ds + "-backup-credentials" }

// BackupCredentialsDir is where that Secret is mounted in backup pods.
const BackupCredentialsDir = "/var/run/secrets/backup-storage"

// storageKeys are the properties of a backup storage's static key in the
// secret store, per provider; the Secret uses the same names.
var storageKeys = map[spec.ObjectStorageProvider][]string{
	spec.StorageS3:    {"accessKeyID", "secretAccessKey"},
	spec.StorageGCS:   {"serviceAccountKey"},
	spec.StorageAzure: {"storageKey"},
}

// backupStorage is the environment's backup storage and the prefix ds
// writes below; nil when the environment has none (validation requires one
// wherever a store has a backup).
func backupStorage(c *Context, ds *spec.DataStore) (*spec.BackupStorage, string) {
	b := c.P.BackupStorageIn(c.Env)
	if b == nil {
		return nil, ""
	}
	return b, path.Join(c.P.BackupPrefix(b, c.Env), ds.Name)
}

// destinationPath is the URL of a prefix as Barman Cloud names it.
func destinationPath(b *spec.BackupStorage, prefix string) string {
	switch b.Provider {
	case spec.StorageGCS:
		return "gs://" + b.Bucket + "/" + prefix
	case spec.StorageAzure:
		return "https://" + b.Account + ".blob.core.windows.net/" + b.Bucket + "/" + prefix
	}
	return "s3://" + b.Bucket + "/" + prefix
}

// storageHosts are the names the backup pods reach, for Cilium's toFQDNs:
// the storage endpoint and, where the pod exchanges its token itself, the
// token endpoint.
func storageHosts(b *spec.BackupStorage) []string {
	var hosts []string
	switch b.Provider {
	case spec.StorageS3:
		if b.Endpoint != "" {
			u, err := url.Parse(b.Endpoint)
			if err == nil {
				hosts = append(hosts, u.Hostname())
			}
		} else {
			hosts = append(hosts, b.Bucket+".s3."+b.Region+".amazonaws.com", "s3."+b.Region+".amazonaws.com")
		}
	case spec.StorageGCS:
		hosts = append(hosts, "storage.googleapis.com")
		if b.Identity == nil {
			// A service account key is exchanged for a token here; GKE's
			// metadata server hands out Workload Identity tokens itself.
			hosts = append(hosts, "oauth2.googleapis.com")
		}
	case spec.StorageAzure:
		hosts = append(hosts, b.Account+".blob.core.windows.net")
	}
	if id := b.Identity; id != nil {
		switch id.Provider {
		case spec.IdentityAWSIRSA:
			// Current SDKs (rclone's and Barman's) call the regional STS
			// endpoint by default; older ones the global one.
			if b.Region != "" {
				hosts = append(hosts, "sts."+b.Region+".amazonaws.com")
			}
			if !id.STSRegionalEndpoints || b.Region == "" {
				hosts = append(hosts, "sts.amazonaws.com")
			}
		case spec.IdentityAzure:
			hosts = append(hosts, "login.microsoftonline.com")
		}
	}
	return hosts
}

// storageEgress opens HTTPS to the backup storage's cidrs, and the
// identity's node-local endpoint; with Cilium the hosts are opened by name
// instead (storagePolicy).
func storageEgress(b *spec.BackupStorage) []networkingv1.NetworkPolicyEgressRule {
	var out []networkingv1.NetworkPolicyEgressRule
	if len(b.CIDRs) > 0 {
		rule := networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{tcpPort(443)}}
		for _, cidr := range b.CIDRs {
			rule.To = append(rule.To, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr}})
		}
		out = append(out, rule)
	}
	return append(out, identityEgress(b.Identity)...)
}

// storagePolicy is, with network.cni: cilium and no cidrs, the
// CiliumNetworkPolicy that lets the pods named name reach the storage's
// hosts on 443; nil otherwise.
func storagePolicy(c *Context, b *spec.BackupStorage, name string, sel map[string]string) *CiliumNetworkPolicy {
	if c.P.Spec.Network.CNI != spec.CNICilium || len(b.CIDRs) > 0 {
		return nil
	}
	var fqdns []CNPFQDNSelector
	for _, h := range storageHosts(b) {
		fqdns = append(fqdns, fqdnSelector(h))
	}
	return &CiliumNetworkPolicy{
		TypeMeta:   typeCNP,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("data"), Labels: c.labels(name, "network-policy")},
		Spec: CNPSpec{
			EndpointSelector: metav1.LabelSelector{MatchLabels: sel},
			Egress:           []CNPEgressRule{dnsProxyRule(), {ToFQDNs: fqdns, ToPorts: tcpPorts(443)}},
		},
	}
}

// storageCredentials fetches a backup storage's static key into the data
// namespace; nil with a workload identity.
func storageCredentials(c *Context, ds *spec.DataStore, b *spec.BackupStorage) *ExternalSecret {
	if b.Credentials == "" {
		return nil
	}
	key, _, _ := strings.Cut(b.Credentials, "#")
	es := externalSecret(c, c.NS("data"), BackupCredentialsSecret(ds.Name), c.labels(ds.Name, "secret"))
	for _, k := range storageKeys[b.Provider] {
		es.Spec.Data = append(es.Spec.Data, ExternalSecretData{SecretKey: k, RemoteRef: RemoteReference{Key: key, Property: k}})
	}
	if b.Provider == spec.StorageAzure {
		// Barman Cloud reads the account from the Secret too.
		es.Spec.Target.Template = &ExternalSecretTemplate{EngineVersion: "v2", Data: map[string]string{
			"storageAccount": b.Account, "storageKey": "{{ .storageKey }}",
		}}
	}
	return es
}

// rcloneEnv configures rclone's remote "backups" for the storage through
// its environment (no config file: the root filesystem is read-only).
// A static key is read from its mounted files by the script (rcloneAuth),
// never put in the environment.
func rcloneEnv(b *spec.BackupStorage) []corev1.EnvVar {
	env := []corev1.EnvVar{
		{Name: "HOME", Value: "/tmp"},
		{Name: "RCLONE_CONFIG", Value: "/tmp/rclone.conf"},
	}
	set := func(k, v string) { env = append(env, corev1.EnvVar{Name: "RCLONE_CONFIG_BACKUPS_" + k, Value: v}) }
	switch b.Provider {
	case spec.StorageS3:
		set("TYPE", "s3")
		if b.Endpoint != "" {
			set("PROVIDER", "Other")
			set("ENDPOINT", b.Endpoint)
		} else {
			set("PROVIDER", "AWS")
		}
		if b.Region != "" {
			set("REGION", b.Region)
		}
		if enc := b.S3Encryption(); enc != "" {
			set("SERVER_SIDE_ENCRYPTION", string(enc))
		}
		// The bucket exists; the role may not list or create buckets.
		set("NO_CHECK_BUCKET", "true")
		set("ENV_AUTH", fmt.Sprint(b.Identity != nil))
	case spec.StorageGCS:
		set("TYPE", "google cloud storage")
		set("BUCKET_POLICY_ONLY", "true")
		if b.Identity != nil {
			set("ENV_AUTH", "true")
		} else {
			set("SERVICE_ACCOUNT_FILE", BackupCredentialsDir+"/serviceAccountKey")
		}
	case spec.StorageAzure:
		set("TYPE", "azureblob")
		set("ACCOUNT", b.Account)
		set("ENV_AUTH", fmt.Sprint(b.Identity != nil))
	}
	return env
}

// rcloneAuth exports a static key from its mounted files, for the script.
func rcloneAuth(b *spec.BackupStorage) string {
	if b.Identity != nil {
		return ""
	}
	switch b.Provider {
	case spec.StorageS3:
		return `export RCLONE_CONFIG_BACKUPS_ACCESS_KEY_ID="$(cat ` + BackupCredentialsDir + `/accessKeyID)"
export RCLONE_CONFIG_BACKUPS_SECRET_ACCESS_KEY="$(cat ` + BackupCredentialsDir + `/secretAccessKey)"
`
	case spec.StorageAzure:
		return `export RCLONE_CONFIG_BACKUPS_KEY="$(cat ` + BackupCredentialsDir + `/storageKey)"
`
	}
	return ""
}

// storageMounts mount the static key, if any, into a backup container.
func storageMounts(ds *spec.DataStore, b *spec.BackupStorage) ([]corev1.Volume, []corev1.VolumeMount) {
	if b.Identity != nil {
		return nil, nil
	}
	return []corev1.Volume{{Name: "backup-credentials", VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: BackupCredentialsSecret(ds.Name), DefaultMode: ptr(int32(0o440))},
		}}},
		[]corev1.VolumeMount{{Name: "backup-credentials", MountPath: BackupCredentialsDir, ReadOnly: true}}
}

// barmanConfiguration is the ObjectStore's bucket, credentials and
// encryption for a store's prefix.
func barmanConfiguration(ds *spec.DataStore, b *spec.BackupStorage, prefix string) BarmanObjectStoreConfiguration {
	cfg := BarmanObjectStoreConfiguration{DestinationPath: destinationPath(b, strings.TrimSuffix(prefix, "/"+ds.Name))}
	secret := func(k string) *SecretKeyRef { return &SecretKeyRef{Name: BackupCredentialsSecret(ds.Name), Key: k} }
	switch b.Provider {
	case spec.StorageS3:
		cfg.EndpointURL = b.Endpoint
		if b.Identity != nil {
			cfg.S3Credentials = &BarmanS3Credentials{InheritFromIAMRole: true}
		} else {
			cfg.S3Credentials = &BarmanS3Credentials{AccessKeyID: secret("accessKeyID"), SecretAccessKey: secret("secretAccessKey")}
		}
		enc := string(b.S3Encryption())
		cfg.WAL = &BarmanWALConfiguration{Compression: "gzip", Encryption: enc, MaxParallel: 4}
		cfg.Data = &BarmanDataConfiguration{Compression: "gzip", Encryption: enc}
		return cfg
	case spec.StorageGCS:
		if b.Identity != nil {
			cfg.GoogleCredentials = &BarmanGoogleCredentials{GKEEnvironment: true}
		} else {
			cfg.GoogleCredentials = &BarmanGoogleCredentials{ApplicationCredentials: secret("serviceAccountKey")}
		}
	case spec.StorageAzure:
		if b.Identity != nil {
			cfg.AzureCredentials = &BarmanAzureCredentials{InheritFromAzureAD: true}
		} else {
			cfg.AzureCredentials = &BarmanAzureCredentials{StorageAccount: secret("storageAccount"), StorageKey: secret("storageKey")}
		}
	}
	// GCS and Azure encrypt every object with the bucket's or account's
	// key; Barman's encryption option is S3's.
	cfg.WAL = &BarmanWALConfiguration{Compression: "gzip", MaxParallel: 4}
	cfg.Data = &BarmanDataConfiguration{Compression: "gzip"}
	return cfg
}
