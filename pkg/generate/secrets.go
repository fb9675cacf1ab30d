package generate

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// The external-secrets project ships its API inside the operator module,
// which drags in every cloud SDK; these are the few fields we emit, with the
// upstream JSON names (external-secrets.io/v1).

// ExternalSecret is external-secrets.io/v1 ExternalSecret.
type ExternalSecret struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ExternalSecretSpec `json:"spec"`
}

// ExternalSecretSpec is the subset of the upstream spec platformctl sets.
type ExternalSecretSpec struct {
	RefreshInterval string               `json:"refreshInterval,omitempty"`
	SecretStoreRef  SecretStoreRef       `json:"secretStoreRef"`
	Target          ExternalSecretTarget `json:"target"`
	Data            []ExternalSecretData `json:"data,omitempty"`
}

// SecretStoreRef names the (Cluster)SecretStore.
type SecretStoreRef struct {
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// ExternalSecretTarget is the Secret the operator writes.
type ExternalSecretTarget struct {
	Name           string                  `json:"name,omitempty"`
	CreationPolicy string                  `json:"creationPolicy,omitempty"`
	DeletionPolicy string                  `json:"deletionPolicy,omitempty"`
	Template       *ExternalSecretTemplate `json:"template,omitempty"`
}

// ExternalSecretTemplate renders Secret keys from the fetched values.
type ExternalSecretTemplate struct {
	// Type is the Secret's type (default Opaque).
	Type          string            `json:"type,omitempty"`
	EngineVersion string            `json:"engineVersion,omitempty"`
	Data          map[string]string `json:"data,omitempty"`
}

// ExternalSecretData maps one remote key to one Secret key.
type ExternalSecretData struct {
	SecretKey string          `json:"secretKey"`
	RemoteRef RemoteReference `json:"remoteRef"`
}

// RemoteReference points into the secret store.
type RemoteReference struct {
	Key      string `json:"key"`
	Property string `json:"property,omitempty"`
}

var typeExternalSecret = metav1.TypeMeta{APIVersion: "external-secrets.io/v1", Kind: "ExternalSecret"}

// externalSecret is an ExternalSecret writing Secret name in ns from the
// platform's secret store (refreshed as it says, owned by the
// ExternalSecret, kept when the store loses the key); the caller adds what
// to fetch.
func externalSecret(c *Context, ns, name string, labels map[string]string) *ExternalSecret {
	store := c.P.Spec.Secrets
	return &ExternalSecret{
		TypeMeta:   typeExternalSecret,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: ExternalSecretSpec{
			RefreshInterval: store.RefreshInterval,
			SecretStoreRef:  SecretStoreRef{Name: store.Store, Kind: string(store.StoreKind)},
			Target:          ExternalSecretTarget{Name: name, CreationPolicy: "Owner", DeletionPolicy: "Retain"},
		},
	}
}

// externalSecrets renders one ExternalSecret per service with secrets: the
// spec holds references only, values never pass through platformctl.
func externalSecrets(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Services {
		svc := &c.P.Spec.Services[i]
		if len(svc.Secrets) == 0 {
			continue
		}
		es := externalSecret(c, c.NS("apps"), svc.Name, c.labels(svc.Name, "secret"))
		es.Spec.Target.Name = SecretName(svc.Name)
		for _, k := range spec.SortedKeys(svc.Secrets) {
			key, prop, _ := strings.Cut(svc.Secrets[k], "#")
			es.Spec.Data = append(es.Spec.Data, ExternalSecretData{SecretKey: k, RemoteRef: RemoteReference{Key: key, Property: prop}})
		}
		out = append(out, Object{ID: id("apps", "ExternalSecret", svc.Name), Area: "apps",
			Source: fmt.Sprintf("spec.services[%d].secrets", i), Obj: es})
	}
	return out, nil
}
