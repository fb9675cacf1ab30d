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
	"github.com/platformctl/platformctl/pkg/yamljson"
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

// Decode reads every object of a YAML or JSON stream (JSON when the first
// non-space byte is {, as kubectl decides). Empty documents are skipped;
// a `kind: List` contributes its items. A bad document (or List item) is
// an *InputError with its position and does not stop the others: Decode
// returns every good object and, joined, an error for each bad one
// (InputErrors takes them apart), so one object without a name or one
// Helm template in a stream does not hide what is wrong with the rest.
// Problems with the whole input (binary, bad UTF-8, too large) and JSON
// syntax errors leave no objects.
func Decode(file string, data []byte) ([]*Object, error) {
	return decode(file, data, false)
}

// DecodeOwned is Decode for a buffer the caller hands over and never
// modifies again (a file read for the lint): the objects' strings share
// data's bytes instead of a copy of them. Every object of a lint lives to
// the end of the run, so the copy was the input's size again in the peak
// heap (docs/performance.md, step 6).
func DecodeOwned(file string, data []byte) ([]*Object, error) {
	return decode(file, data, true)
}

func decode(file string, data []byte, owned bool) ([]*Object, error) {
	if err := checkText(file, data); err != nil {
		return nil, err
	}
	if isJSON(data) {
		if objs, ok, err := decodeJSON(file, data); ok {
			return objs, err
		}
	}
	// The fast decoder builds the same trees as go-yaml for the YAML
	// manifests are written in, with a few allocations per file instead of
	// one per node; anything else (and every syntax error) goes to go-yaml,
	// so messages and positions do not depend on which one ran.
	parse := yamlfast.Parse
	if owned {
		parse = yamlfast.ParseOwned
	}
	if docs, ok := parse(data); ok {
		var out []*Object
		var errs []error
		for doc, n := range docs {
			objs, err := documentObjects(file, doc, n)
			errs = appendErr(errs, err)
			out = append(out, objs...)
		}
		return out, joinErrs(errs)
	}
	return decodeGoYAML(file, data)
}

func appendErr(errs []error, err error) []error {
	if err == nil {
		return errs
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return append(errs, j.Unwrap()...)
	}
	return append(errs, err)
}

// joinErrs is nil for none, the error itself for one (callers that look
// for an *InputError find it without unwrapping), errors.Join for more.
func joinErrs(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// InputErrors takes apart an error of Decode (or of several, joined): its
// input errors, in order, and whether err held nothing else.
func InputErrors(err error) (ies []*InputError, only bool) {
	if err == nil {
		return nil, true
	}
	only = true
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ie *InputError
		if errors.As(e, &ie) {
			ies = append(ies, ie)
			return
		}
		only = false
	}
	walk(err)
	return ies, only
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

// decodeGoYAML is Decode with go-yaml v3, document by document. go-yaml
// cannot go on past a syntax error, so at the first one the stream is
// read again one document at a time (see decodeByDocument), and only the
// broken documents are lost.
func decodeGoYAML(file string, data []byte) ([]*Object, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Object
	var errs []error
	for doc := 0; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, joinErrs(errs)
		}
		if err != nil {
			return decodeByDocument(file, data)
		}
		objs, err := documentObjects(file, doc, &n)
		errs = appendErr(errs, err)
		out = append(out, objs...)
	}
}

// decodeByDocument splits data at its document markers (--- at the start
// of a line, which YAML allows nowhere else) and decodes each document on
// its own, positions shifted back to data's lines: a document with a
// syntax error is one error, and the documents after it are still read.
func decodeByDocument(file string, data []byte) ([]*Object, error) {
	var out []*Object
	var errs []error
	doc := 0
	for _, ch := range splitDocuments(data) {
		dec := yaml.NewDecoder(bytes.NewReader(ch.data))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				p, msg := yamlsyntax.Describe(ch.data, err)
				if bytes.Contains(ch.data, []byte("{{")) {
					msg += " (a Helm or Go template? render it first, e.g. helm template . | platformctl lint -)"
				}
				errs = append(errs, &InputError{File: file, Line: p.Line + ch.line, Col: p.Col, Msg: "invalid YAML: " + msg})
				doc++
				break
			}
			shiftLines(&n, ch.line)
			objs, err := documentObjects(file, doc, &n)
			errs = appendErr(errs, err)
			out = append(out, objs...)
			doc++
		}
	}
	return out, joinErrs(errs)
}

type chunk struct {
	data []byte
	line int // lines of data before the chunk
}

// splitDocuments cuts data before every line that starts with "---"
// followed by a space, a tab or the end of the line.
func splitDocuments(data []byte) []chunk {
	var out []chunk
	start, startLine, line := 0, 0, 0
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		l := data[off:next]
		if off > start && bytes.HasPrefix(l, []byte("---")) && (len(l) == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\n' || l[3] == '\r') {
			out = append(out, chunk{data: data[start:off], line: startLine})
			start, startLine = off, line
		}
		off = next
		line++
	}
	return append(out, chunk{data: data[start:], line: startLine})
}

func shiftLines(n *yaml.Node, by int) {
	if by == 0 {
		return
	}
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
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
		var errs []error
		for _, it := range Items(items) {
			objs, err := objectsOf(file, doc, it)
			errs = appendErr(errs, err)
			out = append(out, objs...)
		}
		return out, joinErrs(errs)
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
		at := root
		if k := KeyOf(root, "metadata"); k != nil {
			at = k
		}
		return nil, &InputError{File: file, Line: at.Line, Col: at.Column, Msg: fmt.Sprintf("%s has no metadata.name", o.Kind)}
	}
	return []*Object{o}, nil
}

// checkTree rejects, anywhere in an object and before any field of it is
// read, what go-yaml's Node decoding lets through but a manifest must not
// hold: aliases and anchors (expanding them is how a few hundred bytes
// become gigabytes, and manifests have no need for them), merge keys,
// scalars kubectl cannot turn into JSON, and repeated mapping keys (rules
// would read the first value, where other tools keep the last or, like
// Kustomize, refuse the file). It also rewrites every scalar as the API
// server reads it (see resolveScalar), so rules see yes as true.
func checkTree(file string, n *yaml.Node, depth int) error {
	if depth > 200 {
		return &InputError{File: file, Line: n.Line, Col: n.Column, Msg: "nesting deeper than 200 levels"}
	}
	mapping := n.Kind == yaml.MappingNode
	if mapping {
		if err := resolveKeys(file, n.Content); err != nil {
			return err
		}
	}
	for i, c := range n.Content {
		if c.Kind == yaml.AliasNode || c.Anchor != "" {
			return &InputError{File: file, Line: c.Line, Col: c.Column, Msg: "YAML anchors and aliases are not supported in manifests"}
		}
		if c.Kind == yaml.ScalarNode && (!mapping || i%2 == 1) {
			if err := resolveScalar(file, c); err != nil {
				return err
			}
		}
		if len(c.Content) > 0 {
			if err := checkTree(file, c, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// formOf says how a scalar node is written, which decides how YAML 1.1
// resolves it.
func formOf(n *yaml.Node) yamljson.Form {
	switch {
	case n.Style&yaml.TaggedStyle != 0:
		return yamljson.Tagged
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return yamljson.Quoted
	}
	return yamljson.Plain
}

// jsonTags are the tags resolveScalar gives each JSON kind.
var jsonTags = [...]string{yamljson.String: "!!str", yamljson.Null: "!!null", yamljson.Bool: "!!bool", yamljson.Int: "!!int", yamljson.Float: "!!float"}

// resolveScalar rewrites a value scalar's Tag and Value to the JSON value
// the API server receives: kubectl and Kustomize's consumers convert YAML
// with sigs.k8s.io/yaml, which reads YAML 1.1, so `privileged: yes` is
// true, `runAsUser: 0.0` is 0 and 0777 is 511, where go-yaml v3 (YAML 1.2)
// reads a string, a float and 777. Values become JSON text: !!bool "true"
// or "false", !!int in decimal, !!float as encoding/json writes it.
func resolveScalar(file string, c *yaml.Node) error {
	v, err := yamljson.Value(formOf(c), c.Tag, c.Value)
	if err != nil {
		return &InputError{File: file, Line: c.Line, Col: c.Column,
			Msg: fmt.Sprintf("%v: kubectl cannot convert this document to JSON (quote the value if it is text)", err)}
	}
	c.Tag = jsonTags[v.Kind]
	if v.Kind != yamljson.Null {
		c.Value = v.Text
	}
	return nil
}

// resolveKeys rewrites a mapping's keys to the JSON object keys the API
// server receives (on: is "true", 0x1F: is "31") and refuses a key repeated
// once so converted (a: and "a":, 1: and '1':, yes: and true:): the
// conversion keeps one of them, and not always the same one. Keys with no
// JSON form (null, a list or mapping, a merge key) are refused too.
func resolveKeys(file string, content []*yaml.Node) error {
	var buf [smallMapping]string
	keys := buf[:0]
	for j := 0; j+1 < len(content); j += 2 {
		k := content[j]
		if k.Kind != yaml.ScalarNode {
			return &InputError{File: file, Line: k.Line, Col: k.Column,
				Msg: fmt.Sprintf("a mapping key that is %s has no JSON form; keys are names", yamlsyntax.NodeKind(k))}
		}
		s, err := yamljson.Key(formOf(k), k.Tag, k.Value)
		if errors.Is(err, yamljson.ErrMergeKey) {
			return &InputError{File: file, Line: k.Line, Col: k.Column, Msg: "YAML merge keys (<<) are not supported in manifests"}
		}
		if err != nil {
			return &InputError{File: file, Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("%v: kubectl cannot convert this document to JSON", err)}
		}
		keys = append(keys, s)
	}
	if dup, first := duplicateKey(keys); dup >= 0 {
		k := content[2*dup]
		msg := fmt.Sprintf("mapping key %q already defined at line %d", k.Value, content[2*first].Line)
		if k.Value != keys[dup] {
			msg = fmt.Sprintf("mapping key %q (read as %q) already defined at line %d", k.Value, keys[dup], content[2*first].Line)
		}
		return &InputError{File: file, Line: k.Line, Col: k.Column, Msg: msg}
	}
	for j, s := range keys {
		k := content[2*j]
		k.Value, k.Tag = s, "!!str"
	}
	return nil
}

// smallMapping is the number of keys up to which duplicateKey compares
// every key with the ones before it rather than building a set: manifest
// mappings hold a handful of keys, where a map costs more than the scan.
const smallMapping = 16

// duplicateKey returns the index of the first key that repeats an earlier
// one, and the index of that earlier one (-1, -1 when none repeats).
func duplicateKey(keys []string) (dup, first int) {
	if len(keys) <= smallMapping {
		for j := 1; j < len(keys); j++ {
			for i := 0; i < j; i++ {
				if keys[i] == keys[j] {
					return j, i
				}
			}
		}
		return -1, -1
	}
	seen := make(map[string]int, len(keys))
	for j, k := range keys {
		if i, ok := seen[k]; ok {
			return j, i
		}
		seen[k] = j
	}
	return -1, -1
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
