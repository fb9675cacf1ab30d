package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/platformctl/platformctl/pkg/textdist"
	"github.com/platformctl/platformctl/pkg/yamlfast"
	"github.com/platformctl/platformctl/pkg/yamlsyntax"
	yaml "go.yaml.in/yaml/v3"
)

// MaxInputSize bounds one input file or stdin. Real manifests are far
// smaller; beyond this a file is a mistake or an attack, refused before parsing.
const MaxInputSize = 64 << 20

// InputError is a problem with the input itself, located like a finding.
type InputError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// knownKinds lists the kinds of built-in API groups, so a typo in a kind
// ("Deploymnet") is an input error rather than an object no rule looks at.
// Groups not listed here (CRDs) accept any kind.
var knownKinds = map[string][]string{
	"": {"Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event", "LimitRange", "List", "Namespace", "Node",
		"PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController", "ResourceQuota",
		"Secret", "Service", "ServiceAccount"},
	"apps":                      {"ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"},
	"batch":                     {"CronJob", "Job"},
	"autoscaling":               {"HorizontalPodAutoscaler"},
	"policy":                    {"PodDisruptionBudget", "PodSecurityPolicy"},
	"networking.k8s.io":         {"Ingress", "IngressClass", "NetworkPolicy", "IPAddress", "ServiceCIDR"},
	"rbac.authorization.k8s.io": {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"},
	"extensions":                {"DaemonSet", "Deployment", "Ingress", "NetworkPolicy", "PodSecurityPolicy", "ReplicaSet"},
	"storage.k8s.io":            {"CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment", "VolumeAttributesClass"},
	"scheduling.k8s.io":         {"PriorityClass"},
	"coordination.k8s.io":       {"Lease"},
	"discovery.k8s.io":          {"EndpointSlice"},
}

// kindSets indexes knownKinds, built on first use rather than at start-up.
var kindSets = sync.OnceValue(func() map[string]map[string]bool {
	m := map[string]map[string]bool{}
	for g, ks := range knownKinds {
		m[g] = map[string]bool{}
		for _, k := range ks {
			m[g][k] = true
		}
	}
	return m
})

// Decode reads every object of a YAML stream. Empty documents are skipped;
// a `kind: List` contributes its items. The first problem ends decoding of
// this input, with its position.
func Decode(file string, data []byte) ([]*Object, error) {
	if err := checkText(file, data); err != nil {
		return nil, err
	}
	// The fast decoder builds the same trees as go-yaml for the YAML
	// manifests are written in, with a few allocations per file instead of
	// one per node; anything else (and every syntax error) goes to go-yaml,
	// so messages and positions do not depend on which one ran.
	if docs, ok := yamlfast.Parse(data); ok {
		var out []*Object
		for doc, n := range docs {
			objs, err := documentObjects(file, doc, n)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
		return out, nil
	}
	return decodeGoYAML(file, data)
}

// checkText refuses what is not worth parsing, with a position: huge or
// binary input, bad UTF-8, control characters.
func checkText(file string, data []byte) error {
	if len(data) > MaxInputSize {
		return &InputError{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("larger than %d MiB; refusing to read it", MaxInputSize>>20)}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return &InputError{File: file, Line: 1, Col: 1, Msg: "binary file, not YAML"}
	}
	if p, msg, bad := yamlsyntax.BadText(data); bad {
		return &InputError{File: file, Line: p.Line, Col: p.Col, Msg: "invalid YAML: " + msg}
	}
	return nil
}

// decodeGoYAML is Decode with go-yaml v3, document by document.
func decodeGoYAML(file string, data []byte) ([]*Object, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Object
	for doc := 0; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			p, msg := yamlsyntax.Describe(data, err)
			if bytes.Contains(data, []byte("{{")) {
				msg += " (a Helm or Go template? render it first, e.g. helm template . | platformctl lint -)"
			}
			return nil, &InputError{File: file, Line: p.Line, Col: p.Col, Msg: "invalid YAML: " + msg}
		}
		objs, err := documentObjects(file, doc, &n)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
}

// documentObjects returns the objects of one decoded document; empty and
// null documents have none.
func documentObjects(file string, doc int, root *yaml.Node) ([]*Object, error) {
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	return objectsOf(file, doc, root)
}

func objectsOf(file string, doc int, root *yaml.Node) ([]*Object, error) {
	if root.Kind == yaml.AliasNode || root.Anchor != "" {
		return nil, &InputError{File: file, Line: root.Line, Col: root.Column, Msg: "YAML anchors and aliases are not supported in manifests"}
	}
	if root.Kind != yaml.MappingNode {
		return nil, &InputError{File: file, Line: root.Line, Col: root.Column, Msg: fmt.Sprintf("document %d is not an object (a mapping with apiVersion and kind)", doc+1)}
	}
	if err := checkTree(file, root, 0); err != nil {
		return nil, err
	}
	o := NewObject(root, file, doc)
	if o.Group() == "kustomize.config.k8s.io" {
		// A kustomization file among manifests describes how to build
		// them; it is not an object the cluster will see.
		return nil, nil
	}
	switch {
	case o.APIVersion == "" && o.Kind == "":
		return nil, &InputError{File: file, Line: root.Line, Col: root.Column, Msg: "object has neither apiVersion nor kind"}
	case o.APIVersion == "":
		return nil, &InputError{File: file, Line: root.Line, Col: root.Column, Msg: fmt.Sprintf("%s has no apiVersion", o.Kind)}
	case o.Kind == "":
		return nil, &InputError{File: file, Line: root.Line, Col: root.Column, Msg: fmt.Sprintf("object with apiVersion %s has no kind", o.APIVersion)}
	}
	// kubectl takes List and any <Kind>List (what `kubectl get -o yaml`
	// prints) as a bag of objects.
	if items := Field(root, "items"); o.Kind == "List" || strings.HasSuffix(o.Kind, "List") && items != nil {
		if items != nil && items.Kind != yaml.SequenceNode && items.Tag != "!!null" {
			return nil, &InputError{File: file, Line: items.Line, Col: items.Column, Msg: fmt.Sprintf("%s items must be a list of objects, got %s", o.Kind, nodeKindName(items))}
		}
		var out []*Object
		for _, it := range Items(items) {
			objs, err := objectsOf(file, doc, it)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
		return out, nil
	}
	if kinds, ok := kindSets()[o.Group()]; ok && !kinds[o.Kind] {
		k := KeyOf(root, "kind")
		msg := fmt.Sprintf("unknown kind %q in API group %q", o.Kind, groupName(o.Group()))
		if s := textdist.Closest(o.Kind, knownKinds[o.Group()], 2); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return nil, &InputError{File: file, Line: k.Line, Col: k.Column, Msg: msg}
	}
	if o.Name == "" && Str(At(root, "metadata.generateName")) == "" {
		return nil, &InputError{File: file, Line: root.Line, Col: root.Column, Msg: fmt.Sprintf("%s has no metadata.name", o.Kind)}
	}
	return []*Object{o}, nil
}

// checkTree rejects, anywhere in an object and before any field of it is
// read, what go-yaml's Node decoding lets through but a manifest must not
// hold: aliases and anchors (expanding them is how a few hundred bytes
// become gigabytes, and manifests have no need for them) and repeated
// mapping keys (rules would read the first value, where other tools keep
// the last or, like Kustomize, refuse the file).
func checkTree(file string, n *yaml.Node, depth int) error {
	if depth > 200 {
		return &InputError{File: file, Line: n.Line, Col: n.Column, Msg: "nesting deeper than 200 levels"}
	}
	if n.Kind == yaml.MappingNode {
		if dup, first := duplicateKey(n.Content); dup != nil {
			return &InputError{File: file, Line: dup.Line, Col: dup.Column,
				Msg: fmt.Sprintf("mapping key %q already defined at line %d", dup.Value, first.Line)}
		}
	}
	for _, c := range n.Content {
		if c.Kind == yaml.AliasNode || c.Anchor != "" {
			return &InputError{File: file, Line: c.Line, Col: c.Column, Msg: "YAML anchors and aliases are not supported in manifests"}
		}
		if len(c.Content) > 0 {
			if err := checkTree(file, c, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// smallMapping is the number of keys up to which duplicateKey compares
// every key with the ones before it rather than building a set: manifest
// mappings hold a handful of keys, where a map costs more than the scan.
const smallMapping = 16

// duplicateKey returns the first key of a mapping's content (key, value,
// key, value...) that repeats an earlier key, and that earlier key. Keys are
// the same when go-yaml's own unmarshalling says so: scalars with the same
// value, whatever their style or tag (a: and "a": collide, and so do 1: and
// "1":, and a second merge key <<). Keys that are collections are not
// compared: go-yaml calls every pair of them duplicates of "".
func duplicateKey(content []*yaml.Node) (dup, first *yaml.Node) {
	if len(content) <= 2*smallMapping {
		for j := 2; j < len(content); j += 2 {
			k := content[j]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			for i := 0; i < j; i += 2 {
				if p := content[i]; p.Kind == yaml.ScalarNode && p.Value == k.Value {
					return k, p
				}
			}
		}
		return nil, nil
	}
	seen := make(map[string]*yaml.Node, len(content)/2)
	for j := 0; j < len(content); j += 2 {
		k := content[j]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if p, ok := seen[k.Value]; ok {
			return k, p
		}
		seen[k.Value] = k
	}
	return nil, nil
}

func groupName(g string) string {
	if g == "" {
		return "core"
	}
	return g
}

// nodeKindName says what a node is, for messages.
func nodeKindName(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return fmt.Sprintf("the value %q", truncate(n.Value, 40))
	}
	return yamlsyntax.NodeKind(n)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
