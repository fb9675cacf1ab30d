package scaffold

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Service is what `new service` adds.
type Service struct {
	Name     string
	Image    string
	Port     int32  // 0: the default (8080)
	Protocol string // "": the default (http)
	Worker   bool
	// Kind is server, worker or cronjob; "" means Worker decides.
	Kind string
	// Schedule and TimeZone of a cronjob; "": not set.
	Schedule, TimeZone string
	// Migrate is the command of the service's migration; nil: none.
	Migrate []string
	// Expose is HOST or HOST/PATH; empty: not exposed.
	Expose string
	Uses   []string
	// Calls are the services it calls, each on the callee's service port.
	Calls []string
	// Egress are the outside destinations it connects to.
	Egress []spec.Egress
	// Identity is its workload identity; nil: none.
	Identity *spec.Identity
	// Overrides are per-environment settings, in the order given.
	Overrides []EnvOverride
	// ConfigFiles are config files read from files next to the spec, in
	// the order given; ConfigMountPath is their directory ("": the
	// default, /etc/<name>).
	ConfigFiles     []ConfigFileFlag
	ConfigMountPath string
	// PodAnnotations and PodLabels go on every pod of the service, in the
	// order given.
	PodAnnotations, PodLabels []KeyValue
	// Ports are its extra named ports.
	Ports []spec.NamedPort
}

// EnvOverride is one --env-override: settings of the new service in one
// environment, written to spec.environments[name=Env].overrides.services.
type EnvOverride struct {
	Env                      string
	MinReplicas, MaxReplicas int32 // 0: not set
	CPU, Memory, Image       string
	// Identity replaces the service's identity there; nil: not set.
	Identity *spec.Identity
}

// ParseEnvOverride reads ENV:key=value[,key=value...], where key is
// replicas (N or MIN-MAX), cpu, memory or image.
func ParseEnvOverride(s string) (EnvOverride, error) {
	env, rest, ok := strings.Cut(s, ":")
	if !ok || env == "" || rest == "" {
		return EnvOverride{}, fmt.Errorf("--env-override %q: want ENV:key=value[,key=value...] with key replicas, cpu, memory or image", s)
	}
	o := EnvOverride{Env: env}
	set := map[string]bool{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			return o, fmt.Errorf("--env-override %q: %q is not key=value", s, kv)
		}
		if set[k] {
			return o, fmt.Errorf("--env-override %q: %s is given twice", s, k)
		}
		set[k] = true
		switch k {
		case "replicas":
			lo, hi, isRange := strings.Cut(v, "-")
			if !isRange {
				hi = lo
			}
			minR, err1 := strconv.ParseInt(lo, 10, 32)
			maxR, err2 := strconv.ParseInt(hi, 10, 32)
			if err1 != nil || err2 != nil {
				return o, fmt.Errorf("--env-override %q: replicas must be N or MIN-MAX, got %q", s, v)
			}
			o.MinReplicas, o.MaxReplicas = int32(minR), int32(maxR)
		case "cpu":
			o.CPU = v
		case "memory":
			o.Memory = v
		case "image":
			o.Image = v
		default:
			return o, fmt.Errorf("--env-override %q: unknown key %q; use replicas, cpu, memory or image", s, k)
		}
	}
	return o, nil
}

// entry is the new spec.services item, keys in the order of docs/spec.md.
func (s Service) entry() object {
	o := object{{"name", str(s.Name)}}
	switch {
	case s.Kind != "" && s.Kind != string(spec.KindServer):
		o = append(o, field{"kind", str(s.Kind)})
	case s.Worker:
		o = append(o, field{"kind", scalar(spec.KindWorker)})
	}
	if s.Schedule != "" {
		o = append(o, field{"schedule", str(s.Schedule)})
	}
	if s.TimeZone != "" {
		o = append(o, field{"timeZone", str(s.TimeZone)})
	}
	if len(s.Migrate) > 0 {
		o = append(o, field{"migrate", object{{"command", strs(s.Migrate)}}})
	}
	o = append(o, field{"image", str(s.Image)})
	if s.Protocol != "" {
		o = append(o, field{"protocol", str(s.Protocol)})
	}
	if s.Port != 0 {
		o = append(o, field{"port", num(s.Port)})
	}
	if s.Expose != "" {
		host, path, hasPath := strings.Cut(s.Expose, "/")
		ex := object{{"host", str(host)}}
		if hasPath {
			ex = append(ex, field{"path", str("/" + path)})
		}
		o = append(o, field{"expose", ex})
	}
	if len(s.Uses) > 0 {
		o = append(o, field{"uses", strs(s.Uses)})
	}
	if len(s.Calls) > 0 {
		o = append(o, field{"calls", strs(s.Calls)})
	}
	if len(s.Egress) > 0 {
		o = append(o, field{"egress", egressValue(s.Egress)})
	}
	if s.Identity != nil {
		o = append(o, field{"identity", identityValue(s.Identity)})
	}
	if c := s.config(); c != nil {
		o = append(o, field{"config", c})
	}
	if len(s.PodAnnotations) > 0 {
		o = append(o, field{"podAnnotations", keyValues(s.PodAnnotations)})
	}
	if len(s.PodLabels) > 0 {
		o = append(o, field{"podLabels", keyValues(s.PodLabels)})
	}
	if len(s.Ports) > 0 {
		o = append(o, field{"ports", portsValue(s.Ports)})
	}
	return o
}

func (o EnvOverride) merge(into *EnvOverride) {
	if o.MinReplicas != 0 {
		into.MinReplicas, into.MaxReplicas = o.MinReplicas, o.MaxReplicas
	}
	if o.CPU != "" {
		into.CPU = o.CPU
	}
	if o.Memory != "" {
		into.Memory = o.Memory
	}
	if o.Image != "" {
		into.Image = o.Image
	}
	if o.Identity != nil {
		into.Identity = o.Identity
	}
}

func (o EnvOverride) value() object {
	var v object
	if o.MinReplicas != 0 {
		v = append(v, field{"replicas", object{{"min", num(o.MinReplicas)}, {"max", num(o.MaxReplicas)}}})
	}
	if o.CPU != "" || o.Memory != "" {
		var r object
		if o.CPU != "" {
			r = append(r, field{"cpu", str(o.CPU)})
		}
		if o.Memory != "" {
			r = append(r, field{"memory", str(o.Memory)})
		}
		v = append(v, field{"resources", r})
	}
	if o.Image != "" {
		v = append(v, field{"image", str(o.Image)})
	}
	if o.Identity != nil {
		v = append(v, field{"identity", identityValue(o.Identity)})
	}
	return v
}

// Result is an edited spec, not yet written.
type Result struct {
	Data []byte
	// Doc is the result loaded, validated and defaulted.
	Doc *spec.Document
	// Pos is where the new entry starts in Data.
	Pos spec.Pos
}

func result(out []byte, doc *spec.Document, list string, n int) *Result {
	return &Result{Data: out, Doc: doc, Pos: doc.Pos(fmt.Sprintf("spec.%s[%d]", list, n-1))}
}

// canonical key order of spec: a missing list key is added after the keys
// that precede it.
var specOrder = []string{"domain", "environments", "edge", "services", "data", "observability", "cicd", "nodePools", "teams", "secrets", "security"}

func keysBefore(key string) []string {
	for i, k := range specOrder {
		if k == key {
			return specOrder[:i]
		}
	}
	return nil
}

// AddService adds s to the spec in data (read from file, the name used in
// messages) and returns the edited bytes. It refuses, with the problems, when
// the spec is invalid to begin with, when the name is taken, or when the
// result would not validate.
func AddService(file string, data []byte, s Service) (*Result, error) {
	e, d, err := newEditor(file, data)
	if err != nil {
		return nil, err
	}
	if err := checkName(d, s.Name); err != nil {
		return nil, err
	}
	// Overrides first: when services: is missing it may be added at the
	// same offset, after the environments, and must come after them.
	merged := map[string]*EnvOverride{}
	var order []string
	for _, o := range s.Overrides {
		if merged[o.Env] == nil {
			merged[o.Env] = &EnvOverride{Env: o.Env}
			order = append(order, o.Env)
		}
		o.merge(merged[o.Env])
	}
	_, envs := lookup(e.spec, "environments")
	for _, name := range order {
		i := envIndex(d.Platform, name)
		if i < 0 {
			return nil, refuse("--env-override: no environment named %q; the spec defines: %s", name, strings.Join(d.Platform.EnvironmentNames(), ", "))
		}
		path := []string{"overrides", "services", s.Name}
		val := merged[name].value()
		if err := e.setIn(envs.Content[i], path, val); err != nil {
			return nil, err
		}
		if err := e.wantSet(i, path, val); err != nil {
			return nil, err
		}
	}
	item := s.entry()
	if err := e.appendItem(e.spec, "services", item, keysBefore("services")); err != nil {
		return nil, err
	}
	if err := e.wantAppend("services", item); err != nil {
		return nil, err
	}
	out, doc, err := e.finish()
	if err != nil {
		return nil, err
	}
	return result(out, doc, "services", len(doc.Platform.Spec.Services)), nil
}

func envIndex(p *spec.Platform, name string) int {
	for i, e := range p.Spec.Environments {
		if e.Name == name {
			return i
		}
	}
	return -1
}

// checkName refuses a name a service or data store already has.
func checkName(d *spec.Document, name string) error {
	s := d.Platform.Spec
	for i, svc := range s.Services {
		if svc.Name == name {
			return nameTaken(d, fmt.Sprintf("spec.services[%d].name", i), "a service", name)
		}
	}
	for i, ds := range s.Data {
		if ds.Name == name {
			return nameTaken(d, fmt.Sprintf("spec.data[%d].name", i), "a data store", name)
		}
	}
	return nil
}

func nameTaken(d *spec.Document, path, what, name string) error {
	return &RefusedError{
		Reason: fmt.Sprintf("refusing to edit %s: the name %q is taken (names are unique across services and data stores):", d.File, name),
		Problems: spec.ErrorList{{File: d.File, Pos: d.Pos(path), Path: path,
			Msg: fmt.Sprintf("%s named %q already exists", what, name)}},
	}
}

// DataStore is what `new datastore` adds.
type DataStore struct {
	Name string
	Type string
	// Mode is in-cluster, operator or managed; empty: managed when
	// Endpoint is set, else left out (the tier decides: operator in
	// staging and production for postgres, in-cluster otherwise).
	Mode     string
	Endpoint string
	// CIDRs are a managed store's networks.
	CIDRs []string
	// TLS, CA and EncryptedAtRest are a managed store's transport and
	// storage security (production needs encryptedAtRest).
	TLS             string
	CA              string
	EncryptedAtRest bool
	// Image and ExporterImage override the engine's and its metrics
	// exporter's default images; production needs them pinned by digest.
	Image         string
	ExporterImage string
	Storage       string
	// StorageClass of the store's volumes; empty: the spec's first
	// encryptedStorageClasses entry, which production requires.
	StorageClass   string
	BackupSchedule string
}

func (ds DataStore) entry(s *spec.PlatformSpec) object {
	mode := ds.Mode
	if mode == "" && ds.Endpoint != "" {
		mode = string(spec.ModeManaged)
	}
	o := object{{"name", str(ds.Name)}, {"type", str(ds.Type)}}
	if mode != "" {
		o = append(o, field{"mode", str(mode)})
	}
	if ds.Endpoint != "" {
		o = append(o, field{"endpoint", str(ds.Endpoint)})
	}
	if len(ds.CIDRs) > 0 {
		o = append(o, field{"cidrs", strs(ds.CIDRs)})
	}
	if ds.TLS != "" {
		o = append(o, field{"tls", str(ds.TLS)})
	}
	if ds.CA != "" {
		o = append(o, field{"ca", str(ds.CA)})
	}
	if ds.EncryptedAtRest {
		o = append(o, field{"encryptedAtRest", scalar("true")})
	}
	if ds.Image != "" {
		o = append(o, field{"image", str(ds.Image)})
	}
	if ds.ExporterImage != "" {
		o = append(o, field{"exporterImage", str(ds.ExporterImage)})
	}
	if ds.Storage != "" {
		o = append(o, field{"storage", str(ds.Storage)})
	}
	class := ds.StorageClass
	if class == "" && mode != string(spec.ModeManaged) && len(s.EncryptedStorageClasses) > 0 {
		class = s.EncryptedStorageClasses[0]
	}
	if class != "" {
		o = append(o, field{"storageClass", str(class)})
	}
	if ds.BackupSchedule != "" {
		o = append(o, field{"backup", object{{"schedule", str(ds.BackupSchedule)}}})
	}
	return o
}

// AddDataStore adds ds to the spec in data, as AddService does for services.
func AddDataStore(file string, data []byte, ds DataStore) (*Result, error) {
	e, d, err := newEditor(file, data)
	if err != nil {
		return nil, err
	}
	if err := checkName(d, ds.Name); err != nil {
		return nil, err
	}
	item := ds.entry(&d.Platform.Spec)
	if err := e.appendItem(e.spec, "data", item, keysBefore("data")); err != nil {
		return nil, err
	}
	if err := e.wantAppend("data", item); err != nil {
		return nil, err
	}
	out, doc, err := e.finish()
	if err != nil {
		return nil, err
	}
	return result(out, doc, "data", len(doc.Platform.Spec.Data)), nil
}
