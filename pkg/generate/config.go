package generate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// ConfigVolume is the name of the volume a service's config files are
// mounted from.
const ConfigVolume = "config"

// ConfigFileMode is the mode of every mounted config file: readable by
// every user, writable by none (the volume is mounted read-only anyway).
const ConfigFileMode = int32(0o444)

// serviceConfig is a service's config in one context: the ConfigMap, and
// the volume and mount every pod of the service (canaries included) gets.
type serviceConfig struct {
	configMap *corev1.ConfigMap
	volume    corev1.Volume
	mount     corev1.VolumeMount
}

// ConfigMapName is the name of the ConfigMap holding files: the service's
// name, -config- and the first 10 hex digits of a SHA-256 of the files, as
// Kustomize's configMapGenerator names its ConfigMaps. A change of content
// is a new name, so the Deployment's pod template changes and its pods roll;
// the ConfigMap is immutable, and the old one is left to the GitOps
// controller's pruning (the previous ReplicaSet's pods keep theirs while
// they drain).
func ConfigMapName(service string, files map[string]string) string {
	b, _ := json.Marshal(files) // map keys are sorted: deterministic
	sum := sha256.Sum256(b)
	return service + "-config-" + hex.EncodeToString(sum[:])[:ConfigHashLength]
}

// ConfigHashLength is the number of hex digits ConfigMapName appends.
const ConfigHashLength = 10

var configHash = regexp.MustCompile(`^(.+-config)-[0-9a-f]{` + fmt.Sprint(ConfigHashLength) + `}$`)

// WithoutConfigHash is name without the hash a config ConfigMap's name ends
// in (web-config-c64cf3501f → web-config), so what compares two builds
// matches a service's config as one object that changed.
func WithoutConfigHash(name string) string {
	if m := configHash.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return name
}

// configFor returns svc's config in c, or nil when it has no config files
// there.
func configFor(c *Context, svc *spec.Service) (*serviceConfig, error) {
	dir, files, err := spec.ConfigFiles(svc, c.Env)
	if err != nil || files == nil {
		return nil, err
	}
	name := ConfigMapName(svc.Name, files)
	return &serviceConfig{
		configMap: &corev1.ConfigMap{
			TypeMeta:   typeConfigMap,
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, string(svc.Kind))},
			Immutable:  ptr(true),
			Data:       files,
		},
		volume: corev1.Volume{Name: ConfigVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name},
			DefaultMode:          ptr(ConfigFileMode),
		}}},
		mount: corev1.VolumeMount{Name: ConfigVolume, MountPath: dir, ReadOnly: true},
	}, nil
}

// configObject is the ConfigMap as an Object; its ID carries the name
// without the hash, so an environment whose files differ renames the base's.
func configObject(svc *spec.Service, cfg *serviceConfig, src string) Object {
	return Object{ID: id("apps", "ConfigMap", svc.Name+"-config"), Area: "apps", Source: src + ".config", Obj: cfg.configMap}
}
