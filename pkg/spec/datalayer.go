package spec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/platformctl/platformctl/pkg/imageref"
)

// Operators are the engines an operator can run, replicated and failed
// over, and the operator that does it (for messages and docs).
var Operators = map[DataStoreType]string{
	DataPostgres: "CloudNativePG",
	DataRedis:    "the OT redis-operator",
	DataFerretDB: "CloudNativePG (FerretDB's PostgreSQL)",
}

// StoreMode is ds's mode in env (a nil env is the base, production): the
// declared mode, else operator in staging and production for the engines an
// operator runs, and in-cluster otherwise. Development and testing keep the
// single StatefulSet: cheap, quick to start, nothing to install.
func StoreMode(ds *DataStore, env *Environment) DataStoreMode {
	if ds.Mode != "" {
		return ds.Mode
	}
	tier := TierProduction
	if env != nil {
		tier = env.Tier
	}
	if _, ok := Operators[ds.Type]; ok && (tier == TierProduction || tier == TierStaging || ds.Type == DataFerretDB) {
		return ModeOperator
	}
	return ModeInCluster
}

// mayRunOperator says whether some environment can run ds under an
// operator, which the operator-only fields need.
func mayRunOperator(ds *DataStore) bool {
	_, ok := Operators[ds.Type]
	return ok && (ds.Mode == ModeOperator || ds.Mode == "")
}

// StoreInstances is the number of instances of an operator-managed store
// in env: three in production, so a zone can fail and a majority remains,
// two elsewhere.
func StoreInstances(ds *DataStore, env *Environment) int32 {
	if ds.Instances != 0 {
		return ds.Instances
	}
	if env == nil || env.Tier == TierProduction {
		return 3
	}
	return 2
}

// BackupStorageIn is the backup storage of env: its own, else the
// platform's; nil when there is none.
func (p *Platform) BackupStorageIn(env *Environment) *BackupStorage {
	if env != nil && env.BackupStorage != nil {
		return env.BackupStorage
	}
	return p.Spec.BackupStorage
}

// BackupPrefix is the prefix inside the bucket that env's stores write
// below: an environment's own storage's path; the platform's storage's
// path, or <platform>, followed by /<environment> — environments sharing a
// bucket never share a prefix, where one's retention would delete the
// other's backups (the base uses no environment; every overlay sets its
// own).
func (p *Platform) BackupPrefix(b *BackupStorage, env *Environment) string {
	if env != nil && env.BackupStorage == b && b.Path != "" {
		return strings.Trim(b.Path, "/")
	}
	base := p.Metadata.Name
	if b.Path != "" {
		base = strings.Trim(b.Path, "/")
	}
	if env == nil {
		return base
	}
	return base + "/" + env.Name
}

// Default images of the backup tools.
const (
	DefaultUploaderImage = "docker.io/rclone/rclone:1.71.2"
	DefaultKubectlImage  = "registry.k8s.io/kubectl:v1.37.2"
)

// Uploader is the rclone image of b.
func (b *BackupStorage) Uploader() string {
	if b.UploaderImage != "" {
		return b.UploaderImage
	}
	return DefaultUploaderImage
}

// Kubectl is the kubectl image of b.
func (b *BackupStorage) Kubectl() string {
	if b.KubectlImage != "" {
		return b.KubectlImage
	}
	return DefaultKubectlImage
}

// S3Encryption is the server-side encryption an s3 writer requests: the
// declared one, aws:kms on Amazon S3, none on an S3-compatible endpoint
// (MinIO without a KMS, R2 and others refuse the header).
func (b *BackupStorage) S3Encryption() S3Encryption {
	if b.Encryption != "" || b.Endpoint != "" {
		return b.Encryption
	}
	return S3EncryptionKMS
}

// storageProviders are the identity providers that can reach each kind of
// object storage.
var storageProviders = map[ObjectStorageProvider][]IdentityProvider{
	StorageS3:    {IdentityAWSIRSA, IdentityEKSPodIdentity},
	StorageGCS:   {IdentityGCP},
	StorageAzure: {IdentityAzure},
}

// backupStorages calls fn for the platform's backup storage and every
// environment's own.
func (c *checkContext) backupStorages(fn func(path string, b *BackupStorage)) {
	if c.s.BackupStorage != nil {
		fn("spec.backupStorage", c.s.BackupStorage)
	}
	for i := range c.s.Environments {
		if b := c.s.Environments[i].BackupStorage; b != nil {
			fn(fmt.Sprintf("spec.environments[%d].backupStorage", i), b)
		}
	}
}

// backupStorageFields reports what a provider does not read or needs.
func backupStorageFields(c *checkContext, report reportFunc) {
	c.backupStorages(func(path string, b *BackupStorage) {
		if _, ok := storageProviders[b.Provider]; !ok {
			return // the oneof reports it
		}
		s3 := b.Provider == StorageS3
		for _, f := range []struct {
			key string
			set bool
		}{{"region", b.Region != ""}, {"endpoint", b.Endpoint != ""}, {"encryption", b.Encryption != ""}} {
			if f.set && !s3 {
				report(path+"."+f.key, 0, f.key, StorageS3, b.Provider)
			}
		}
		if b.Account != "" && b.Provider != StorageAzure {
			report(path+".account", 0, "account", StorageAzure, b.Provider)
		}
		if b.Provider == StorageAzure && b.Account == "" {
			report(path+".account", 1)
		}
		if s3 && b.Region == "" && b.Endpoint == "" {
			report(path+".region", 2)
		}
		switch {
		case b.Identity == nil && b.Credentials == "":
			report(path, 3)
		case b.Identity != nil && b.Credentials != "":
			report(path+".credentials", 4)
		}
		if id := b.Identity; id != nil && knownProvider(id.Provider) && !slices.Contains(storageProviders[b.Provider], id.Provider) {
			report(path+".identity.provider", 5, id.Provider, b.Provider, joinProviders(storageProviders[b.Provider]))
		}
		if len(b.CIDRs) == 0 && c.s.Network.CNI != CNICilium {
			report(path+".cidrs", 6)
		}
		if dupe := firstDuplicate(b.CIDRs); dupe != "" {
			report(path+".cidrs", 7, dupe)
		}
	})
}

// backupNeedsStorage wants object storage in every environment where a
// store with backup runs in the cluster: backups on the cluster's own
// volumes are lost with it.
func backupNeedsStorage(c *checkContext, report reportFunc) {
	for i := range c.s.Data {
		ds := &c.s.Data[i]
		if ds.Backup == nil || ds.Mode == ModeManaged || !BackupSupported(ds.Type) {
			continue
		}
		var missing []string
		for j := range c.s.Environments {
			if c.p.BackupStorageIn(&c.s.Environments[j]) == nil {
				missing = append(missing, c.s.Environments[j].Name)
			}
		}
		if len(missing) > 0 {
			report(fmt.Sprintf("spec.data[%d].backup", i), 0, strings.Join(missing, ", "))
		}
	}
}

// operatorFields reports mode operator for an engine no operator runs, and
// the operator-only fields of a store that never runs under one.
func operatorFields(c *checkContext, report reportFunc) {
	for i := range c.s.Data {
		ds := &c.s.Data[i]
		path := fmt.Sprintf("spec.data[%d]", i)
		if _, ok := Operators[ds.Type]; !ok && ds.Mode == ModeOperator {
			report(path+".mode", 0, ds.Type)
			continue
		}
		if (ds.Type == DataPostgres || ds.Type == DataFerretDB) && mayRunOperator(ds) && ds.Image != "" {
			// CloudNativePG tells the major version from the tag.
			if tag := imageref.Parse(ds.Image).Tag; tag == "" || tag[0] < '0' || tag[0] > '9' {
				report(path+".image", 2, ds.Image)
			}
		}
		if ds.Type == DataFerretDB && ds.Mode == ModeInCluster {
			report(path+".mode", 4)
		}
		if ds.ProxyImage != "" && ds.Type != DataFerretDB {
			report(path+".proxyImage", 5, ds.Type)
		}
		if ds.Instances != 0 && !mayRunOperator(ds) {
			report(path+".instances", 1, "instances")
		}
		switch {
		case ds.Synchronous != "" && ds.Type == DataRedis:
			report(path+".synchronous", 3, ds.Type)
		case ds.Synchronous != "" && !mayRunOperator(ds):
			report(path+".synchronous", 1, "synchronous")
		}
	}
}

// encryptedAtRest wants every volume of a store running in a production
// environment on a storage class declared encrypted.
func encryptedAtRest(c *checkContext, report reportFunc) {
	prod := false
	for _, e := range c.s.Environments {
		prod = prod || e.Tier == TierProduction
	}
	if !prod {
		return
	}
	declared := strings.Join(c.s.EncryptedStorageClasses, ", ")
	if declared == "" {
		declared = "none is declared"
	}
	for i := range c.s.Data {
		ds := &c.s.Data[i]
		if ds.Mode == ModeManaged {
			continue
		}
		path := fmt.Sprintf("spec.data[%d]", i)
		if !slices.Contains(c.s.EncryptedStorageClasses, ds.StorageClass) {
			if ds.StorageClass == "" {
				report(path+".storageClass", 0, declared)
			} else {
				report(path+".storageClass", 1, ds.StorageClass, declared)
			}
		}
		if b := ds.Backup; b != nil && b.StorageClass != "" && b.StorageClass != ds.StorageClass &&
			!slices.Contains(c.s.EncryptedStorageClasses, b.StorageClass) {
			report(path+".backup.storageClass", 1, b.StorageClass, declared)
		}
	}
}

// StoreTLSMode is a managed store's TLS mode, verify-full unless set.
func StoreTLSMode(ds *DataStore) StoreTLS {
	if ds.TLS != "" {
		return ds.TLS
	}
	return TLSVerifyFull
}

// managedSecurity reports the managed-only fields on other stores, and a
// managed store in production that is not declared encrypted at rest or is
// reached without verifying its certificate.
func managedSecurity(c *checkContext, report reportFunc) {
	prod := false
	for _, e := range c.s.Environments {
		prod = prod || e.Tier == TierProduction
	}
	for i := range c.s.Data {
		ds := &c.s.Data[i]
		path := fmt.Sprintf("spec.data[%d]", i)
		if ds.Mode != ModeManaged {
			for _, f := range []struct {
				key string
				set bool
			}{{"tls", ds.TLS != ""}, {"ca", ds.CA != ""}, {"encryptedAtRest", ds.EncryptedAtRest}} {
				if f.set {
					report(path+"."+f.key, 0, f.key)
				}
			}
			continue
		}
		if ds.CA != "" && (ds.TLS == TLSRequire || ds.TLS == TLSDisable) {
			report(path+".ca", 1, ds.TLS)
		}
		if !prod {
			continue
		}
		if !ds.EncryptedAtRest {
			report(path+".encryptedAtRest", 2)
		}
		if mode := StoreTLSMode(ds); mode != TLSVerifyFull {
			report(path+".tls", 3, mode)
		}
	}
}

// dataLayerRules are the cross-field rules of operator-managed stores,
// backups and encryption (rules.go lists them with the others).
func dataLayerRules() []Rule {
	const (
		data = "spec.data[*]"
		bs   = "spec.backupStorage"
		ebs  = "spec.environments[*].backupStorage"
	)
	var bsAt []string
	for _, base := range []string{bs, ebs} {
		for _, f := range []string{"", ".region", ".endpoint", ".encryption", ".account", ".credentials", ".identity.provider", ".cidrs"} {
			bsAt = append(bsAt, base+f)
		}
	}
	return []Rule{
		{
			At:  bsAt,
			Doc: "A backup storage sets the fields of its provider: `region` or `endpoint` and `encryption` for `s3`, `account` for (and only for) `azure`; exactly one of `identity` (its provider able to reach the storage: `aws-irsa` or `eks-pod-identity` for s3, `gcp` for gcs, `azure` for azure) and `credentials`; and `cidrs` unless `network.cni` is `cilium`.",
			Msgs: []string{
				"%s is read for provider %s only; provider %s would ignore it",
				"is required with provider azure: the storage account the container is in",
				"an s3 bucket needs its region, or the endpoint of an S3-compatible service",
				"needs identity (workload identity, preferred: no long-lived key) or credentials (a secret-store key holding a static key)",
				"identity is set: a static key as well would be used instead of it; remove credentials",
				"identity provider %s cannot reach %s storage; use %s",
				"backups need cidrs, the networks the storage endpoint (and a token endpoint) lies in: a NetworkPolicy matches addresses, not host names, and without them the backup pods would reach any address on port 443; with spec.network.cni: cilium the endpoint hosts are opened by name instead",
				"%s is listed twice",
			},
			check:  backupStorageFields,
			Schema: whySibling,
		},
		{
			At:     []string{data + ".backup"},
			Doc:    "A store with `backup` that runs in the cluster has a backup storage in every environment (`spec.backupStorage`, or the environment's own): backups go to object storage, off the cluster, so that a lost cluster, zone or storage class does not take the backups with the data.",
			Msgs:   []string{"needs spec.backupStorage (environments without one: %s): backups go to object storage off the cluster, so a lost cluster or volume does not take them with the data"},
			check:  backupNeedsStorage,
			Schema: "depends on other parts of the spec (spec.backupStorage, the environments')",
		},
		{
			At:  []string{data + ".mode", data + ".instances", data + ".synchronous", data + ".image", data + ".proxyImage"},
			Doc: "`mode: operator` is for postgres and ferretdb (CloudNativePG) and redis (the OT redis-operator); a ferretdb store runs under the operator in every environment unless managed (its PostgreSQL needs the DocumentDB extension's configuration, which CloudNativePG applies), and `proxyImage` is its alone; `instances` is for stores that run under an operator in some environment (mode operator, or no mode), and so is `synchronous`, for postgres and ferretdb; an operator PostgreSQL's `image` tag starts with the PostgreSQL major version (CloudNativePG reads it from there).",
			Msgs: []string{
				"operator mode runs postgres under CloudNativePG and redis under the OT redis-operator; no operator is rendered for %s: use in-cluster or managed",
				"%s is only read for a store under an operator (mode: operator, or no mode: staging and production); this store never runs under one",
				"%q has no tag starting with the PostgreSQL major version (16, 16.4, 17-bookworm), which CloudNativePG reads it from: tag it so, even when pinned by digest",
				"synchronous replication is PostgreSQL's (a commit waits for a standby); Redis replicates asynchronously whatever the spec says: remove synchronous from this %s store",
				"a ferretdb store runs under CloudNativePG in every environment (its PostgreSQL needs the DocumentDB extension configured, which the operator does); leave mode out, or use managed",
				"proxyImage is the FerretDB image of a ferretdb store; a %s store has no proxy",
			},
			check:  operatorFields,
			Schema: whySibling,
		},
		{
			At:  []string{data + ".tls", data + ".ca", data + ".encryptedAtRest"},
			Doc: "`tls`, `ca` and `encryptedAtRest` are for managed stores; `ca` verifies a certificate, so not with `tls: require` or `disable`. With a production environment a managed store declares `encryptedAtRest: true` and is reached with `tls: verify-full` (the default).",
			Msgs: []string{
				"%s is only read for a managed store: an in-cluster or operator store's volumes are checked against encryptedStorageClasses, and its connections stay inside the cluster",
				"a CA only verifies certificates; tls: %s checks none: use verify-full (or verify-ca), or remove ca",
				"a production managed store must be encrypted at rest: check that the provider encrypts its storage and backups (RDS storage encryption with a KMS key, Cloud SQL, Azure Database) and declare it with encryptedAtRest: true",
				"tls %s does not check the endpoint's host name against its certificate; production connects with verify-full (give ca when the system's roots do not sign it)",
			},
			check:  managedSecurity,
			Schema: "depends on a sibling's value (mode: managed) and on the environments' tiers",
		},
		{
			At:  []string{data + ".storageClass", data + ".backup.storageClass"},
			Doc: "With a production environment, every store that runs in the cluster (in-cluster or operator) uses a storage class of `spec.encryptedStorageClasses` for its volumes and its backup volumes: the reference architecture's encryption at rest. Declare there the classes whose provisioner encrypts (EBS `encrypted: \"true\"` with a KMS key, a GCE disk with a CMEK, an Azure disk encryption set).",
			Msgs: []string{
				"a production store's volume must be encrypted at rest: set storageClass to a class of spec.encryptedStorageClasses (%s), whose provisioner encrypts; the cluster's default class is not declared encrypted",
				"storage class %q is not declared encrypted (spec.encryptedStorageClasses: %s): a production store's volumes must be encrypted at rest; use an encrypted class, or declare this one there if its provisioner encrypts",
			},
			check:  encryptedAtRest,
			Schema: "depends on other parts of the spec (the environments' tiers, spec.encryptedStorageClasses)",
		},
	}
}
