// Package semdiff compares two streams of Kubernetes objects object by
// object: which objects were added or removed, and for each object both
// hold, which fields changed, by path (lists of named entries — containers,
// env, ports — keyed by name, so one new env var is one change, not an index
// shift). Field comparison is github.com/homeport/dyff; matching objects,
// hiding secret values and the report formats are ours.
package semdiff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gonvenience/ytbx"
	"github.com/homeport/dyff/pkg/dyff"
	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/textdiff"
)

// Input is one side of a comparison.
type Input struct {
	// Label names the side in reports ("staging", "HEAD~1:platform.yaml").
	Label string
	// YAML is a multi-document stream of objects.
	YAML []byte
	// Canon maps a namespace or object name to the one both sides share,
	// so that objects of two environments whose names carry the
	// environment (namespace isolation's dev-apps, PriorityClass
	// shop-dev-apps) are matched with production's apps and shop-apps; nil
	// keeps names as they are.
	Canon func(name string) string
}

// Change kinds.
const (
	Added     = "added"
	Removed   = "removed"
	Changed   = "changed"
	Reordered = "reordered"
)

// Field is one changed field of an object.
type Field struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // added, removed, changed, reordered
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Hunks is the line diff of a changed multi-line value (a dashboard,
	// a config file, a script), in unified format without file headers.
	Hunks string `json:"hunks,omitempty"`
}

// Object is one object that differs.
type Object struct {
	// ID is "group/Kind namespace/name" with the namespace as Input.Area maps it.
	ID     string  `json:"id"`
	Kind   string  `json:"kind"` // added, removed, changed
	Fields []Field `json:"fields,omitempty"`
}

// Report is the difference between two inputs.
type Report struct {
	From    string   `json:"from"`
	To      string   `json:"to"`
	Objects []Object `json:"objects"`
}

// Empty says whether the inputs hold the same objects with the same fields.
func (r *Report) Empty() bool { return len(r.Objects) == 0 }

// Counts returns how many objects were added, removed and changed.
func (r *Report) Counts() (added, removed, changed int) {
	for _, o := range r.Objects {
		switch o.Kind {
		case Added:
			added++
		case Removed:
			removed++
		default:
			changed++
		}
	}
	return added, removed, changed
}

type object struct {
	id   string
	node *yaml.Node
}

// Compare reports how to differs from from.
func Compare(from, to Input) (*Report, error) {
	a, err := objects(from)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from.Label, err)
	}
	b, err := objects(to)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", to.Label, err)
	}
	r := &Report{From: from.Label, To: to.Label, Objects: []Object{}}
	ids := map[string]bool{}
	for id := range a {
		ids[id] = true
	}
	for id := range b {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		x, inA := a[id]
		y, inB := b[id]
		switch {
		case !inA:
			r.Objects = append(r.Objects, Object{ID: id, Kind: Added})
		case !inB:
			r.Objects = append(r.Objects, Object{ID: id, Kind: Removed})
		default:
			fields, err := compareObject(x.node, y.node)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			if len(fields) > 0 {
				r.Objects = append(r.Objects, Object{ID: id, Kind: Changed, Fields: fields})
			}
		}
	}
	return r, nil
}

// objects reads in's documents, keyed by identity, with secret values hidden.
func objects(in Input) (map[string]object, error) {
	out := map[string]object{}
	dec := yaml.NewDecoder(bytes.NewReader(in.YAML))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		id := identity(root, in.Canon)
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("object %s appears twice", id)
		}
		hideSecrets(root)
		out[id] = object{id: id, node: &doc}
	}
}

func identity(root *yaml.Node, canon func(string) string) string {
	apiVersion := scalar(root, "apiVersion")
	group := ""
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		group = g
	}
	meta := field(root, "metadata")
	ns, name := scalar(meta, "namespace"), scalar(meta, "name")
	if canon != nil {
		name = canon(name)
		if ns != "" {
			ns = canon(ns)
		}
	}
	kind := scalar(root, "kind")
	if group != "" {
		kind = group + "/" + kind
	}
	if ns == "" {
		return kind + " " + name
	}
	return kind + " " + ns + "/" + name
}

// hideSecrets replaces every value of a Secret's data and stringData with
// its length and a short hash: a reviewer sees that (and which) key
// changed, never the value. A diff is posted on pull requests.
func hideSecrets(root *yaml.Node) {
	if scalar(root, "kind") != "Secret" || scalar(root, "apiVersion") != "v1" {
		return
	}
	for _, key := range []string{"data", "stringData"} {
		m := field(root, key)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		for i := 1; i < len(m.Content); i += 2 {
			v := m.Content[i]
			sum := sha256.Sum256([]byte(v.Value))
			*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprintf("(hidden: %d bytes, sha256 %s…)", len(v.Value), hex.EncodeToString(sum[:4]))}
		}
	}
}

func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node, key string) string {
	v := field(n, key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

func compareObject(from, to *yaml.Node) ([]Field, error) {
	rep, err := dyff.CompareInputFiles(
		ytbx.InputFile{Documents: []*yaml.Node{from}},
		ytbx.InputFile{Documents: []*yaml.Node{to}},
		// The objects are matched already (namespaces mapped through Area);
		// dyff would match them again by namespace and see two objects.
		dyff.KubernetesEntityDetection(false),
	)
	if err != nil {
		return nil, err
	}
	var out []Field
	for _, d := range rep.Diffs {
		p := pathString(d.Path)
		for _, det := range d.Details {
			switch det.Kind {
			case dyff.ADDITION:
				out = append(out, entries(p, Added, det.To)...)
			case dyff.REMOVAL:
				out = append(out, entries(p, Removed, det.From)...)
			case dyff.ORDERCHANGE:
				out = append(out, Field{Path: p, Kind: Reordered})
			default:
				f := Field{Path: p, Kind: Changed, From: text(det.From), To: text(det.To)}
				if strings.Contains(f.From, "\n") || strings.Contains(f.To, "\n") {
					// Past the ---/+++ header: the path says what it is.
					_, hunks, _ := strings.Cut(textdiff.Unified("a", "b", f.From, f.To), "\n@@")
					f.Hunks = "@@" + hunks
				}
				out = append(out, f)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// entries splits entries added to or removed from a list of named entries
// into one field each (env[name=NEW]), which is what a reviewer reads.
func entries(path, kind string, n *yaml.Node) []Field {
	one := func(p string, v *yaml.Node) Field {
		if kind == Added {
			return Field{Path: p, Kind: kind, To: text(v)}
		}
		return Field{Path: p, Kind: kind, From: text(v)}
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		return []Field{one(path, n)}
	}
	out := make([]Field, 0, len(n.Content))
	for _, item := range n.Content {
		p := path
		if name := scalar(item, "name"); name != "" {
			p += "[name=" + name + "]"
		}
		out = append(out, one(p, item))
	}
	return out
}

// pathString spells a path the way kubectl explain and our lint findings
// do: spec.template.spec.containers[name=web].env[name=LOG_LEVEL].value.
func pathString(p *ytbx.Path) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, e := range p.PathElements {
		switch {
		case e.Name != "" && e.Key != "":
			fmt.Fprintf(&b, "[%s=%s]", e.Key, e.Name)
		case e.Name != "" && isPlainKey(e.Name):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.Name)
		case e.Name != "":
			fmt.Fprintf(&b, "[%s]", strconv.Quote(e.Name))
		default:
			fmt.Fprintf(&b, "[%d]", e.Idx)
		}
	}
	return b.String()
}

func isPlainKey(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return r != '-' && r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) < 0
}

// text is a node as one YAML line where it is a scalar, as flow YAML
// otherwise (a whole added container, say).
func text(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	c := *n
	setFlow(&c)
	b, err := yaml.Marshal(&c)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return strings.TrimSpace(string(b))
}

// setFlow marks n and its children flow style; n is a copy, and so is every
// child it touches (the Content slice too), so the compared trees stay as
// they are.
func setFlow(n *yaml.Node) {
	n.Style |= yaml.FlowStyle
	n.Content = append([]*yaml.Node(nil), n.Content...)
	for i, c := range n.Content {
		cc := *c
		setFlow(&cc)
		n.Content[i] = &cc
	}
}
