package generate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// BindingsRoot is where data-store bindings are mounted, one directory per
// store, following the servicebinding.io workload projection: libraries
// that implement that convention find `type`, `host`, `port`, `username`
// and `password` files there without any configuration.
const BindingsRoot = "/bindings"

// BindingSecret is the Secret in the apps namespace that holds one data
// store's binding: connection details and credentials for its consumers.
// Pods cannot mount Secrets of another namespace, so the credentials the
// data namespace uses are fetched a second time from the secret store.
func BindingSecret(store string) string { return store + "-binding" }

// bindingTypes are the servicebinding.io `type` values of each engine.
var bindingTypes = map[spec.DataStoreType]string{
	spec.DataPostgres: "postgresql",
	spec.DataMySQL:    "mysql",
	spec.DataRedis:    "redis",
	spec.DataRabbitMQ: "rabbitmq",
	spec.DataNATS:     "nats",
	spec.DataKafka:    "kafka",
	spec.DataFerretDB: "mongodb",
}

// dependencies returns the data stores a service uses or consumes, sorted
// and without duplicates; names that are not data stores were refused by
// validation, so they are skipped here.
func dependencies(p *spec.Platform, svc *spec.Service) []*spec.DataStore {
	names := append([]string(nil), svc.Uses...)
	if svc.Consumes != nil {
		names = append(names, svc.Consumes.Queue)
	}
	sort.Strings(names)
	var out []*spec.DataStore
	for i, n := range names {
		if i > 0 && names[i-1] == n {
			continue
		}
		if ds := p.DataStore(n); ds != nil {
			out = append(out, ds)
		}
	}
	return out
}

// storeAddress is where consumers connect: the managed endpoint's own host
// (its TLS certificate names it, an ExternalName alias would not match), or
// the in-cluster Service, named without the cluster domain so the pod's DNS
// search path completes it whatever the cluster calls itself.
func storeAddress(c *Context, ds *spec.DataStore) (string, int32) {
	switch c.storeMode(ds) {
	case spec.ModeManaged:
		return endpointPort(ds)
	case spec.ModeOperator:
		// The operator's read-write (or master) Service follows the
		// primary through a failover.
		switch ds.Type {
		case spec.DataRedis:
			return RedisMasterService(ds.Name) + "." + c.NS("data") + ".svc", spec.DataPorts[ds.Type]
		case spec.DataPostgres:
			return RWService(ds.Name) + "." + c.NS("data") + ".svc", spec.DataPorts[ds.Type]
		}
	}
	// The in-cluster store's Service, or a document store's FerretDB.
	return ds.Name + "." + c.NS("data") + ".svc", spec.DataPorts[ds.Type]
}

// envPrefix turns a store name into an environment-variable prefix:
// orders-db → ORDERS_DB.
func envPrefix(store string) string {
	return strings.ToUpper(strings.ReplaceAll(store, "-", "_"))
}

// bindingEnv tells a service where its data stores are. Credentials stay in
// files (see BindingsRoot): the variables name the files, never the values.
func bindingEnv(c *Context, svc *spec.Service) []corev1.EnvVar {
	deps := dependencies(c.P, svc)
	var env []corev1.EnvVar
	if len(deps) > 0 {
		env = append(env, corev1.EnvVar{Name: "SERVICE_BINDING_ROOT", Value: BindingsRoot})
	}
	for _, ds := range deps {
		p := envPrefix(ds.Name)
		host, port := storeAddress(c, ds)
		dir := BindingsRoot + "/" + ds.Name
		env = append(env,
			corev1.EnvVar{Name: hostVar(ds), Value: host},
			corev1.EnvVar{Name: p + "_PORT", Value: strconv.Itoa(int(port))},
			corev1.EnvVar{Name: p + "_PASSWORD_FILE", Value: dir + "/password"},
		)
		if hasUsername(ds) {
			env = append(env, corev1.EnvVar{Name: p + "_USERNAME_FILE", Value: dir + "/username"})
		}
		if ds.Type == spec.DataPostgres || ds.Type == spec.DataMySQL {
			env = append(env, corev1.EnvVar{Name: p + "_DATABASE", Value: dbName(ds)})
		}
		if ds.Mode == spec.ModeManaged {
			env = append(env, corev1.EnvVar{Name: p + "_TLS_MODE", Value: string(spec.StoreTLSMode(ds))})
			if ds.CA != "" {
				env = append(env, corev1.EnvVar{Name: p + "_CA_FILE", Value: dir + "/ca.crt"})
			}
		}
	}
	if q := svc.Consumes; q != nil {
		env = append(env, corev1.EnvVar{Name: "QUEUE_NAME", Value: q.Queue})
		if q.DeadLetter {
			env = append(env, corev1.EnvVar{Name: "DEAD_LETTER_QUEUE_NAME", Value: DeadLetterQueue(q.Queue)})
		}
	}
	return env
}

// hostVar is the variable holding a dependency's host, which names the data
// namespace and so differs between environments.
func hostVar(ds *spec.DataStore) string { return envPrefix(ds.Name) + "_HOST" }

// DeadLetterQueue is the name of a queue's dead-letter queue: where the
// worker moves messages it failed to process, and what the dead-letter
// alert watches.
func DeadLetterQueue(queue string) string { return queue + ".dead-letter" }

// bindingVolumes mounts each dependency's binding Secret read-only under
// BindingsRoot.
func bindingVolumes(c *Context, svc *spec.Service) ([]corev1.Volume, []corev1.VolumeMount) {
	var vols []corev1.Volume
	var mounts []corev1.VolumeMount
	for _, ds := range dependencies(c.P, svc) {
		name := "binding-" + ds.Name
		vols = append(vols, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: BindingSecret(ds.Name), DefaultMode: ptr(int32(0o440))},
		}})
		mounts = append(mounts, corev1.VolumeMount{Name: name, MountPath: BindingsRoot + "/" + ds.Name, ReadOnly: true})
	}
	return vols, mounts
}

// managedTLS are a managed store's TLS entries of its binding: the mode
// as the engine's clients spell it (libpq's sslmode, MySQL's ssl-mode,
// tls for the others) and, with a CA, the certificate and its path.
func managedTLS(ds *spec.DataStore) map[string]string {
	mode := spec.StoreTLSMode(ds)
	out := map[string]string{}
	switch ds.Type {
	case spec.DataPostgres:
		out["sslmode"] = string(mode)
	case spec.DataMySQL:
		out["ssl-mode"] = map[spec.StoreTLS]string{spec.TLSVerifyFull: "VERIFY_IDENTITY", spec.TLSVerifyCA: "VERIFY_CA",
			spec.TLSRequire: "REQUIRED", spec.TLSDisable: "DISABLED"}[mode]
	default:
		out["tls"] = fmt.Sprint(mode != spec.TLSDisable)
	}
	if ds.CA != "" {
		out["ca.crt"] = `{{ index . "ca.crt" }}`
		if ds.Type == spec.DataPostgres {
			out["sslrootcert"] = BindingsRoot + "/" + ds.Name + "/ca.crt"
		}
	}
	return out
}

// hasUsername is false for the in-cluster Redis, which authenticates its
// default user by password alone; a client that sent a user name would fail.
func hasUsername(ds *spec.DataStore) bool {
	return ds.Type != spec.DataRedis || ds.Mode == spec.ModeManaged
}

// bindings renders one binding ExternalSecret in the apps namespace per
// data store that any service depends on. The Secret it writes carries the
// connection details next to the credentials, so a binding directory is
// complete on its own.
func bindings(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		if len(consumers(c.P, ds.Name)) == 0 {
			continue
		}
		host, port := storeAddress(c, ds)
		tmpl := map[string]string{
			"type":     bindingTypes[ds.Type],
			"provider": string(c.storeMode(ds)),
			"host":     host,
			"port":     strconv.Itoa(int(port)),
			"password": "{{ .password }}",
		}
		if hasUsername(ds) {
			tmpl["username"] = "{{ .username }}"
		}
		switch {
		case underRedisOperator(c, ds):
			// The master Service follows the primary once the operator
			// relabels the pods; a Sentinel-aware client asks the
			// Sentinels, which know at once.
			tmpl["read-only-host"] = RedisReplicaService(ds.Name) + "." + c.NS("data") + ".svc"
			tmpl["sentinel-host"] = RedisSentinels(ds.Name) + "." + c.NS("data") + ".svc"
			tmpl["sentinel-port"] = strconv.Itoa(RedisSentinelPort)
			tmpl["sentinel-master"] = ds.Name
		case c.storeMode(ds) == spec.ModeOperator && ds.Type == spec.DataFerretDB:
			// FerretDB authenticates clients as PostgreSQL roles: the
			// application's owner, named after the database.
			tmpl["username"] = dbName(ds)
			tmpl["database"] = dbName(ds)
		case c.storeMode(ds) == spec.ModeOperator:
			// The application role CloudNativePG creates is named after
			// the database (cnpgObjects); its replicas serve reads.
			tmpl["username"] = dbName(ds)
			tmpl["read-only-host"] = ROService(ds.Name) + "." + c.NS("data") + ".svc"
			// CloudNativePG serves TLS with a CA of its own, in the data
			// namespace, which the apps namespace cannot mount: encrypted,
			// not verified.
			tmpl["sslmode"] = string(spec.TLSRequire)
		}
		if ds.Type == spec.DataPostgres || ds.Type == spec.DataMySQL {
			tmpl["database"] = dbName(ds)
		}
		if ds.Mode == spec.ModeManaged {
			for k, v := range managedTLS(ds) {
				tmpl[k] = v
			}
		}
		name := BindingSecret(ds.Name)
		// The same remote credentials the store itself reads, rendered
		// next to the connection details.
		es := credentialsSecret(c, ds, c.NS("apps"), name, tmpl)
		if ds.Mode == spec.ModeManaged && ds.CA != "" {
			key, prop, _ := strings.Cut(ds.CA, "#")
			if prop == "" {
				prop = "ca.crt"
			}
			es.Spec.Data = append(es.Spec.Data, ExternalSecretData{SecretKey: "ca.crt", RemoteRef: RemoteReference{Key: key, Property: prop}})
		}
		es.Labels = c.labels(ds.Name, "binding")
		out = append(out, Object{ID: id("apps", "ExternalSecret", name), Area: "apps",
			Source: fmt.Sprintf("spec.data[%d]", i), Obj: es})
	}
	return out, nil
}
