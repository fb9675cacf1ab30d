package reliability

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// sources are the ConfigMaps or Secrets of the input, by namespace and
// name, with their keys; keys is nil when the object's keys cannot be
// known from the input (an ExternalSecret with dataFrom fills them from
// the secret store).
type sources map[string]map[string]*keySet

type keySet struct{ keys map[string]bool }

func (s sources) add(ns, name string, keys map[string]bool) {
	if name == "" {
		return
	}
	if s[ns] == nil {
		s[ns] = map[string]*keySet{}
	}
	if prev := s[ns][name]; prev != nil && prev.keys != nil && keys != nil {
		for k := range keys {
			prev.keys[k] = true
		}
		return
	}
	s[ns][name] = &keySet{keys: keys}
}

func keysOf(maps ...*yaml.Node) map[string]bool {
	keys := map[string]bool{}
	for _, m := range maps {
		lint.Pairs(m, func(k, _ *yaml.Node) { keys[k.Value] = true })
	}
	return keys
}

// configSources indexes ConfigMaps and Secrets, and the objects that make
// Secrets at runtime: an ExternalSecret (external-secrets.io), a
// SealedSecret (bitnami.com), a cert-manager Certificate and a Secrets
// Store CSI SecretProviderClass's secretObjects.
func configSources(s *lint.Set) (configMaps, secrets sources) {
	configMaps, secrets = sources{}, sources{}
	for _, o := range s.OfKind("ConfigMap") {
		if o.Group() == "" {
			configMaps.add(o.Namespace, o.Name, keysOf(lint.Field(o.Root, "data"), lint.Field(o.Root, "binaryData")))
		}
	}
	for _, o := range s.OfKind("Secret") {
		if o.Group() == "" {
			secrets.add(o.Namespace, o.Name, keysOf(lint.Field(o.Root, "data"), lint.Field(o.Root, "stringData")))
		}
	}
	for _, o := range s.OfKind("ExternalSecret") {
		if o.Group() != "external-secrets.io" {
			continue
		}
		name := lint.Str(lint.Get(o.Root, "spec", "target", "name"))
		if name == "" {
			name = o.Name
		}
		var keys map[string]bool
		if lint.Get(o.Root, "spec", "dataFrom") == nil && lint.Get(o.Root, "spec", "target", "template") == nil {
			keys = map[string]bool{}
			for _, d := range lint.Items(lint.Get(o.Root, "spec", "data")) {
				keys[lint.Str(lint.Field(d, "secretKey"))] = true
			}
		}
		secrets.add(o.Namespace, name, keys)
	}
	for _, o := range s.OfKind("SealedSecret") {
		if o.Group() == "bitnami.com" {
			name := lint.Str(lint.Get(o.Root, "spec", "template", "metadata", "name"))
			if name == "" {
				name = o.Name
			}
			secrets.add(o.Namespace, name, keysOf(lint.Get(o.Root, "spec", "encryptedData"), lint.Get(o.Root, "spec", "template", "data")))
		}
	}
	for _, o := range s.OfKind("Certificate") {
		if o.Group() == "cert-manager.io" {
			secrets.add(o.Namespace, lint.Str(lint.Get(o.Root, "spec", "secretName")), map[string]bool{"tls.crt": true, "tls.key": true, "ca.crt": true})
		}
	}
	for _, o := range s.OfKind("SecretProviderClass") {
		if o.Group() != "secrets-store.csi.x-k8s.io" {
			continue
		}
		for _, so := range lint.Items(lint.Get(o.Root, "spec", "secretObjects")) {
			keys := map[string]bool{}
			for _, d := range lint.Items(lint.Field(so, "data")) {
				keys[lint.Str(lint.Field(d, "key"))] = true
			}
			secrets.add(o.Namespace, lint.Str(lint.Field(so, "secretName")), keys)
		}
	}
	return configMaps, secrets
}

func envRefMissing() lint.Rule {
	return lint.Rule{
		ID: "env-ref-missing", Title: "Environment refers to a missing ConfigMap, Secret or key", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "A container's env[].valueFrom.configMapKeyRef or secretKeyRef, or its envFrom configMapRef or secretRef, names a ConfigMap or Secret that is not in the input, or a key the object does not have. " +
			"The kubelet cannot build the container's environment: the pod stays in CreateContainerConfigError and never starts, which a rollout only notices when it times out. " +
			"References marked optional: true are not judged. A missing object is only judged when the input has objects of that kind in the namespace (for Secrets, also what makes them: ExternalSecret, SealedSecret, cert-manager Certificate, SecretProviderClass), " +
			"and a missing key only when the keys are known from the input.",
		Remediation: "Fix the name or key, add the ConfigMap or Secret (or its key) to the manifests, or mark the reference optional: true when the application copes without it.",
		References:  []string{"https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/", "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			var configMaps, secrets sources
			for _, pi := range facts.Of(s).Pods {
				o := pi.Obj
				for ci := range pi.Containers {
					c := &pi.Containers[ci]
					env, envFrom := lint.Field(c.Node, "env"), lint.Field(c.Node, "envFrom")
					if env == nil && envFrom == nil {
						continue
					}
					if configMaps == nil {
						configMaps, secrets = configSources(s)
					}
					check := func(path, kind string, idx sources, ref *yaml.Node, keyed bool) {
						if ref == nil || lint.IsTrue(lint.Field(ref, "optional")) {
							return
						}
						name := lint.Str(lint.Field(ref, "name"))
						if name == "" {
							return
						}
						src := idx[o.Namespace][name]
						switch {
						case src == nil && idx[o.Namespace] != nil:
							r.Report(o, path+".name", "%s reads %s %q, which is not in the input (namespace %s)", c.Who(), kind, name, facts.NsName(o.Namespace))
						case src != nil && keyed && src.keys != nil:
							key := lint.Str(lint.Field(ref, "key"))
							if !src.keys[key] {
								r.Report(o, path+".key", "%s reads key %q of %s %q, which has no such key", c.Who(), key, kind, name)
							}
						}
					}
					for i, e := range lint.Items(env) {
						vf := lint.Field(e, "valueFrom")
						if vf == nil {
							continue // a literal value, most env entries
						}
						at := fmt.Sprintf("%s.env[%d].valueFrom", c.Path, i)
						check(at+".configMapKeyRef", "ConfigMap", configMaps, lint.Field(vf, "configMapKeyRef"), true)
						check(at+".secretKeyRef", "Secret", secrets, lint.Field(vf, "secretKeyRef"), true)
					}
					for i, e := range lint.Items(envFrom) {
						at := fmt.Sprintf("%s.envFrom[%d]", c.Path, i)
						check(at+".configMapRef", "ConfigMap", configMaps, lint.Field(e, "configMapRef"), false)
						check(at+".secretRef", "Secret", secrets, lint.Field(e, "secretRef"), false)
					}
				}
			}
		},
	}
}
